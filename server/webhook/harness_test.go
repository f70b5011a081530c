package webhook_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
	"github.com/aftercare/aftercare/server/webhook"
)

// delivery is one request the receiver saw.
type delivery struct {
	ID, Timestamp, Signature string
	Body                     []byte
	At                       time.Time
}

func (d delivery) envelope(t *testing.T) (typ string, data map[string]any) {
	t.Helper()
	var env struct {
		Type string         `json:"type"`
		Data map[string]any `json:"data"`
	}
	if err := json.Unmarshal(d.Body, &env); err != nil {
		t.Fatalf("body %q: %v", d.Body, err)
	}
	return env.Type, env.Data
}

// receiver is a loopback webhook receiver answering each request with the
// next status of its script (then 204), and keeping what it got.
type receiver struct {
	srv *httptest.Server
	mu  sync.Mutex
	got []delivery
	// answer picks the status (and Retry-After) of request n (0-based).
	answer  func(n int) (status int, retryAfter string)
	arrived chan struct{}
}

func newReceiver(t *testing.T, answer func(n int) (int, string)) *receiver {
	t.Helper()
	r := &receiver{answer: answer, arrived: make(chan struct{}, 100)}
	if r.answer == nil {
		r.answer = func(int) (int, string) { return http.StatusNoContent, "" }
	}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, delivery{ID: req.Header.Get("webhook-id"), Timestamp: req.Header.Get("webhook-timestamp"),
			Signature: req.Header.Get("webhook-signature"), Body: body, At: time.Now()})
		r.mu.Unlock()
		status, after := r.answer(n)
		if after != "" {
			w.Header().Set("Retry-After", after)
		}
		w.WriteHeader(status)
		r.arrived <- struct{}{}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *receiver) url() string { return r.srv.URL + "/hooks/aftercare" }

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// waitFor waits until the receiver has seen n requests, or fails the test.
func (r *receiver) waitFor(t *testing.T, n int, within time.Duration) []delivery {
	t.Helper()
	deadline := time.After(within)
	for {
		if got := r.deliveries(); len(got) >= n {
			return got
		}
		select {
		case <-r.arrived:
		case <-deadline:
			t.Fatalf("receiver saw %d requests within %v, want %d", len(r.deliveries()), within, n)
		}
	}
}

// verify checks a delivery's signature exactly as the README tells
// integrators to: strip "whsec_", base64-decode the key, HMAC-SHA256 over
// id "." timestamp "." body, compare in constant time with each "v1,"
// entry of webhook-signature, and refuse timestamps more than 5 minutes off.
func verify(secret string, d delivery, now time.Time) bool {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		return false
	}
	ts, err := strconv.ParseInt(d.Timestamp, 10, 64)
	if err != nil || now.Sub(time.Unix(ts, 0)).Abs() > 5*time.Minute {
		return false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(d.ID + "." + d.Timestamp + "."))
	mac.Write(d.Body)
	want := mac.Sum(nil)
	for _, sig := range strings.Fields(d.Signature) {
		v, b64, ok := strings.Cut(sig, ",")
		if !ok || v != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(b64)
		if err == nil && hmac.Equal(got, want) {
			return true
		}
	}
	return false
}

// fixture is a real database file, a webhook service delivering to a
// loopback receiver allowed by an extra prefix (the -webhook-allow flag),
// and its settings.
type fixture struct {
	t      *testing.T
	dir    string
	db     *store.DB
	svc    *webhook.Service
	rcv    *receiver
	secret string
}

var fastRetries = []time.Duration{40 * time.Millisecond, 40 * time.Millisecond, 40 * time.Millisecond}

func newFixture(t *testing.T, rcv *receiver, in webhook.SettingsInput) *fixture {
	t.Helper()
	f := &fixture{t: t, dir: t.TempDir(), rcv: rcv}
	f.db = storetest.OpenDir(t, f.dir)
	f.svc = f.start(nil)
	if in.URL == nil {
		u := rcv.url()
		in.URL = &u
	}
	v, err := f.svc.Save(in)
	if err != nil {
		t.Fatal(err)
	}
	f.secret = v.Secret
	return f
}

// start builds and starts a service on f.db; it is stopped when the test ends.
func (f *fixture) start(retries []time.Duration) *webhook.Service {
	f.t.Helper()
	allow, err := netguard.ParsePrefixes([]string{f.rcv.srv.URL + "/"})
	if err != nil {
		f.t.Fatal(err)
	}
	if retries == nil {
		retries = fastRetries
	}
	svc, err := webhook.New(webhook.Config{DB: f.db, Allow: allow, Retries: retries})
	if err != nil {
		f.t.Fatal(err)
	}
	svc.Start()
	f.t.Cleanup(svc.Stop)
	return svc
}

var sessionAt = time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)

func samplePlan(token string) model.Plan {
	return model.Plan{Token: token, TherapistID: "th_1", ClientName: "Sam", RoutineID: "gentle-sciatica-aftercare",
		SessionAt: sessionAt, TimeZone: "Europe/Berlin", StretchTime: "19:00", Days: 14,
		Notes: "Focus: left piriformis", Prefs: model.DefaultPrefs(), CreatedAt: sessionAt.Add(time.Hour)}
}

func sampleCheckIn(id string) model.CheckIn {
	at := sessionAt.Add(50 * time.Hour)
	return model.CheckIn{ID: id, At: at, ReceivedAt: at.Add(time.Second), Soreness: 8, Pain: 6,
		Areas: []string{}, Feelings: []string{}, RedFlags: []string{model.RedFlagSaddle}, Note: "it feels different when I wipe"}
}

func ptr[T any](v T) *T { return &v }
