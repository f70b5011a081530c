package store_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestRetryIndex: retries go in with their due entry's commit (only if the
// entry is still there), come back by time, move or leave with CommitRetries,
// and leave with their plan only.
func TestRetryIndex(t *testing.T) {
	db := storetest.Open(t)
	createDuePlan(t, db, "pa")
	createDuePlan(t, db, "pb")
	for _, tok := range []string{"pa", "pb"} {
		if err := db.ReplaceSchedule(tok, []store.RuleState{state("stretch-daily", t0)}); err != nil {
			t.Fatal(err)
		}
	}
	due, err := db.DueUntil(t0, 0)
	if err != nil || len(due) != 2 {
		t.Fatalf("due %+v, %v", due, err)
	}
	var steps []store.DueStep
	for _, e := range due {
		steps = append(steps, store.DueStep{Entry: e, Retries: []store.Retry{{
			At: t0.Add(time.Minute), Token: e.Token, RuleID: e.RuleID, Endpoint: "https://push.example/" + e.Token + "\x00x",
			Due: t0, Local: e.State.NextLocal, Attempts: 1,
		}}})
	}
	if err := db.AdvanceAll(steps); err != nil {
		t.Fatal(err)
	}
	// Committing the same (now gone) entries again writes no retries.
	steps[0].Retries[0].At = t0.Add(5 * time.Minute)
	if err := db.AdvanceAll(steps); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRetries(); n != 2 {
		t.Fatalf("%d retries, want 2", n)
	}
	if rs, _ := db.RetriesDue(t0, 0); len(rs) != 0 {
		t.Fatalf("due before their time: %+v", rs)
	}
	rs, err := db.RetriesDue(t0.Add(time.Minute), 0)
	if err != nil || len(rs) != 2 {
		t.Fatalf("retries %+v, %v", rs, err)
	}
	r := rs[0]
	if r.Token != "pa" || r.RuleID != "stretch-daily" || r.Endpoint != "https://push.example/pa\x00x" || !r.Due.Equal(t0) ||
		r.Local != "2026-11-26T12:00" || r.Attempts != 1 || !r.At.Equal(t0.Add(time.Minute)) {
		t.Fatalf("retry %+v", r)
	}
	// pa's moves on, pb's leaves.
	next := r
	next.At, next.Attempts = t0.Add(3*time.Minute), 2
	if err := db.CommitRetries([]store.RetryStep{{Retry: rs[0], Next: &next}, {Retry: rs[1]}}); err != nil {
		t.Fatal(err)
	}
	rs, _ = db.RetriesDue(t0.Add(time.Hour), 0)
	if len(rs) != 1 || rs[0].Token != "pa" || rs[0].Attempts != 2 || !rs[0].At.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("after commit: %+v", rs)
	}
	if err := db.DeletePlan("pb"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRetries(); n != 1 {
		t.Fatalf("erasing another plan removed %d retries", 1-n)
	}
	if err := db.DeletePlan("pa"); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountRetries(); n != 0 {
		t.Fatalf("%d retries after erasing their plan", n)
	}
}
