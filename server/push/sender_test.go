package push_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// fixture is a sender wired to a loopback push service, with sleeps recorded instead of slept.
type fixture struct {
	svc    *pushtest.Service
	sender *push.Sender
	keys   push.Keys

	mu     sync.Mutex
	sleeps []time.Duration
	logs   bytes.Buffer
}

func newFixture(t *testing.T, edit func(*push.Config)) *fixture {
	t.Helper()
	keys := mustKeys(t)
	f := &fixture{svc: pushtest.New(t, keys.Public), keys: keys}
	allow, err := push.NewAllowlist([]string{f.svc.URL + "/"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := push.Config{
		Keys:    keys,
		Subject: "mailto:ops@example.org",
		Allow:   allow,
		Sleep: func(ctx context.Context, d time.Duration) error {
			f.mu.Lock()
			f.sleeps = append(f.sleeps, d)
			f.mu.Unlock()
			return ctx.Err()
		},
		Logger: slog.New(slog.NewTextHandler(&lockedWriter{w: &f.logs, mu: &f.mu}, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	if edit != nil {
		edit(&cfg)
	}
	f.sender, err = push.NewSender(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) subscribe() push.Subscription {
	endpoint, p256dh, auth := f.svc.NewSubscription()
	return push.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
}

func (f *fixture) recordedSleeps() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

type lockedWriter struct {
	mu *sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func mustKeys(t testing.TB) push.Keys {
	t.Helper()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return push.Keys{Public: pub, Private: priv}
}

var reminder = push.Message{
	Kind:    "hydration",
	Title:   "Time to drink <water>",
	Body:    "A glass now & then helps healing — 💧",
	URL:     "/p/abc123?from=push",
	Tag:     "hydration-2026-10-01",
	Topic:   "hydration",
	TTL:     8 * time.Hour,
	Urgency: "high",
}

func TestSendDelivers(t *testing.T) {
	f := newFixture(t, nil)
	sub := f.subscribe()
	res := f.sender.Send(context.Background(), sub, reminder)
	if !res.Delivered() || res.Status != http.StatusCreated || res.Attempts != 1 || res.Gone {
		t.Fatalf("result %+v, refusals %v", res, f.svc.Refusals())
	}
	got := f.svc.Wait(1, time.Second)
	if len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
	r := got[0]
	var p struct{ Title, Body, URL, Kind, Tag string }
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		t.Fatalf("payload %q: %v", r.Payload, err)
	}
	if p.Title != reminder.Title || p.Body != reminder.Body || p.URL != reminder.URL || p.Kind != reminder.Kind || p.Tag != reminder.Tag {
		t.Errorf("payload %+v", p)
	}
	want, _ := reminder.Payload()
	if !bytes.Equal(r.Payload, want) {
		t.Errorf("payload bytes %q, want %q", r.Payload, want)
	}
	if r.Endpoint != sub.Endpoint || r.TTL != 8*3600 || r.Urgency != "high" || r.Topic != "hydration" {
		t.Errorf("headers: endpoint ok=%v TTL %d Urgency %q Topic %q", r.Endpoint == sub.Endpoint, r.TTL, r.Urgency, r.Topic)
	}
	// A reminder is padded to the smallest record size (TestSendPadsToFixedSizes).
	if r.BodySize != res.Bytes || res.Bytes != 512 {
		t.Errorf("body %d bytes, result says %d, want 512", r.BodySize, res.Bytes)
	}
}

func TestSendLargestPayloadFitsIn3KB(t *testing.T) {
	f := newFixture(t, nil)
	msg := reminder
	msg.Body = ""
	base, err := msg.Payload()
	if err != nil {
		t.Fatal(err)
	}
	msg.Body = strings.Repeat("x", push.MaxPayload-len(base))
	if p, _ := msg.Payload(); len(p) != push.MaxPayload {
		t.Fatalf("payload %d bytes, want %d", len(p), push.MaxPayload)
	}
	res := f.sender.Send(context.Background(), f.subscribe(), msg)
	if !res.Delivered() {
		t.Fatalf("result %+v", res)
	}
	got := f.svc.Wait(1, time.Second)
	if res.Bytes > 3072 || got[0].BodySize > 3072 {
		t.Errorf("encrypted body %d bytes (service saw %d), want <= 3072", res.Bytes, got[0].BodySize)
	}
	if len(got[0].Payload) != push.MaxPayload {
		t.Errorf("decrypted %d bytes", len(got[0].Payload))
	}

	msg.Body += "x"
	res = f.sender.Send(context.Background(), f.subscribe(), msg)
	if !errors.Is(res.Err, push.ErrPayloadTooLarge) || res.Attempts != 0 {
		t.Errorf("oversized payload: %+v", res)
	}
	if f.svc.Requests() != 1 {
		t.Errorf("oversized payload reached the service")
	}
}

func TestSendStatuses(t *testing.T) {
	// Near real time: the push service checks the VAPID JWT against its own clock.
	now := time.Now().Truncate(time.Second)
	tests := []struct {
		name          string
		behave        pushtest.Behavior
		wantStatus    int
		wantGone      bool
		wantDelivered bool
		wantAttempts  int
		wantSleeps    []time.Duration // nil: only the count (wantAttempts-1) is checked
		wantRetryHint time.Duration
	}{
		{"410 gone", pushtest.Behavior{Status: 410}, 410, true, false, 1, nil, 0},
		{"404 gone", pushtest.Behavior{Status: 404}, 404, true, false, 1, nil, 0},
		{"413 no retry", pushtest.Behavior{Status: 413}, 413, false, false, 1, nil, 0},
		{"400 no retry", pushtest.Behavior{Status: 400}, 400, false, false, 1, nil, 0},
		{"403 no retry", pushtest.Behavior{Status: 403}, 403, false, false, 1, nil, 0},
		{"429 Retry-After seconds", pushtest.Behavior{Status: 429, Times: 1, RetryAfter: "2"}, 201, false, true, 2, []time.Duration{2 * time.Second}, 2 * time.Second},
		{"429 Retry-After date", pushtest.Behavior{Status: 429, Times: 1, RetryAfter: now.Add(3 * time.Second).Format(http.TimeFormat)}, 201, false, true, 2, []time.Duration{3 * time.Second}, 3 * time.Second},
		{"429 without Retry-After", pushtest.Behavior{Status: 429, Times: 1}, 201, false, true, 2, nil, 0},
		{"429 Retry-After too long", pushtest.Behavior{Status: 429, RetryAfter: "3600"}, 429, false, false, 1, nil, time.Hour},
		{"429 forever", pushtest.Behavior{Status: 429, RetryAfter: "1"}, 429, false, false, 4, []time.Duration{time.Second, time.Second, time.Second}, time.Second},
		{"500 twice", pushtest.Behavior{Status: 500, Times: 2}, 201, false, true, 3, nil, 0},
		{"500 forever", pushtest.Behavior{Status: 500}, 500, false, false, 4, nil, 0},
		{"503 with Retry-After", pushtest.Behavior{Status: 503, Times: 1, RetryAfter: "5"}, 201, false, true, 2, []time.Duration{5 * time.Second}, 5 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, func(c *push.Config) { c.Now = func() time.Time { return now } })
			sub := f.subscribe()
			f.svc.Behave(sub.Endpoint, tc.behave)
			res := f.sender.Send(context.Background(), sub, reminder)
			if res.Status != tc.wantStatus || res.Gone != tc.wantGone || res.Delivered() != tc.wantDelivered || res.Attempts != tc.wantAttempts {
				t.Fatalf("result %+v (delivered %v), want status %d gone %v delivered %v attempts %d",
					res, res.Delivered(), tc.wantStatus, tc.wantGone, tc.wantDelivered, tc.wantAttempts)
			}
			if f.svc.Requests() != tc.wantAttempts {
				t.Errorf("service saw %d requests, want %d", f.svc.Requests(), tc.wantAttempts)
			}
			if res.RetryAfter != tc.wantRetryHint {
				t.Errorf("RetryAfter %v, want %v", res.RetryAfter, tc.wantRetryHint)
			}
			sleeps := f.recordedSleeps()
			if len(sleeps) != tc.wantAttempts-1 {
				t.Errorf("slept %v, want %d sleeps", sleeps, tc.wantAttempts-1)
			}
			if tc.wantSleeps != nil && !equalDurations(sleeps, tc.wantSleeps) {
				t.Errorf("slept %v, want %v", sleeps, tc.wantSleeps)
			}
			for i, d := range sleeps {
				if tc.wantSleeps == nil && (d < 500*time.Millisecond<<i || d > time.Second<<i) {
					t.Errorf("backoff %d = %v, want within [%v, %v]", i+1, d, 500*time.Millisecond<<i, time.Second<<i)
				}
			}
			var se *push.StatusError
			if !tc.wantDelivered && (!errors.As(res.Err, &se) || se.Status != tc.wantStatus) {
				t.Errorf("Err %v, want StatusError %d", res.Err, tc.wantStatus)
			}
			if tc.wantDelivered {
				if got := f.svc.Wait(1, time.Second); len(got) != 1 {
					t.Errorf("received %d deliveries", len(got))
				}
			}
		})
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSendRetriesTimeout(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.HTTPClient = &http.Client{Timeout: 200 * time.Millisecond} })
	sub := f.subscribe()
	f.svc.Behave(sub.Endpoint, pushtest.Behavior{Delay: 5 * time.Second, Times: 1})
	res := f.sender.Send(context.Background(), sub, reminder)
	if !res.Delivered() || res.Attempts != 2 {
		t.Fatalf("result %+v", res)
	}
	if s := f.sender.Stats(); s["error"] != 1 || s["2xx"] != 1 {
		t.Errorf("stats %v", s)
	}
}

func TestSendTimeoutError(t *testing.T) {
	f := newFixture(t, func(c *push.Config) {
		c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond}
		c.MaxAttempts = 2
	})
	sub := f.subscribe()
	f.svc.Behave(sub.Endpoint, pushtest.Behavior{Delay: 5 * time.Second})
	res := f.sender.Send(context.Background(), sub, reminder)
	var te *push.TransportError
	if res.Delivered() || res.Gone || res.Attempts != 2 || !errors.As(res.Err, &te) || !te.Timeout() {
		t.Fatalf("result %+v", res)
	}
	if strings.Contains(res.Err.Error(), "/push/") {
		t.Errorf("error quotes the endpoint: %v", res.Err)
	}
}

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

func TestSendSubject(t *testing.T) {
	for _, tc := range []struct{ subject, want string }{
		{"mailto:ops@example.org", "mailto:ops@example.org"},
		{"ops@example.org", "mailto:ops@example.org"},
		{"https://aftercare.example.org/contact", "https://aftercare.example.org/contact"},
	} {
		f := newFixture(t, func(c *push.Config) { c.Subject = tc.subject })
		if res := f.sender.Send(context.Background(), f.subscribe(), reminder); !res.Delivered() {
			t.Fatalf("subject %q: %+v, refusals %v", tc.subject, res, f.svc.Refusals())
		}
		if got := f.svc.Wait(1, time.Second); got[0].Subject != tc.want {
			t.Errorf("subject %q arrived as %q, want %q", tc.subject, got[0].Subject, tc.want)
		}
	}
}

func TestSendTopicAndTTL(t *testing.T) {
	f := newFixture(t, nil)
	long := "plan-7f3c2a91-4b5e-4d2a-9c1b-2f8e6a0d4c3b/hydration"
	tests := []struct {
		topic string
		ttl   time.Duration
		want  string // "" = hashed
		ttlS  int
	}{
		{"hydration", 0, "hydration", 60},
		{"stretch_am-1", time.Second, "stretch_am-1", 60},
		{long, 24 * time.Hour, "", 86400},
		{"has space", 100 * 24 * time.Hour, "", 28 * 86400},
		{"", 12 * time.Hour, "-", 43200}, // "-": no Topic header
	}
	for i, tc := range tests {
		msg := reminder
		msg.Topic, msg.TTL = tc.topic, tc.ttl
		if res := f.sender.Send(context.Background(), f.subscribe(), msg); !res.Delivered() {
			t.Fatalf("topic %q: %+v, refusals %v", tc.topic, res, f.svc.Refusals())
		}
		r := f.svc.Wait(i+1, time.Second)[i]
		switch tc.want {
		case "":
			if r.Topic != push.NormalizeTopic(tc.topic) || len(r.Topic) != 32 || strings.Trim(r.Topic, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != "" {
				t.Errorf("topic %q arrived as %q", tc.topic, r.Topic)
			}
		case "-":
			if r.Topic != "" {
				t.Errorf("empty topic arrived as %q", r.Topic)
			}
		default:
			if r.Topic != tc.want {
				t.Errorf("topic %q arrived as %q", tc.topic, r.Topic)
			}
		}
		if r.TTL != tc.ttlS {
			t.Errorf("TTL %v arrived as %d, want %d", tc.ttl, r.TTL, tc.ttlS)
		}
	}
	if first, again := push.NormalizeTopic(long), push.NormalizeTopic(strings.Clone(long)); first != again || first == push.NormalizeTopic(long+"x") {
		t.Error("topic hash not stable or not distinct")
	}
}

func TestSendRefusesBeforeAnyRequest(t *testing.T) {
	f := newFixture(t, nil)
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	badUrgency := reminder
	badUrgency.Urgency = "urgent"
	otherAllow, _ := push.NewAllowlist(nil)
	strict, err := push.NewSender(push.Config{Keys: f.keys, Subject: "ops@example.org", Allow: otherAllow})
	if err != nil {
		t.Fatal(err)
	}
	sub := f.subscribe()
	badKey := sub
	badKey.P256dh = "AAAA"

	for _, tc := range []struct {
		name string
		res  push.Result
		is   error
	}{
		{"canceled context", f.sender.Send(canceled, sub, reminder), context.Canceled},
		{"endpoint no longer allowed", strict.Send(context.Background(), sub, reminder), push.ErrEndpointNotAllowed},
		{"bad urgency", f.sender.Send(context.Background(), sub, badUrgency), nil},
		{"bad p256dh", f.sender.Send(context.Background(), badKey, reminder), nil},
	} {
		if tc.res.Err == nil || tc.res.Delivered() || tc.res.Gone || tc.res.Attempts != 0 || (tc.is != nil && !errors.Is(tc.res.Err, tc.is)) {
			t.Errorf("%s: %+v", tc.name, tc.res)
		}
	}
	if n := f.svc.Requests(); n != 0 {
		t.Errorf("service saw %d requests", n)
	}
}

func TestSendNeverFollowsRedirects(t *testing.T) {
	var followed atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		followed.Add(1)
		w.WriteHeader(http.StatusCreated)
	}))
	defer target.Close()
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/x", http.StatusTemporaryRedirect)
	}))
	defer redirector.Close()

	keys := mustKeys(t)
	probe := pushtest.New(t, keys.Public) // only for a valid browser key pair
	_, p256dh, auth := probe.NewSubscription()
	sub := push.Subscription{Endpoint: redirector.URL + "/push/1", P256dh: p256dh, Auth: auth}
	allow, _ := push.NewAllowlist([]string{redirector.URL + "/", target.URL + "/"})
	for _, client := range []*http.Client{nil, {Timeout: time.Second}} {
		s, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow, HTTPClient: client})
		if err != nil {
			t.Fatal(err)
		}
		res := s.Send(context.Background(), sub, reminder)
		if res.Status != http.StatusTemporaryRedirect || res.Delivered() || res.Attempts != 1 {
			t.Errorf("client %v: %+v", client, res)
		}
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("redirect followed %d times", n)
	}
}

