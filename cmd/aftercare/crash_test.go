package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// crashWrite is one client write the crash test sends; acknowledged means a 2xx came back.
type crashWrite struct {
	kind, token, path, body string
	id                      string // check-in or completion id, or the endpoint
}

// TestAcknowledgedWritesSurviveSIGKILL runs the real binary, acknowledges
// check-ins, completions and subscriptions from concurrent clients, kills the
// process with SIGKILL in the middle of the stream, restarts it on the same
// data directory and finds every acknowledged write through the API.
func TestAcknowledgedWritesSurviveSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const plans, perPlan = 20, model.MaxDevices // 200 of each kind; 10 devices per plan is the cap
	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	pushSvc := pushtest.New(t, keys.Public)
	srv := startProcess(t, bin, dir, pushSvc.URL+"/")
	owner := []string{"Authorization", "Bearer " + token}
	ctx := context.Background()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	defer client.CloseIdleConnections()

	var writes []crashWrite
	tokens := make([]string, plans)
	for i := range tokens {
		status, body, err := callHTTP(ctx, client, "POST", srv.URL+"/api/plans", planJSON(time.Now().Add(-time.Hour), ""), owner...)
		if err != nil || status != 201 {
			t.Fatalf("create plan: %d %v %s", status, err, body)
		}
		var out struct{ Token string }
		_ = json.Unmarshal(body, &out)
		tokens[i] = out.Token
		for j := range perPlan {
			ci := fmt.Sprintf("crash-ci-%02d-%02d", i, j)
			co := fmt.Sprintf("crash-co-%02d-%02d", i, j)
			ep, k, a := pushSvc.NewSubscription()
			writes = append(writes,
				crashWrite{"checkin", out.Token, "/checkins", `{"id":"` + ci + `","soreness":4,"pain":2,"areas":["hip"],"note":"write ` + ci + `"}`, ci},
				crashWrite{"completion", out.Token, "/completions", `{"id":"` + co + `","routineId":"gentle-sciatica-aftercare","done":3,"total":5}`, co},
				crashWrite{"subscription", out.Token, "/subscription", subscriptionJSON(ep, k, a), ep},
			)
		}
	}
	rand.Shuffle(len(writes), func(i, j int) { writes[i], writes[j] = writes[j], writes[i] })

	// Send from 32 clients; SIGKILL once half of the writes are acknowledged.
	proc := srv
	acked := make([]bool, len(writes))
	var nAcked atomic.Int64
	var next atomic.Int64
	var killOnce sync.Once
	killed := make(chan struct{})
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(writes); i = int(next.Add(1)) - 1 {
				w := writes[i]
				method := "POST"
				if w.kind == "subscription" {
					method = "PUT"
				}
				status, _, err := callHTTP(ctx, client, method, srv.URL+"/api/p/"+w.token+w.path, w.body)
				if err == nil && status/100 == 2 {
					acked[i] = true
					if nAcked.Add(1) == int64(len(writes)/2) {
						killOnce.Do(func() { _ = proc.cmd.Process.Signal(syscall.SIGKILL); close(killed) })
					}
				} else if err == nil {
					t.Errorf("%s %s: %d before the kill", w.kind, w.id, status)
				}
			}
		}()
	}
	wg.Wait()
	select {
	case <-killed:
		<-proc.exited
	default:
		t.Fatalf("only %d of %d writes acknowledged, the process was never killed", nAcked.Load(), len(writes))
	}
	t.Logf("SIGKILL at %d acknowledged writes; %d of %d were acknowledged in all", len(writes)/2, nAcked.Load(), len(writes))

	srv = startProcess(t, bin, dir, pushSvc.URL+"/")
	missing := verifyWrites(t, client, srv.URL, owner, tokens, writes, acked, pushSvc)
	if missing > 0 {
		t.Fatalf("%d acknowledged writes lost", missing)
	}

	// The database is fine after the kill: the rest goes through (idempotent by id), then all is there.
	for i, w := range writes {
		if acked[i] {
			continue
		}
		method := "POST"
		if w.kind == "subscription" {
			method = "PUT"
		}
		status, body, err := callHTTP(ctx, client, method, srv.URL+"/api/p/"+w.token+w.path, w.body)
		if err != nil || status/100 != 2 {
			t.Fatalf("%s %s after restart: %d %v %s", w.kind, w.id, status, err, body)
		}
		acked[i] = true
	}
	srv.stop(t)
	srv = startProcess(t, bin, dir, pushSvc.URL+"/")
	if missing := verifyWrites(t, client, srv.URL, owner, tokens, writes, acked, pushSvc); missing > 0 {
		t.Fatalf("%d writes lost after a clean restart", missing)
	}
	srv.stop(t)
}

// verifyWrites checks every acknowledged write through the API: check-ins and
// completions in the therapist's view of the plan, subscriptions by a test push
// that the loopback push service receives and decrypts. It returns how many are missing.
func verifyWrites(t *testing.T, client *http.Client, base string, owner, tokens []string, writes []crashWrite, acked []bool, pushSvc *pushtest.Service) int {
	t.Helper()
	ctx := context.Background()
	stored := map[string]bool{}
	for _, tok := range tokens {
		status, body, err := callHTTP(ctx, client, "GET", base+"/api/plans/"+tok, "", owner...)
		if err != nil || status != 200 {
			t.Fatalf("therapist view of a plan: %d %v %s", status, err, body)
		}
		var view struct {
			Completions []struct{ ID string }
			CheckIns    []struct{ ID, Note string } `json:"checkins"`
		}
		if err := json.Unmarshal(body, &view); err != nil {
			t.Fatal(err)
		}
		for _, c := range view.Completions {
			stored["completion "+c.ID] = true
		}
		for _, c := range view.CheckIns {
			if c.Note != "write "+c.ID {
				t.Errorf("check-in %s came back as %q", c.ID, c.Note)
			}
			stored["checkin "+c.ID] = true
		}
	}
	// One test push per plan reaches each stored device once.
	before := len(pushSvc.Received())
	devices := 0
	for _, tok := range tokens {
		status, body, err := callHTTP(ctx, client, "POST", base+"/api/p/"+tok+"/test-push", "")
		if err == nil && status == 409 {
			continue // no device stored for this plan
		}
		if err != nil || status != 202 {
			t.Fatalf("test push: %d %v %s", status, err, body)
		}
		var out struct{ Devices int }
		_ = json.Unmarshal(body, &out)
		devices += out.Devices
	}
	for _, r := range pushSvc.Wait(before+devices, 10*time.Second)[before:] {
		var p struct{ Kind string }
		if json.Unmarshal(r.Payload, &p) == nil && p.Kind == model.KindTest {
			stored["subscription "+r.Endpoint] = true
		}
	}
	missing := 0
	counts := map[string]int{}
	for i, w := range writes {
		if !acked[i] {
			continue
		}
		counts[w.kind]++
		if !stored[w.kind+" "+w.id] {
			missing++
			if missing <= 10 {
				t.Errorf("acknowledged %s %s is missing", w.kind, w.id)
			}
		}
	}
	t.Logf("verified %d check-ins, %d completions, %d subscriptions", counts["checkin"], counts["completion"], counts["subscription"])
	return missing
}
