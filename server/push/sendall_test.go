package push_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// A push service that hangs must not hold up delivery to the others: the
// fast deliveries arrive while the slow requests are still waiting for their timeout.
func TestSendAllSlowEndpointDoesNotBlockOthers(t *testing.T) {
	const timeout = 1500 * time.Millisecond
	tests := []struct {
		name                string
		slowSeparateService bool
		slow                int
	}{
		{"one slow endpoint, same service", false, 1},
		{"slow service listed first", true, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(c *push.Config) {
				c.HTTPClient = &http.Client{Timeout: timeout}
				c.Workers = 3
				c.MaxAttempts = 1
			})
			slowSvc := f.svc
			if tc.slowSeparateService {
				slowSvc = pushtest.New(t, f.keys.Public)
				allow, _ := push.NewAllowlist([]string{f.svc.URL + "/", slowSvc.URL + "/"})
				var err error
				f.sender, err = push.NewSender(push.Config{Keys: f.keys, Subject: "ops@example.org", Allow: allow,
					HTTPClient: &http.Client{Timeout: timeout}, Workers: 3, MaxAttempts: 1})
				if err != nil {
					t.Fatal(err)
				}
			}
			var jobs []push.Job
			for range tc.slow {
				endpoint, p256dh, auth := slowSvc.NewSubscription()
				slowSvc.Behave(endpoint, pushtest.Behavior{Delay: 30 * time.Second})
				jobs = append(jobs, push.Job{Sub: push.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}, Msg: reminder})
			}
			const fast = 10
			for range fast {
				jobs = append(jobs, push.Job{Sub: f.subscribe(), Msg: reminder})
			}

			start := time.Now()
			done := make(chan []push.Result, 1)
			go func() { done <- f.sender.SendAll(context.Background(), jobs) }()

			got := f.svc.Wait(fast, 10*time.Second)
			if len(got) != fast {
				t.Fatalf("only %d fast deliveries arrived", len(got))
			}
			select {
			case <-done:
				t.Fatal("SendAll finished before the fast deliveries were observed: the slow ones did not hang")
			default:
			}
			for _, r := range got {
				if r.At.Sub(start) >= timeout {
					t.Errorf("fast delivery arrived after %v, only once a slow request timed out", r.At.Sub(start))
				}
			}

			results := <-done
			for i, res := range results {
				if i < tc.slow {
					var te *push.TransportError
					if res.Delivered() || res.Gone || !errors.As(res.Err, &te) || !te.Timeout() {
						t.Errorf("slow job %d: %+v", i, res)
					}
				} else if !res.Delivered() {
					t.Errorf("fast job %d: %+v", i, res)
				}
			}
		})
	}
}

func TestSendAllOrderAndStats(t *testing.T) {
	f := newFixture(t, nil)
	gone := f.subscribe()
	f.svc.Behave(gone.Endpoint, pushtest.Behavior{Status: 410})
	tip := reminder
	tip.Kind = "tip"
	jobs := []push.Job{
		{Sub: f.subscribe(), Msg: reminder},
		{Sub: gone, Msg: reminder},
		{Sub: f.subscribe(), Msg: tip},
		{Sub: push.Subscription{Endpoint: "https://evil.invalid/x"}, Msg: reminder},
	}
	results := f.sender.SendAll(context.Background(), jobs)
	if len(results) != 4 || !results[0].Delivered() || !results[1].Gone || !results[2].Delivered() ||
		!errors.Is(results[3].Err, push.ErrEndpointNotAllowed) {
		t.Fatalf("results %+v", results)
	}
	want := map[string]int64{"2xx": 2, "4xx": 1, "kind:hydration": 3, "kind:tip": 1, "delivered": 2, "gone": 1, "failed": 1}
	got := f.sender.Stats()
	for k, v := range want {
		if got[k] != v {
			t.Errorf("stats[%q] = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
}

// One message to many subscriptions at once: each send pads its own copy.
func TestSendAllSameMessageConcurrently(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.Workers = 16 })
	var jobs []push.Job
	subs := []push.Subscription{f.subscribe(), f.subscribe(), f.subscribe()}
	for i := range 60 {
		jobs = append(jobs, push.Job{Sub: subs[i%len(subs)], Msg: reminder})
	}
	for i, res := range f.sender.SendAll(context.Background(), jobs) {
		if !res.Delivered() {
			t.Fatalf("job %d: %+v", i, res)
		}
	}
	want, _ := reminder.Payload()
	for _, r := range f.svc.Received() {
		if !bytes.Equal(r.Payload, want) {
			t.Fatalf("payload %q", r.Payload)
		}
	}
}

// Separate sends (each alert is its own SendAll) share one bound per push
// service host: 40 sends at once into a slow service keep at most MaxPerHost
// requests and connections open, another service is not held up by them,
// and waiting for a slot does not count against the HTTP timeout.
func TestSendsShareThePerHostBound(t *testing.T) {
	const perHost = 4
	keys := mustKeys(t)
	slow, fast := pushtest.New(t, keys.Public), pushtest.New(t, keys.Public)
	allow, _ := push.NewAllowlist([]string{slow.URL + "/", fast.URL + "/"})
	// A 1 s HTTP timeout, while the last sends queue for 3 s.
	s, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow, MaxPerHost: perHost, MaxAttempts: 1,
		HTTPClient: &http.Client{Timeout: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	ep, p256dh, auth := slow.NewSubscription()
	slow.Behave(ep, pushtest.Behavior{Delay: 300 * time.Millisecond})
	sub := push.Subscription{Endpoint: ep, P256dh: p256dh, Auth: auth}
	const sends = 40 // 40 × 300 ms / 4 = 3 s of queueing
	results := make(chan push.Result, sends)
	for range sends {
		go func() { results <- s.SendAll(context.Background(), []push.Job{{Sub: sub, Msg: reminder}})[0] }()
	}
	time.Sleep(100 * time.Millisecond)
	fep, fp, fa := fast.NewSubscription()
	start := time.Now()
	if r := s.Send(context.Background(), push.Subscription{Endpoint: fep, P256dh: fp, Auth: fa}, reminder); !r.Delivered() {
		t.Fatalf("other service: %+v", r)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("another push service waited %v behind the slow one", d)
	}
	for range sends {
		if r := <-results; !r.Delivered() {
			t.Errorf("queued send: %+v", r)
		}
	}
	// Requests in flight are the bound; the service may still count a connection
	// the client has already given up while its replacement opens.
	if c, f := slow.MaxConns(), slow.MaxInFlight(); c > 2*perHost || f > perHost {
		t.Errorf("peak %d connections, %d requests in flight; want at most %d in flight", c, f, perHost)
	}
	if n := slow.Requests(); n != sends {
		t.Errorf("%d requests for %d sends", n, sends)
	}
}
