package remind

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestPushServiceOutage: while the push service answers 503, due reminders are
// tried each minute and not counted as sent; once it is back, each goes out
// once if it is still within its kind's grace, and is skipped (not sent hours
// late) otherwise. Nothing is lost, nothing doubled.
func TestPushServiceOutage(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})
	p := testPlan(t, model.NewToken())
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, p.Token, ep, k, a)
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	kinds := func() []string {
		var out []string
		for _, r := range svc.Received() {
			out = append(out, decode(t, r).Kind)
		}
		return out
	}
	// every ticks once a minute over [from, to).
	every := func(from, to time.Time) {
		for at := from; at.Before(to); at = at.Add(time.Minute) {
			clk.Set(at)
			tick(t, s)
		}
	}

	// 11:50–13:30 down: the 12:00 hydration and 13:00 tip reminders fail at every tick.
	svc.Behave(ep, pushtest.Behavior{Status: 503})
	every(berlin(t, 2026, 11, 26, 11, 50), berlin(t, 2026, 11, 26, 13, 30))
	if got := kinds(); len(got) != 0 {
		t.Fatalf("delivered %v while the push service was down", got)
	}
	if n := svc.Requests(); n < 90*push.DefaultMaxAttempts {
		t.Fatalf("only %d requests during the outage: failed reminders were not retried each minute", n)
	}
	// Back at 13:30: the hydration reminder is 1.5 h late (grace 2 h), the tip 0.5 h (grace 2 h).
	svc.Behave(ep, pushtest.Behavior{})
	clk.Set(berlin(t, 2026, 11, 26, 13, 30))
	if st := tick(t, s); st.Sent != 2 || st.Delivered != 2 {
		t.Fatalf("13:30, service back: %+v", st)
	}
	every(berlin(t, 2026, 11, 26, 13, 31), berlin(t, 2026, 11, 26, 18, 0))
	if got := kinds(); len(got) != 2 || got[0] == got[1] || !oneOf(got, model.KindHydration) || !oneOf(got, model.KindTip) {
		t.Fatalf("after the first outage: %v, want hydration and tip once each", got)
	}

	// 18:00–22:30 down: the 19:00 stretch reminder is 3.5 h late when the service
	// returns, beyond its 3 h grace: skipped, not sent at bedtime.
	svc.Behave(ep, pushtest.Behavior{Status: 503})
	every(berlin(t, 2026, 11, 26, 18, 0), berlin(t, 2026, 11, 26, 22, 30))
	svc.Behave(ep, pushtest.Behavior{})
	every(berlin(t, 2026, 11, 26, 22, 30), berlin(t, 2026, 11, 26, 23, 0))
	if got := kinds(); len(got) != 2 {
		t.Fatalf("after the second outage: %v, want nothing new", got)
	}
	if rs := ruleState(t, s, p.Token, "stretch-daily"); rs.LastSentLocal != "" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("stretch after a skipped reminder: %+v", rs)
	}

	// A blip: six 503s span two ticks (four attempts each); the second tick delivers.
	svc.Behave(ep, pushtest.Behavior{Status: 503, Times: 6})
	clk.Set(berlin(t, 2026, 11, 27, 10, 0))
	if st := tick(t, s); st.Delivered != 0 || st.Failed != 1 {
		t.Fatalf("10:00 blip: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 27, 10, 1))
	if st := tick(t, s); st.Delivered != 1 {
		t.Fatalf("10:01 after the blip: %+v", st)
	}
	every(berlin(t, 2026, 11, 27, 10, 2), berlin(t, 2026, 11, 27, 11, 0))
	got := kinds()
	if len(got) != 3 || got[2] != model.KindCheckIn {
		t.Fatalf("after the blip: %v, want the check-in reminder once", got)
	}
}

func oneOf(list []string, v string) bool {
	n := 0
	for _, s := range list {
		if s == v {
			n++
		}
	}
	return n == 1
}

func ruleState(t *testing.T, s *Scheduler, token, id string) (out struct{ LastSentLocal, NextLocal string }) {
	t.Helper()
	states, err := s.db.RuleStates(token)
	if err != nil {
		t.Fatal(err)
	}
	for _, rs := range states {
		if rs.RuleID == id {
			out.LastSentLocal, out.NextLocal = rs.LastSentLocal, rs.NextLocal
			return out
		}
	}
	t.Fatalf("no rule %s in %+v", id, states)
	return out
}
