package store_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

func fixedSchedule(states ...store.RuleState) store.ScheduleFunc {
	return func(model.Plan, []store.RuleState) ([]store.RuleState, error) { return states, nil }
}

// TestPlanWithScheduleIsOneWrite: a schedule that cannot be derived or
// written takes the plan (or the plan's change) down with it.
func TestPlanWithScheduleIsOneWrite(t *testing.T) {
	db := storetest.Open(t)
	at := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	unstorable := store.RuleState{RuleID: strings.Repeat("r", bolt.MaxKeySize), Kind: model.KindTip}
	derr := errors.New("cannot derive")
	newPlan := func() model.Plan {
		return model.Plan{Token: model.NewToken(), TherapistID: "A", ClientName: "Sam", RoutineID: "piriformis-release",
			TimeZone: "Europe/Berlin", SessionAt: at, Days: 7, StretchTime: "19:00", Prefs: model.DefaultPrefs()}
	}
	for name, schedule := range map[string]store.ScheduleFunc{
		"write fails":  fixedSchedule(state("r1", at), unstorable),
		"derive fails": func(model.Plan, []store.RuleState) ([]store.RuleState, error) { return nil, derr },
	} {
		p := newPlan()
		if err := db.CreatePlanWithSchedule(p, schedule); err == nil {
			t.Fatalf("%s: created", name)
		}
		if _, err := db.Plan(p.Token); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s: plan stored without its schedule (%v)", name, err)
		}
		if list, _ := db.PlansByTherapist("A"); len(list) != 0 {
			t.Fatalf("%s: therapist lists %d plans", name, len(list))
		}
		if n, _ := db.CountDue(at.Add(time.Hour)); n != 0 {
			t.Fatalf("%s: %d due entries", name, n)
		}
	}

	p := newPlan()
	if err := db.CreatePlanWithSchedule(p, fixedSchedule(state("r1", at))); err != nil {
		t.Fatal(err)
	}
	if due, _ := db.DueUntil(at, 0); len(due) != 1 || due[0].Token != p.Token {
		t.Fatalf("due after create: %+v", due)
	}
	if _, err := db.UpdatePlanWithSchedule(p.Token, func(q *model.Plan) error { q.Notes = "changed"; return nil },
		fixedSchedule(state("r2", at.Add(time.Hour)), unstorable)); err == nil {
		t.Fatal("update with an unwritable schedule succeeded")
	}
	if got, _ := db.Plan(p.Token); got.Notes != "" {
		t.Fatalf("plan changed without its schedule: notes %q", got.Notes)
	}
	if due, _ := db.DueUntil(at.Add(2*time.Hour), 0); len(due) != 1 || due[0].RuleID != "r1" {
		t.Fatalf("schedule changed: %+v", due)
	}
	var seen model.Plan
	var seenStored []store.RuleState
	got, err := db.UpdatePlanWithSchedule(p.Token, func(q *model.Plan) error { q.Notes = "changed"; return nil },
		func(q model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
			seen, seenStored = q, stored
			return []store.RuleState{state("r2", at.Add(time.Hour))}, nil
		})
	if err != nil || got.Notes != "changed" || seen.Notes != "changed" || len(seenStored) != 1 || seenStored[0].RuleID != "r1" {
		t.Fatalf("update: %+v %v; schedule saw %+v with %+v", got, err, seen, seenStored)
	}
	if due, _ := db.DueUntil(at.Add(2*time.Hour), 0); len(due) != 1 || due[0].RuleID != "r2" {
		t.Fatalf("schedule after update: %+v", due)
	}
}

// TestRepairSchedulesOnlyTouchesPlansWithoutOne: plans that have a schedule
// (even an empty one) are not asked about; a plan the func has nothing for
// is not counted.
func TestRepairSchedulesOnlyTouchesPlansWithoutOne(t *testing.T) {
	db := storetest.Open(t)
	at := time.Date(2026, 11, 26, 18, 0, 0, 0, time.UTC)
	var scheduled, emptied, bare, over model.Plan
	for _, p := range []*model.Plan{&scheduled, &emptied, &bare, &over} {
		p.Token = model.NewToken()
		createDuePlan(t, db, p.Token)
	}
	if err := db.ReplaceSchedule(scheduled.Token, []store.RuleState{state("r1", at)}); err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceSchedule(emptied.Token, nil); err != nil { // an ended plan's empty schedule
		t.Fatal(err)
	}
	var asked []string
	n, err := db.RepairSchedules(func(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
		asked = append(asked, p.Token)
		if p.Token == over.Token {
			return nil, nil
		}
		return []store.RuleState{state("r9", at)}, nil
	})
	if err != nil || n != 1 || len(asked) != 2 {
		t.Fatalf("repaired %d (%v), asked about %d plans, want 1 and 2", n, err, len(asked))
	}
	if st, _ := db.ScheduledStates(bare.Token); len(st) != 1 || st[0].RuleID != "r9" {
		t.Fatalf("repaired plan's schedule: %+v", st)
	}
	if st, _ := db.ScheduledStates(scheduled.Token); len(st) != 1 || st[0].RuleID != "r1" {
		t.Fatalf("a scheduled plan was rewritten: %+v", st)
	}
	if n, err := db.RepairSchedules(fixedSchedule(state("r9", at))); err != nil || n != 1 {
		t.Fatalf("second repair: %d %v, want only the plan with nothing to send asked again", n, err)
	}
}
