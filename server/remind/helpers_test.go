package remind

import (
	"bytes"
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
)

const testBaseURL = "https://care.example.org"

// recorder is a Sender that accepts every push and remembers it.
type recorder struct {
	mu   sync.Mutex
	jobs []push.Job
}

func (r *recorder) SendAll(_ context.Context, jobs []push.Job) []push.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, jobs...)
	out := make([]push.Result, len(jobs))
	for i := range out {
		out[i] = push.Result{Status: 201, Attempts: 1}
	}
	return out
}

func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, j := range r.jobs {
		out = append(out, j.Msg.Kind)
	}
	return out
}

// loopbackSender is the real push.Sender aimed at a pushtest service on 127.0.0.1.
func loopbackSender(tb testing.TB) (*push.Sender, *pushtest.Service) {
	tb.Helper()
	return pushtest.NewSender(tb, func(c *push.Config) { c.Sleep = func(context.Context, time.Duration) error { return nil } })
}

func addDevice(tb testing.TB, db *store.DB, owner, endpoint, p256dh, auth string) {
	tb.Helper()
	if _, err := db.PutSubscription(owner, model.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth, LastSeen: time.Now()}); err != nil {
		tb.Fatal(err)
	}
}

type payload struct {
	Title, Body, URL, Kind, Tag string
}

func decode(tb testing.TB, r pushtest.Received) payload {
	tb.Helper()
	var p payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		tb.Fatalf("payload %s: %v", r.Payload, err)
	}
	return p
}

func tick(tb testing.TB, s *Scheduler) TickStats {
	tb.Helper()
	st, err := s.Tick(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func berlin(tb testing.TB, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, mustLoc(tb, "Europe/Berlin"))
}

// stretchOnly is testPlan with only the stretch reminder on.
func stretchOnly(tb testing.TB, token string) model.Plan {
	p := testPlan(tb, token)
	p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
	return p
}

// nightStretchPrefs sends the stretch reminder alone, with no quiet hours:
// for stretch times in the night (DST transitions happen at 01:00–03:00).
func nightStretchPrefs() model.Prefs {
	return model.Prefs{QuietStart: "00:00", QuietEnd: "00:00", Disabled: []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}}
}

func stretchState(tb testing.TB, db *store.DB, token string) store.RuleState {
	tb.Helper()
	states, err := db.RuleStates(token)
	if err != nil || len(states) != 1 {
		tb.Fatalf("rule states %+v, %v", states, err)
	}
	return states[0]
}

type senderFunc func([]push.Job) []push.Result

func (f senderFunc) SendAll(_ context.Context, jobs []push.Job) []push.Result { return f(jobs) }

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }
