package store_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

func createDuePlan(tb testing.TB, db *store.DB, token string) {
	tb.Helper()
	p := model.Plan{Token: token, TherapistID: "th1", ClientName: "Sam", TimeZone: "UTC", Days: 7,
		SessionAt: time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC), Prefs: model.DefaultPrefs()}
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
	db := storetest.Open(t)
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
	db := storetest.Open(t)
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
	// r2 finished: leaves the index; persisted, its history stays in the stored state.
	fin := state("r2", time.Time{})
	fin.LastSentLocal = "2026-11-26T12:00"
	if err := db.AdvanceAll([]store.DueStep{{Entry: es[1], Next: &fin, Persist: true}}); err != nil {
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

	// A plain Advance wrote only the due-index: the stored states still hold
	// what the schedule was written with; a persisted step updates them.
	if st, _ := db.ScheduledStates("a"); len(st) != 2 || st[0].LastSentLocal != "" || st[1].LastSentLocal != "2026-11-26T12:00" {
		t.Fatalf("stored states = %+v", st)
	}
	es, _ = db.DueUntil(t0.Add(48*time.Hour), 10)
	next2 := state("r1", t0.Add(48*time.Hour))
	next2.LastSent, next2.LastSentLocal = t0.Add(24*time.Hour), "2026-11-27T12:00"
	if err := db.AdvanceAll([]store.DueStep{{Entry: es[0], Next: &next2, Persist: true}}); err != nil {
		t.Fatal(err)
	}

	// Editing the plan keeps what was last persisted.
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0.Add(49*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	rs, _ = db.RuleStates("a")
	if len(rs) != 1 || rs[0].LastSentLocal != "2026-11-27T12:00" || rs[0].NextLocal != "2026-11-28T13:00" {
		t.Fatalf("history lost: %+v", rs)
	}

	// Nil with Persist forgets the rule.
	es, _ = db.DueUntil(t0.Add(72*time.Hour), 10)
	if len(es) != 1 {
		t.Fatalf("due = %+v", es)
	}
	if err := db.AdvanceAll([]store.DueStep{{Entry: es[0], Persist: true}}); err != nil {
		t.Fatal(err)
	}
	if rs, _ := db.RuleStates("a"); len(rs) != 0 {
		t.Fatalf("forgotten rule still stored: %+v", rs)
	}
}

// TestReplaceScheduleGenerations: entries a rescheduling cannot find (the
// rule moved on since) are marked stale, never followed up by a commit, and
// the old schedule's found entries go at once.
func TestReplaceScheduleGenerations(t *testing.T) {
	db := storetest.Open(t)
	createDuePlan(t, db, "a")
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0), state("r2", t0.Add(time.Hour))}); err != nil {
		t.Fatal(err)
	}
	// r1 fires and moves on to tomorrow; the stored state still says t0.
	es, _ := db.DueUntil(t0, 10)
	next := state("r1", t0.Add(24*time.Hour))
	next.LastSentLocal = "2026-11-26T12:00"
	if err := db.Advance(es[0], &next); err != nil {
		t.Fatal(err)
	}
	// Rescheduled: r1 now at 18:00, r2 gone.
	if err := db.ReplaceSchedule("a", []store.RuleState{state("r1", t0.Add(6*time.Hour))}); err != nil {
		t.Fatal(err)
	}
	all, err := db.DueUntil(t0.Add(48*time.Hour), 0)
	if err != nil {
		t.Fatal(err)
	}
	pd, err := db.PlansWithDevices([]string{"a", "nope"}, nil)
	if err != nil || pd[0].Err != nil || pd[0].Gen != 2 || !errors.Is(pd[1].Err, store.ErrNotFound) {
		t.Fatalf("PlansWithDevices = %+v, %v", pd, err)
	}
	var got []string
	for _, e := range all {
		got = append(got, fmt.Sprintf("%s@%s stale=%v", e.RuleID, e.At.Format("02 15:04"), e.State.Gen != pd[0].Gen))
	}
	// r2's entry was found and deleted; r1's tomorrow entry is stale.
	if want := "[r1@26 18:00 stale=false r1@27 12:00 stale=true]"; fmt.Sprint(got) != want {
		t.Fatalf("due = %v, want %s", got, want)
	}
	// A persisted commit of the stale entry (a send racing the reschedule)
	// must not overwrite the new schedule's stored state.
	racing := state("r1", t0.Add(48*time.Hour))
	racing.LastSentLocal = "2026-11-27T12:00"
	if err := db.AdvanceAll([]store.DueStep{{Entry: all[1], Next: &racing, Persist: true}}); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.ScheduledStates("a"); len(st) != 1 || st[0].Gen != 2 || !st[0].NextFire.Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("stored state overwritten by a stale commit: %+v", st)
	}
	// Its follow-up carries the old generation: just as stale.
	es, _ = db.DueUntil(t0.Add(48*time.Hour), 0)
	if len(es) != 2 || es[1].State.Gen != 1 {
		t.Fatalf("after the stale commit: %+v", es)
	}
	// A stale follow-up onto the very firing the new schedule holds leaves it alone.
	onto := state("r1", t0.Add(6*time.Hour))
	if err := db.AdvanceAll([]store.DueStep{{Entry: es[1], Next: &onto}}); err != nil {
		t.Fatal(err)
	}
	if es, _ := db.DueUntil(t0.Add(48*time.Hour), 0); len(es) != 1 || es[0].State.Gen != 2 || !es[0].At.Equal(t0.Add(6*time.Hour)) {
		t.Fatalf("live entry overwritten by a stale follow-up: %+v", es)
	}
	if n, _ := db.CountDue(t0.Add(72 * time.Hour)); n != 1 {
		t.Fatalf("CountDue after the stale commits = %d, want 1", n)
	}
	// The live entry carries the new generation on.
	again := state("r1", t0.Add(48*time.Hour))
	if err := db.Advance(all[0], &again); err != nil {
		t.Fatal(err)
	}
	if es, _ := db.DueUntil(t0.Add(72*time.Hour), 0); len(es) != 1 || es[0].State.Gen != 2 || !es[0].At.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("after the live commit: %+v", es)
	}
	if rs, _ := db.RuleStates("a"); len(rs) != 1 || !rs[0].NextFire.Equal(t0.Add(48*time.Hour)) {
		t.Fatalf("rule states = %+v", rs)
	}
}

