package store_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/plan"
	"github.com/aftercare/aftercare/server/store"
)

func openDueDB(tb testing.TB) *store.DB {
	tb.Helper()
	db, err := store.Open(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func createDuePlan(tb testing.TB, db *store.DB, token string) {
	tb.Helper()
	p := plan.Plan{Token: token, TherapistID: "th1", ClientName: "Sam", TimeZone: "UTC", Days: 7,
		SessionAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Prefs: plan.DefaultPrefs()}
	if err := db.CreatePlan(p); err != nil {
		tb.Fatal(err)
	}
}

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func state(id string, next time.Time) store.RuleState {
	s := store.RuleState{RuleID: id, Kind: "stretch", NextFire: next}
	if !next.IsZero() {
		s.NextLocal = next.Format("2006-01-02T15:04")
	}
	return s
}

func dueIDs(tb testing.TB, db *store.DB, t time.Time) []string {
	tb.Helper()
	es, err := db.DueUntil(t, 0)
	if err != nil {
		tb.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s/%s@%s", e.Token, e.RuleID, e.At.Format("15:04")))
	}
	return out
}

func TestReplaceScheduleAndDueUntil(t *testing.T) {
	db := openDueDB(t)
	createDuePlan(t, db, "a")
	createDuePlan(t, db, "b")
	if err := db.ReplaceSchedule("a", []store.RuleState{
		state("r1", t0.Add(time.Hour)),
		state("r2", t0),
		state("done", time.Time{}), // nothing left to send: state only
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceSchedule("b", []store.RuleState{state("r1", t0.Add(30*time.Minute))}); err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(dueIDs(t, db, t0.Add(2*time.Hour)))
	if want := "[a/r2@12:00 b/r1@12:30 a/r1@13:00]"; got != want {
		t.Fatalf("due = %s, want %s", got, want)
	}
	if got := fmt.Sprint(dueIDs(t, db, t0.Add(30*time.Minute))); got != "[a/r2@12:00 b/r1@12:30]" {
		t.Fatalf("due by 12:30 = %s", got)
	}
	if es, _ := db.DueUntil(t0.Add(2*time.Hour), 1); len(es) != 1 || es[0].RuleID != "r2" || es[0].State.Kind != "stretch" {
		t.Fatalf("limit 1 = %+v", es)
	}
	if n, err := db.CountDue(t0.Add(45 * time.Minute)); err != nil || n != 2 {
		t.Fatalf("CountDue = %d, %v", n, err)
	}
	if at, ok, _ := db.NextDue(); !ok || !at.Equal(t0) {
		t.Fatalf("NextDue = %v %v", at, ok)
	}

	// Replacing a's rules removes its old due entries and leaves b's alone.
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r3", t0.Add(3*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(dueIDs(t, db, t0.Add(5*time.Hour))); got != "[b/r1@12:30 a/r3@15:00]" {
		t.Fatalf("after replace: %s", got)
	}
	rs, err := db.RuleStates("a")
	if err != nil || len(rs) != 1 || rs[0].RuleID != "r3" {
		t.Fatalf("rule states = %+v, %v", rs, err)
	}

	if err := db.ReplaceSchedule("gone", nil); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown plan: %v", err)
	}
}

func TestAdvanceCommitsOneEntry(t *testing.T) {
	db := openDueDB(t)
	createDuePlan(t, db, "a")
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0), state("r2", t0)}); err != nil {
		t.Fatal(err)
	}
	es, _ := db.DueUntil(t0, 10)
	if len(es) != 2 {
		t.Fatalf("due = %d", len(es))
	}
	next := state("r1", t0.Add(24*time.Hour))
	next.LastSent, next.LastSentLocal = t0, es[0].State.NextLocal
	if err := db.Advance(es[0], &next); err != nil {
		t.Fatal(err)
	}
	// r2 finished: keeps its history, leaves the index.
	fin := state("r2", time.Time{})
	fin.LastSentLocal = "2026-11-26T12:00"
	if err := db.Advance(es[1], &fin); err != nil {
		t.Fatal(err)
	}
	if got := dueIDs(t, db, t0.Add(23*time.Hour)); len(got) != 0 {
		t.Fatalf("still due: %v", got)
	}
	if got := fmt.Sprint(dueIDs(t, db, t0.Add(48*time.Hour))); got != "[a/r1@12:00]" {
		t.Fatalf("next day: %s", got)
	}
	rs, _ := db.RuleStates("a")
	if len(rs) != 2 || rs[0].LastSentLocal != "2026-11-26T12:00" || !rs[0].NextFire.Equal(t0.Add(24*time.Hour)) ||
		rs[1].LastSentLocal != "2026-11-26T12:00" || !rs[1].NextFire.IsZero() {
		t.Fatalf("states = %+v", rs)
	}

	// A replaced entry is not resurrected by a late commit.
	stale := es[0]
	if err := db.Advance(stale, &next); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(dueIDs(t, db, t0.Add(48*time.Hour))); got != "[a/r1@12:00]" {
		t.Fatalf("after stale advance: %s", got)
	}

	// Editing the plan keeps what was last sent.
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0.Add(25*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	rs, _ = db.RuleStates("a")
	if len(rs) != 1 || rs[0].LastSentLocal != "2026-11-26T12:00" {
		t.Fatalf("history lost: %+v", rs)
	}

	// Nil forgets the rule.
	es, _ = db.DueUntil(t0.Add(48*time.Hour), 10)
	if err := db.Advance(es[0], nil); err != nil {
		t.Fatal(err)
	}
	if rs, _ := db.RuleStates("a"); len(rs) != 0 {
		t.Fatalf("forgotten rule still stored: %+v", rs)
	}
}

func TestDeletePlanClearsDueIndex(t *testing.T) {
	db := openDueDB(t)
	createDuePlan(t, db, "a")
	createDuePlan(t, db, "b")
	_ = db.ReplaceSchedule("a", []store.RuleState{state("r1", t0)})
	_ = db.ReplaceSchedule("b", []store.RuleState{state("r1", t0)})
	es, _ := db.DueUntil(t0, 10)
	if err := db.DeletePlan("a"); err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(dueIDs(t, db, t0)); got != "[b/r1@12:00]" {
		t.Fatalf("due after erase: %s", got)
	}
	// A send in flight when the plan was erased must not bring its rules back.
	next := state("r1", t0.Add(time.Hour))
	if err := db.AdvanceAll([]store.DueStep{{Entry: es[0], Next: &next}}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := db.RuleStates("a"); len(rs) != 0 {
		t.Fatalf("erased plan has rules: %+v", rs)
	}
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0)}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("schedule for erased plan: %v", err)
	}
}

func TestReplaceSchedulesBulk(t *testing.T) {
	db := openDueDB(t)
	for i := range 50 {
		createDuePlan(t, db, fmt.Sprintf("p%02d", i))
	}
	m := map[string][]store.RuleState{"missing": {state("r", t0)}}
	for i := range 50 {
		m[fmt.Sprintf("p%02d", i)] = []store.RuleState{state("r", t0.Add(time.Duration(i)*time.Minute))}
	}
	if err := db.ReplaceSchedules(m); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountDue(t0.Add(time.Hour)); n != 50 {
		t.Fatalf("CountDue = %d", n)
	}
	if n, _ := db.CountDue(t0.Add(9 * time.Minute)); n != 10 {
		t.Fatalf("CountDue(+9m) = %d", n)
	}
}
