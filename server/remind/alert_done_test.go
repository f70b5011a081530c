package remind

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestEmptyCompletionDoesNotSilenceStretch: a completion with done 0 (the
// routine opened and left) is not the day's stretches done; one with a
// stretch done is.
func TestEmptyCompletionDoesNotSilenceStretch(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := stretchOnly(t, "emptydone")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	complete := func(id string, at time.Time, done int) {
		t.Helper()
		if _, err := db.AddCompletion(p.Token, model.Completion{ID: id, At: at, RoutineID: p.RoutineID, Done: done, Total: 5}); err != nil {
			t.Fatal(err)
		}
	}

	complete("empty-26", berlin(t, 2026, 11, 26, 17, 30), 0)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Sent != 1 || st.Done != 0 {
		t.Fatalf("after an empty completion: %+v", st)
	}

	complete("empty-27", berlin(t, 2026, 11, 27, 8, 0), 0)
	complete("part-27", berlin(t, 2026, 11, 27, 17, 30), 2)
	clk.Set(berlin(t, 2026, 11, 27, 19, 0))
	if st := tick(t, s); st.Sent != 0 || st.Done != 1 {
		t.Fatalf("after two stretches done: %+v", st)
	}

	// A fresh process (nothing cached) decides the same.
	complete("empty-28", berlin(t, 2026, 11, 28, 9, 0), 0)
	s2 := New(Config{DB: db, Sender: rec, Now: clk.Now})
	clk.Set(berlin(t, 2026, 11, 28, 19, 0))
	if st := tick(t, s2); st.Sent != 1 || st.Done != 0 {
		t.Fatalf("28th, empty completion only: %+v", st)
	}
	if n := len(rec.kinds()); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
}

// TestAlertFallsBackToOwner: a red flag on the plan of a disabled (or
// erased) therapist reaches the studio owner's devices instead of nobody's.
func TestAlertFallsBackToOwner(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	s := New(Config{DB: db, Sender: rec, BaseURL: testBaseURL})
	owner, err := db.CreateTherapist(model.Therapist{ID: "owner", Email: "owner@example.org", Name: "Olga", CreatedAt: time.Now()})
	if err != nil || !owner.Owner {
		t.Fatalf("owner %+v, %v", owner, err)
	}
	if _, err := db.CreateTherapist(model.Therapist{ID: "th1", Email: "th1@example.org", Name: "Ana", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	addDevice(t, db, store.TherapistOwner("owner"), "https://fcm.googleapis.com/fcm/send/owner", "k", "a")
	addDevice(t, db, store.TherapistOwner("th1"), "https://fcm.googleapis.com/fcm/send/th1", "k", "a")
	p := testPlan(t, model.NewToken())
	_ = db.CreatePlan(p)
	red := model.CheckIn{ID: "c1", At: p.SessionAt.Add(30 * time.Hour), Soreness: 3, RedFlags: []string{model.RedFlagSaddle}}

	sentTo := func() string {
		t.Helper()
		rec.mu.Lock()
		defer rec.mu.Unlock()
		if len(rec.jobs) != 1 {
			t.Fatalf("%d pushes, want 1", len(rec.jobs))
		}
		ep := rec.jobs[0].Sub.Endpoint
		rec.jobs = nil
		return ep
	}
	if err := s.AlertTherapist(context.Background(), p, red); err != nil {
		t.Fatal(err)
	}
	if ep := sentTo(); ep != "https://fcm.googleapis.com/fcm/send/th1" {
		t.Fatalf("active therapist: sent to %s", ep)
	}
	if _, err := db.UpdateTherapist("th1", func(t *model.Therapist) error { t.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := s.AlertTherapist(context.Background(), p, red); err != nil {
		t.Fatal(err)
	}
	if ep := sentTo(); ep != "https://fcm.googleapis.com/fcm/send/owner" {
		t.Fatalf("disabled therapist: sent to %s", ep)
	}
	p.TherapistID = "erased"
	if err := s.AlertTherapist(context.Background(), p, red); err != nil {
		t.Fatal(err)
	}
	if ep := sentTo(); ep != "https://fcm.googleapis.com/fcm/send/owner" {
		t.Fatalf("missing therapist: sent to %s", ep)
	}
}

// TestAlertAsyncStopWaits: AlertTherapistAsync returns at once; Stop waits
// for the alert in flight instead of cutting it off.
func TestAlertAsyncStopWaits(t *testing.T) {
	db := storetest.Open(t)
	release := make(chan struct{})
	var sent atomic.Int32
	s := New(Config{DB: db, BaseURL: testBaseURL, Sender: senderFunc(func(jobs []push.Job) []push.Result {
		<-release
		sent.Add(int32(len(jobs)))
		out := make([]push.Result, len(jobs))
		for i := range out {
			out[i] = push.Result{Status: 201, Attempts: 1}
		}
		return out
	})})
	if _, err := db.CreateTherapist(model.Therapist{ID: "th1", Email: "th1@example.org", Name: "Ana", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	addDevice(t, db, store.TherapistOwner("th1"), "https://fcm.googleapis.com/fcm/send/th1", "k", "a")
	p := testPlan(t, model.NewToken())
	_ = db.CreatePlan(p)
	s.Start()

	start := time.Now()
	s.AlertTherapistAsync(p, model.CheckIn{ID: "c1", At: p.SessionAt.Add(30 * time.Hour), Soreness: 3, RedFlags: []string{model.RedFlagSaddle}})
	if took := time.Since(start); took > 100*time.Millisecond {
		t.Fatalf("AlertTherapistAsync took %v", took)
	}
	stopped := make(chan struct{})
	go func() { s.Stop(); close(stopped) }()
	select {
	case <-stopped:
		t.Fatal("Stop returned with an alert in flight")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return")
	}
	if n := sent.Load(); n != 1 {
		t.Fatalf("%d alerts sent, want 1", n)
	}
}