// The default client (HTTPClient nil) connects to loopback only where an
// extra allowlist prefix names that host and port.
func TestDefaultClientDelivers(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.HTTPClient = nil })
	if res := f.sender.Send(context.Background(), f.subscribe(), reminder); !res.Delivered() {
		t.Fatalf("%+v, refusals %v", res, f.svc.Refusals())
	}
}

func TestLogsNeverContainEndpoint(t *testing.T) {
	f := newFixture(t, func(c *push.Config) { c.HTTPClient = &http.Client{Timeout: 100 * time.Millisecond} })
	for _, b := range []pushtest.Behavior{{}, {Status: 410}, {Status: 413}, {Status: 500}, {Status: 429, RetryAfter: "7200"}, {Delay: time.Second}} {
		sub := f.subscribe()
		f.svc.Behave(sub.Endpoint, b)
		f.sender.Send(context.Background(), sub, reminder)
	}
	f.mu.Lock()
	logs := f.logs.String()
	f.mu.Unlock()
	if logs == "" || strings.Contains(logs, "/push/") {
		t.Errorf("logs quote an endpoint or are empty:\n%s", logs)
	}
}

func TestNewSenderValidatesConfig(t *testing.T) {
	keys, other := mustKeys(t), mustKeys(t)
	tests := []struct {
		name string
		cfg  push.Config
		ok   bool
	}{
		{"valid", push.Config{Keys: keys, Subject: "ops@example.org"}, true},
		{"https subject", push.Config{Keys: keys, Subject: "https://aftercare.example.org"}, true},
		{"no keys", push.Config{Subject: "ops@example.org"}, false},
		{"mismatched keys", push.Config{Keys: push.Keys{Public: keys.Public, Private: other.Private}, Subject: "ops@example.org"}, false},
		{"no subject", push.Config{Keys: keys}, false},
		{"double mailto", push.Config{Keys: keys, Subject: "mailto:mailto:ops@example.org"}, false},
		{"localhost subject", push.Config{Keys: keys, Subject: "ops@localhost"}, false},
		{"invalid domain", push.Config{Keys: keys, Subject: "mailto:ops@aftercare.invalid"}, false},
		{"not an address", push.Config{Keys: keys, Subject: "ops"}, false},
		{"record size too small", push.Config{Keys: keys, Subject: "ops@example.org", RecordSize: 1024}, false},
		{"record size too large", push.Config{Keys: keys, Subject: "ops@example.org", RecordSize: 8192}, false},
	}
	for _, tc := range tests {
		_, err := push.NewSender(tc.cfg)
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok=%v", tc.name, err, tc.ok)
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
