package server

import (
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
)

// unwritableSchedule is the real scheduler whose schedule cannot be stored
// while fail is set: it adds a rule whose ID is longer than bbolt's key limit,
// so the store's Put of that rule fails, as a full disk fails a commit.
type unwritableSchedule struct {
	*remind.Scheduler
	fail atomic.Bool
}

func (u *unwritableSchedule) States(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
	states, err := u.Scheduler.States(p, stored)
	if u.fail.Load() {
		states = append(states, unstorableRule)
	}
	return states, err
}

var unstorableRule = store.RuleState{RuleID: strings.Repeat("r", bolt.MaxKeySize), Kind: model.KindTip}

// TestPlanAndScheduleAreStoredTogether: when the reminder schedule cannot be
// written, creating a plan, changing the client's prefs, editing and ending a
// plan each answer 5xx and store nothing (a plan that never reminds is the
// failure); once writes work again the same requests succeed.
func TestPlanAndScheduleAreStoredTogether(t *testing.T) {
	var sched *unwritableSchedule
	w := newWorkspaceWith(t, func(db *store.DB) care.Scheduler {
		sched = &unwritableSchedule{}
		sched.Scheduler = remind.New(remind.Config{DB: db, Now: func() time.Time { return time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC) }})
		return sched
	})
	b := w.login(t, "a@example.org")
	body := planBody(w.clock.Now().Add(-time.Hour), `,"stretchTime":"19:00"`)

	sched.fail.Store(true)
	if r := w.do(t, b, "POST", "/api/plans", body); r.Status < 500 || jsonField(t, r.Body, "error") == "" {
		t.Fatalf("create with an unwritable schedule: %d %s, want 5xx", r.Status, r.Body)
	}
	if n, _ := w.db.CountPlans(); n != 0 {
		t.Fatalf("%d plans stored without their reminders", n)
	}

	sched.fail.Store(false)
	token := w.createPlan(t, b, `,"stretchTime":"19:00"`)
	plan0, err := w.db.Plan(token)
	if err != nil {
		t.Fatal(err)
	}
	rules0, err := w.db.RuleStates(token)
	if err != nil || len(rules0) == 0 {
		t.Fatalf("new plan's schedule: %v %v", rules0, err)
	}

	sched.fail.Store(true)
	for _, req := range []struct{ method, path, body string }{
		{"PUT", "/api/p/" + token + "/prefs", `{"disabled":["hydration"],"quietStart":"22:00","quietEnd":"07:00"}`},
		{"PATCH", "/api/plans/" + token, `{"notes":"Left hip too","extendDays":7}`},
		{"POST", "/api/plans/" + token + "/end", ""},
	} {
		who := b
		if strings.HasPrefix(req.path, "/api/p/") {
			who = nil // the client's link, no session
		}
		if r := w.do(t, who, req.method, req.path, req.body); r.Status < 500 || jsonField(t, r.Body, "error") == "" {
			t.Errorf("%s %s with an unwritable schedule: %d %s, want 5xx", req.method, req.path, r.Status, r.Body)
		}
		if p, _ := w.db.Plan(token); !reflect.DeepEqual(p, plan0) {
			t.Errorf("%s %s changed the plan without its schedule:\n%+v\nwas\n%+v", req.method, req.path, p, plan0)
		}
		if rules, _ := w.db.RuleStates(token); !reflect.DeepEqual(rules, rules0) {
			t.Errorf("%s %s changed the schedule: %+v", req.method, req.path, rules)
		}
	}

	sched.fail.Store(false)
	if r := w.do(t, nil, "PUT", "/api/p/"+token+"/prefs", `{"disabled":["hydration"],"quietStart":"22:00","quietEnd":"07:00"}`); r.Status != 200 {
		t.Fatalf("prefs: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, b, "POST", "/api/plans/"+token+"/end", ""); r.Status != 200 {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	if rules, _ := w.db.RuleStates(token); len(rules) != 0 {
		t.Fatalf("an ended plan keeps %d rules", len(rules))
	}
}
