package main

import (
	"context"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

type syncLog struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *syncLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *syncLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestVAPIDContactIsTheOperators: with an http base URL and no
// -vapid-subject, the server says at start that push to real phones needs
// the operator's contact, and sends no contact address it made up; with one
// set, that is the contact push services see, and nothing is said.
func TestVAPIDContactIsTheOperators(t *testing.T) {
	for _, tc := range []struct {
		name, subject, wantSub string
		warns                  bool
	}{
		{"unset", "", "https://localhost", true},
		{"operator's", "ops@studio.example.org", "mailto:ops@studio.example.org", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			token := addTherapist(t, dir, "ana@example.org", "Ana Ruiz")
			keys, err := push.LoadOrCreateKeys(dir)
			if err != nil {
				t.Fatal(err)
			}
			svc := pushtest.New(t, keys.Public)
			args := []string{"-addr", "127.0.0.1:0", "-data", dir, "-push-allow", svc.URL + "/", "-log-level", "warn"}
			if tc.subject != "" {
				args = append(args, "-vapid-subject", tc.subject)
			}
			cfg, err := parseServe(args)
			if err != nil {
				t.Fatal(err)
			}
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			var log syncLog
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- runServer(ctx, cfg, newLogger(&log, cfg.LogLevel), ln) }()
			defer func() {
				cancel()
				if err := <-done; err != nil {
					t.Error(err)
				}
			}()
			ts := &testServer{URL: "http://" + ln.Addr().String(), Token: token, Push: svc}
			waitHealthy(t, ts.URL)

			warned := strings.Contains(log.String(), "level=WARN") && strings.Contains(log.String(), "-vapid-subject")
			if warned != tc.warns {
				t.Errorf("start-up log (want a -vapid-subject warning: %v):\n%s", tc.warns, log.String())
			}
			plan := ts.createPlanAt(t, planJSON(time.Now().Add(-time.Hour), ""))
			ep, key, auth := svc.NewSubscription()
			if r := ts.do(t, "PUT", "/api/p/"+plan+"/subscription", subscriptionJSON(ep, key, auth)); r.Status != 201 {
				t.Fatalf("subscribe: %d %s", r.Status, r.Body)
			}
			if r := ts.do(t, "POST", "/api/p/"+plan+"/test-push", ""); r.Status != 202 {
				t.Fatalf("test-push: %d %s", r.Status, r.Body)
			}
			got := svc.Wait(1, 10*time.Second)
			if len(got) != 1 {
				t.Fatalf("delivered %d (refusals %v)", len(got), svc.Refusals())
			}
			if got[0].Subject != tc.wantSub {
				t.Errorf("push services see the contact %q, want %q", got[0].Subject, tc.wantSub)
			}
		})
	}
}

func waitHealthy(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// createPlanAt is createPlan without checking the link's host (the base URL
// here names the configured address, not the listener's).
func (ts *testServer) createPlanAt(t *testing.T, body string) string {
	t.Helper()
	r := ts.do(t, "POST", "/api/plans", body, ts.auth()...)
	if r.Status != 201 {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	var out struct{ Token string }
	r.json(t, &out)
	return out.Token
}
