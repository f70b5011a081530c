package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// TestLoad is the documented load test; it runs only with AFTERCARE_LOAD=1:
//
//	AFTERCARE_LOAD=1 go test -run TestLoad -v -timeout 10m ./cmd/aftercare/
//
// It builds the real binary, starts `aftercare serve` on loopback with a fresh
// data directory, creates one plan per client through the API with the owner's
// token, then runs AFTERCARE_LOAD_CLIENTS (default 1000) concurrent clients for
// AFTERCARE_LOAD_DURATION (default 60s). Each client has its own keep-alive
// connection and, in a loop without pause, fetches its plan (GET /api/p/{token})
// and posts a check-in (POST /api/p/{token}/checkins). It reports throughput,
// p50/p99 latency per operation and the error count, and fails on any error.
// A plan takes 40 check-ins a day (plan.MaxCheckInsPerDay): a client whose plan
// answers 429 gets a new plan from the API, outside the measured requests.
// Client and server share the machine, so the figures are a floor.
// Each client holds one socket and the server one more: the open-files limit
// (ulimit -n) must exceed twice the clients; Go raises the soft limit to the hard one.
func TestLoad(t *testing.T) {
	if os.Getenv("AFTERCARE_LOAD") != "1" {
		t.Skip("load test: set AFTERCARE_LOAD=1 (see the doc comment)")
	}
	clients := envInt(t, "AFTERCARE_LOAD_CLIENTS", 1000)
	duration := 60 * time.Second
	if v := os.Getenv("AFTERCARE_LOAD_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			t.Fatalf("AFTERCARE_LOAD_DURATION=%q: %v", v, err)
		}
		duration = d
	}
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err == nil && lim.Cur < uint64(2*clients+256) {
		t.Fatalf("open-files limit %d is too low for %d clients: raise it (ulimit -n %d)", lim.Cur, clients, 2*clients+256)
	}

	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := startProcess(t, bin, dir, pushtest.New(t, keys.Public).URL+"/")
	defer srv.stop(t)

	// One plan per client, created through the API as a booking system would.
	start := time.Now()
	plans := make([]string, clients)
	setup := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
	var next atomic.Int64
	var wg sync.WaitGroup
	var setupErr atomic.Value
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < clients; i = int(next.Add(1)) - 1 {
				status, body, err := callHTTP(context.Background(), setup, "POST", srv.URL+"/api/plans",
					planJSON(time.Now().Add(-time.Hour), ""), "Authorization", "Bearer "+token)
				var out struct{ Token string }
				if err != nil || status != 201 || json.Unmarshal(body, &out) != nil {
					setupErr.Store(fmt.Sprintf("create plan: %d %v %s", status, err, body))
					return
				}
				plans[i] = out.Token
			}
		}()
	}
	wg.Wait()
	setup.CloseIdleConnections()
	if msg := setupErr.Load(); msg != nil {
		t.Fatal(msg)
	}
	t.Logf("created %d plans through the API in %v", clients, time.Since(start).Round(time.Millisecond))

	type sample struct {
		get, post []time.Duration
		errors    int
		firstErr  string
	}
	samples := make([]sample, clients)
	// newPlan gives a client whose plan reached its daily limit a fresh one, as the studio would.
	newPlan := func() (string, error) {
		status, body, err := callHTTP(context.Background(), http.DefaultClient, "POST", srv.URL+"/api/plans",
			planJSON(time.Now().Add(-time.Hour), ""), "Authorization", "Bearer "+token)
		var out struct{ Token string }
		if err == nil && (status != 201 || json.Unmarshal(body, &out) != nil) {
			err = fmt.Errorf("create plan: %d %s", status, body)
		}
		return out.Token, err
	}
	owned := make([][]string, clients) // every plan each client used, for the final check
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	begin := time.Now()
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := &samples[c]
			// Its own transport: one keep-alive connection per client, as one phone would hold.
			tr := &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}
			client := &http.Client{Timeout: 30 * time.Second, Transport: tr}
			defer tr.CloseIdleConnections()
			fail := func(op string, status int, err error) {
				s.errors++
				if s.firstErr == "" {
					s.firstErr = fmt.Sprintf("client %d %s: status %d, %v", c, op, status, err)
				}
			}
			plan := srv.URL + "/api/p/" + plans[c]
			owned[c] = []string{plans[c]}
			for n := 0; ctx.Err() == nil; n++ {
				t0 := time.Now()
				status, _, err := callHTTP(context.Background(), client, "GET", plan, "")
				if err != nil || status != 200 {
					fail("GET plan", status, err)
				} else {
					s.get = append(s.get, time.Since(t0))
				}
				if ctx.Err() != nil {
					break
				}
				body := `{"id":"load-` + strconv.Itoa(c) + `-` + strconv.Itoa(n) + `","soreness":3,"pain":2,"areas":["low-back"],"feelings":["dull"],"note":"load test"}`
				t0 = time.Now()
				status, _, err = callHTTP(context.Background(), client, "POST", plan+"/checkins", body)
				if err == nil && status == 429 {
					tok, err := newPlan()
					if err != nil {
						fail("new plan", 0, err)
						return
					}
					owned[c] = append(owned[c], tok)
					plan = srv.URL + "/api/p/" + tok
					continue
				}
				if err != nil || status != 201 {
					fail("POST check-in", status, err)
				} else {
					s.post = append(s.post, time.Since(t0))
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(begin)

	var gets, posts []time.Duration
	errors := 0
	for _, s := range samples {
		gets, posts = append(gets, s.get...), append(posts, s.post...)
		errors += s.errors
		if s.firstErr != "" && errors <= 5 {
			t.Log(s.firstErr)
		}
	}
	total := len(gets) + len(posts)
	t.Logf("load: %d clients for %v on %d CPUs (GOMAXPROCS %d), client and server on the same machine",
		clients, elapsed.Round(time.Millisecond), runtime.NumCPU(), runtime.GOMAXPROCS(0))
	t.Logf("  all requests:   %7d  %8.0f req/s", total, float64(total)/elapsed.Seconds())
	for _, op := range []struct {
		name string
		d    []time.Duration
	}{{"GET plan", gets}, {"POST check-in", posts}} {
		p50, p99, max := percentiles(op.d)
		t.Logf("  %-15s %7d  %8.0f req/s  p50 %v  p99 %v  max %v", op.name+":", len(op.d), float64(len(op.d))/elapsed.Seconds(),
			p50.Round(10*time.Microsecond), p99.Round(10*time.Microsecond), max.Round(time.Millisecond))
	}
	t.Logf("  errors:         %7d", errors)
	if errors > 0 {
		t.Fatalf("%d errors under load", errors)
	}
	if len(gets) < clients || len(posts) < clients {
		t.Fatalf("not every client got through: %d plan fetches, %d check-ins", len(gets), len(posts))
	}
	t.Logf("  plans refilled:  %7d  (a plan takes 40 check-ins a day)", func() (n int) {
		for _, o := range owned {
			n += len(o) - 1
		}
		return n
	}())
	// The server is still healthy and kept every check-in of one client.
	stored := 0
	for _, tok := range owned[0] {
		status, body, err := callHTTP(context.Background(), http.DefaultClient, "GET", srv.URL+"/api/p/"+tok, "")
		var view struct {
			CheckInsTotal int `json:"checkinsTotal"`
		}
		if err != nil || status != 200 || json.Unmarshal(body, &view) != nil {
			t.Fatalf("after the load: %d %v %s", status, err, body)
		}
		stored += view.CheckInsTotal
	}
	if stored != len(samples[0].post) {
		t.Fatalf("after the load: %d check-ins stored for client 0, %d acknowledged", stored, len(samples[0].post))
	}
}

func percentiles(d []time.Duration) (p50, p99, max time.Duration) {
	if len(d) == 0 {
		return 0, 0, 0
	}
	slices.Sort(d)
	at := func(q float64) time.Duration { return d[min(len(d)-1, int(q*float64(len(d))))] }
	return at(0.50), at(0.99), d[len(d)-1]
}

func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		t.Fatalf("%s=%q: want a positive number", name, v)
	}
	return n
}
