package remind

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// partialSetup is a stretch-only plan with two loopback devices A and B,
// scheduled at 10:05 on 2026-11-26 (the stretch fires at 19:00, grace 3 h).
func partialSetup(t *testing.T) (db *store.DB, s *Scheduler, clk *fakeclock.Clock, svc *pushtest.Service, p model.Plan, epA, epB string) {
	t.Helper()
	db = storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk = fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s = New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})
	p = stretchOnly(t, model.NewToken())
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	epA, kA, aA := svc.NewSubscription()
	epB, kB, aB := svc.NewSubscription()
	addDevice(t, db, p.Token, epA, kA, aA)
	addDevice(t, db, p.Token, epB, kB, aB)
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	return db, s, clk, svc, p, epA, epB
}

func receivedBy(svc *pushtest.Service, ep string) []pushtest.Received {
	var out []pushtest.Received
	for _, r := range svc.Received() {
		if r.Endpoint == ep {
			out = append(out, r)
		}
	}
	return out
}

func countRetries(t *testing.T, db *store.DB) int {
	t.Helper()
	n, err := db.CountRetries()
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPartialFailureRetriesFailedDevice: A accepts the 19:00 stretch reminder,
// B's push service fails it (500 through all of the sender's attempts). The
// reminder counts as sent; B alone gets it on the next minute's tick, once,
// and A gets nothing more.
func TestPartialFailureRetriesFailedDevice(t *testing.T) {
	db, s, clk, svc, p, epA, epB := partialSetup(t)
	svc.Behave(epB, pushtest.Behavior{Status: 500, Times: push.DefaultMaxAttempts})

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	st := tick(t, s)
	if st.Sent != 1 || st.Delivered != 1 || st.Failed != 1 || st.Retrying != 0 || st.Requeued != 1 {
		t.Fatalf("19:00: %+v", st)
	}
	if len(receivedBy(svc, epA)) != 1 || len(receivedBy(svc, epB)) != 0 {
		t.Fatalf("19:00 received %+v", svc.Received())
	}
	if n := countRetries(t, db); n != 1 {
		t.Fatalf("%d retry entries after 19:00, want 1", n)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-26T19:00" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("the reminder must count as sent: %+v", rs)
	}

	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	st = tick(t, s)
	if st.Due != 0 || st.Retries != 1 || st.RetriesDelivered != 1 || st.Pushes != 1 || st.Delivered != 1 {
		t.Fatalf("19:01: %+v", st)
	}
	gotB := receivedBy(svc, epB)
	if len(gotB) != 1 || len(receivedBy(svc, epA)) != 1 {
		t.Fatalf("19:01 received %+v", svc.Received())
	}
	a, b := decode(t, receivedBy(svc, epA)[0]), decode(t, gotB[0])
	if b != a || b.Kind != model.KindStretch || b.URL != "/p/"+p.Token+"#/play" {
		t.Fatalf("retried payload %+v, original %+v", b, a)
	}
	if r := gotB[0]; r.TTL != 6*3600 || r.Urgency != "high" || r.Topic != Topic(p.Token, model.KindStretch) {
		t.Fatalf("retried headers TTL %d urgency %q topic %q", r.TTL, r.Urgency, r.Topic)
	}
	if n := countRetries(t, db); n != 0 {
		t.Fatalf("%d retry entries after delivery", n)
	}

	// The rest of the evening: nothing more to anyone.
	requests := svc.Requests()
	for at := berlin(t, 2026, 11, 26, 19, 2); at.Before(berlin(t, 2026, 11, 26, 23, 0)); at = at.Add(time.Minute) {
		clk.Set(at)
		tick(t, s)
	}
	if svc.Requests() != requests || len(svc.Received()) != 2 {
		t.Fatalf("pushes after the retry: %d requests, %d received", svc.Requests()-requests, len(svc.Received()))
	}
}

// TestPartialFailureBackoffWithinGrace: a device that keeps failing is tried
// again with growing waits, never after the kind's grace, and its entry is
// gone after that.
func TestPartialFailureBackoffWithinGrace(t *testing.T) {
	db, s, clk, svc, _, epA, epB := partialSetup(t)
	svc.Behave(epB, pushtest.Behavior{Status: 503})
	var tries []time.Time
	for at := berlin(t, 2026, 11, 26, 19, 0); at.Before(berlin(t, 2026, 11, 26, 23, 0)); at = at.Add(time.Minute) {
		clk.Set(at)
		if st := tick(t, s); st.Retries > 0 {
			tries = append(tries, at)
		}
	}
	if len(tries) < 3 || !tries[0].Equal(berlin(t, 2026, 11, 26, 19, 1)) || !tries[1].Equal(berlin(t, 2026, 11, 26, 19, 3)) {
		t.Fatalf("retries at %v", tries)
	}
	if last := tries[len(tries)-1]; last.After(berlin(t, 2026, 11, 26, 22, 0)) {
		t.Fatalf("retried at %v, past the 3 h grace", last)
	}
	if len(receivedBy(svc, epA)) != 1 || len(receivedBy(svc, epB)) != 0 {
		t.Fatalf("received %+v", svc.Received())
	}
	if n := countRetries(t, db); n != 0 {
		t.Fatalf("%d retry entries left after the grace", n)
	}
}

// TestPartialFailurePastGraceDropped: a retry found after the kind's grace
// (the server was down) is dropped without a push.
func TestPartialFailurePastGraceDropped(t *testing.T) {
	db, s, clk, svc, _, epA, epB := partialSetup(t)
	svc.Behave(epB, pushtest.Behavior{Status: 500, Times: push.DefaultMaxAttempts})
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Requeued != 1 {
		t.Fatalf("19:00: %+v", st)
	}
	requests := svc.Requests()
	clk.Set(berlin(t, 2026, 11, 26, 22, 1)) // 3 h 1 min after the firing
	st := tick(t, s)
	if st.Retries != 1 || st.RetriesDropped != 1 || st.Pushes != 0 {
		t.Fatalf("22:01: %+v", st)
	}
	if svc.Requests() != requests || len(receivedBy(svc, epB)) != 0 || len(receivedBy(svc, epA)) != 1 {
		t.Fatalf("past grace: %d requests, received %+v", svc.Requests()-requests, svc.Received())
	}
	if n := countRetries(t, db); n != 0 {
		t.Fatalf("%d retry entries left", n)
	}
}

// TestPartialFailureErasedPlan: erasing the plan removes its retries; the
// next tick sends nothing.
func TestPartialFailureErasedPlan(t *testing.T) {
	db, s, clk, svc, p, _, epB := partialSetup(t)
	svc.Behave(epB, pushtest.Behavior{Status: 500, Times: push.DefaultMaxAttempts})
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Requeued != 1 {
		t.Fatalf("19:00: %+v", st)
	}
	if n := countRetries(t, db); n != 1 {
		t.Fatalf("%d retry entries, want 1", n)
	}
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	if n := countRetries(t, db); n != 0 {
		t.Fatalf("%d retry entries after erasing the plan", n)
	}
	requests := svc.Requests()
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	if st := tick(t, s); st.Retries != 0 || st.Pushes != 0 {
		t.Fatalf("19:01: %+v", st)
	}
	if svc.Requests() != requests {
		t.Fatal("erased plan got a push")
	}
}

// TestPartialFailureDeviceUnsubscribed: a device removed before its retry
// is not pushed to; its entry goes.
func TestPartialFailureDeviceUnsubscribed(t *testing.T) {
	db, s, clk, svc, p, _, epB := partialSetup(t)
	svc.Behave(epB, pushtest.Behavior{Status: 500, Times: push.DefaultMaxAttempts})
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	tick(t, s)
	if err := db.DeleteSubscription(p.Token, epB); err != nil {
		t.Fatal(err)
	}
	requests := svc.Requests()
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	if st := tick(t, s); st.Retries != 1 || st.RetriesDropped != 1 || st.Pushes != 0 {
		t.Fatalf("19:01: %+v", st)
	}
	if svc.Requests() != requests || countRetries(t, db) != 0 {
		t.Fatalf("unsubscribed device: %d requests, %d entries", svc.Requests()-requests, countRetries(t, db))
	}
}
