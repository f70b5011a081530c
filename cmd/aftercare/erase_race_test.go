package main

import (
	"bytes"
	"net/http"
	"path/filepath"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/store"
)

// TestEraseRacingSubscribeLeavesNoDevice: phones subscribe while their plans
// are erased. Whatever order the two requests take, no device stays behind
// under an erased plan (in any bucket), and every subscription the server
// acknowledged for a plan that was not erased is stored.
func TestEraseRacingSubscribeLeavesNoDevice(t *testing.T) {
	ts := startServer(t)
	const plans = 150
	type planRun struct {
		token    string
		erase    bool
		endpoint string
		status   int // of the subscribe
		erased   int // status of the erase
	}
	runs := make([]*planRun, plans)
	for i := range runs {
		// Every third plan is kept: its acknowledged subscription must be stored.
		runs[i] = &planRun{token: ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), "")), erase: i%3 != 0}
	}
	// Its own connections, closed before shutdown (which waits for open ones).
	client := &http.Client{Transport: &http.Transport{}}
	var wg sync.WaitGroup
	for _, r := range runs {
		ep, key, auth := ts.Push.NewSubscription()
		r.endpoint = ep
		body := subscriptionJSON(ep, key, auth)
		start := make(chan struct{})
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			r.status = status(t, client, "PUT", ts.URL+"/api/p/"+r.token+"/subscription", body)
		}()
		if r.erase {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				r.erased = status(t, client, "DELETE", ts.URL+"/api/p/"+r.token, "")
			}()
		}
		close(start)
	}
	wg.Wait()
	client.CloseIdleConnections()
	ts.shutdown(t)

	db, err := bolt.Open(filepath.Join(ts.Data, store.FileName), 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Every key and value of every bucket, to look for erased tokens and kept devices.
	var all [][]byte
	var subs int
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, v []byte) error {
				all = append(all, bytes.Clone(k), bytes.Clone(v))
				if string(name) == "subs" {
					subs++
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	contains := func(s string) int {
		n := 0
		for _, b := range all {
			if bytes.Contains(b, []byte(s)) {
				n++
			}
		}
		return n
	}
	leftover, acknowledged, refused, kept := 0, 0, 0, 0
	for _, r := range runs {
		switch {
		case r.status == http.StatusCreated:
			acknowledged++
		case r.erase && r.status == http.StatusNotFound:
			refused++
		default:
			t.Errorf("subscribe answered %d (plan erased: %v)", r.status, r.erase)
		}
		if !r.erase {
			kept++
			if n := contains(r.token); n == 0 {
				t.Errorf("a plan nobody erased is gone")
			}
			continue
		}
		if r.erased != http.StatusNoContent {
			t.Errorf("erase answered %d", r.erased)
		}
		if n := contains(r.token); n > 0 {
			leftover++
		}
	}
	if leftover > 0 {
		t.Errorf("%d of %d erased plans left records behind (subscribes: %d acknowledged, %d refused)",
			leftover, plans-kept, acknowledged, refused)
	}
	// The kept plans' devices are all there, and nothing else is.
	if subs != kept {
		t.Errorf("%d devices stored, want %d (one per plan not erased)", subs, kept)
	}
	t.Logf("subscribes: %d acknowledged, %d refused with 404; %d plans erased", acknowledged, refused, plans-kept)
}

// status sends a request from a goroutine (no t.Fatal there) and returns its status, 0 on a transport error.
func status(t *testing.T, client *http.Client, method, url, body string) int {
	req, err := http.NewRequest(method, url, bytes.NewBufferString(body))
	if err != nil {
		t.Error(err)
		return 0
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Error(err)
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}
