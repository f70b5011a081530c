package push_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
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