// TestDueValueRoundTrip: the compact due value keeps every field, and values
// written as JSON by earlier versions still read.
func TestDueValueRoundTrip(t *testing.T) {
	db := storetest.Open(t)
	createDuePlan(t, db, "a")
	s := state("r1", t0)
	s.LastSent, s.LastSentLocal = t0.Add(-24*time.Hour+1500*time.Millisecond), "2026-11-25T12:00"
	if err := db.ReplaceSchedule("a", []store.RuleState{s}); err != nil {
		t.Fatal(err)
	}
	es, err := db.DueUntil(t0, 0)
	if err != nil || len(es) != 1 {
		t.Fatalf("due = %+v, %v", es, err)
	}
	got := es[0].State
	if got.Kind != "stretch" || got.NextLocal != s.NextLocal || got.LastSentLocal != s.LastSentLocal ||
		!got.LastSent.Equal(s.LastSent) || got.Gen != 1 || !got.NextFire.Equal(t0) {
		t.Fatalf("round trip: %+v", got)
	}

	// An entry as the JSON-valued index wrote it (generation 0, before any
	// generation was stored) is live and reads the same.
	createDuePlan(t, db, "legacy")
	at := t0.Add(-time.Minute)
	key := binary.BigEndian.AppendUint64(nil, uint64(at.Unix()))
	key = append(append(append(key, "legacy"...), 0), "r9"...)
	if err := db.Bolt().Update(func(tx *bolt.Tx) error {
		return tx.Bucket([]byte("due")).Put(key, []byte(`{"kind":"tip","next":"2026-11-26T11:59:00Z","nextLocal":"2026-11-26T11:59","lastSentLocal":"2026-11-25T11:59"}`))
	}); err != nil {
		t.Fatal(err)
	}
	es, err = db.DueUntil(t0, 0)
	if err != nil || len(es) != 2 || es[0].Token != "legacy" || es[0].State.Gen != 0 || es[0].State.Kind != "tip" || es[0].State.LastSentLocal != "2026-11-25T11:59" {
		t.Fatalf("legacy entry: %+v, %v", es, err)
	}
}

func TestDeletePlanClearsDueIndex(t *testing.T) {
	db := storetest.Open(t)
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
	db := storetest.Open(t)
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
