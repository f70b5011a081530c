package remind

import (
	"log/slog"
	"reflect"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestStartRepairsPlansWithoutSchedule: a running plan stored without its
// reminder schedule (an older server answered 201 when the schedule write
// failed) gets its schedule when the scheduler starts, and its reminder then
// reaches the phone. Ended plans are left alone; the log has a count, no names.
func TestStartRepairsPlansWithoutSchedule(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := &fakeclock.Clock{}
	clk.Set(berlin(t, 2026, 11, 26, 10, 5))
	logs := &syncBuffer{}
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL,
		Logger: slog.New(slog.NewTextHandler(logs, nil))})

	p := testPlan(t, model.NewToken())
	over := testPlan(t, model.NewToken())
	endedAt := berlin(t, 2026, 11, 26, 10, 0)
	over.EndedAt = &endedAt
	for _, q := range []model.Plan{p, over} {
		if err := db.CreatePlan(q); err != nil { // the plan alone, as the failed write left it
			t.Fatal(err)
		}
		ep, k, a := svc.NewSubscription()
		addDevice(t, db, q.Token, ep, k, a)
	}
	if states, _ := db.RuleStates(p.Token); len(states) != 0 {
		t.Fatalf("the plan starts with a schedule: %+v", states)
	}

	s.Start()
	s.Stop()
	stretch := ""
	states, err := db.RuleStates(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range states {
		if st.RuleID == "stretch-daily" {
			stretch = st.NextLocal
		}
	}
	if stretch != "2026-11-26T19:00" {
		t.Fatalf("after start: stretch next %q, schedule %+v", stretch, states)
	}
	if states, _ := db.RuleStates(over.Token); len(states) != 0 {
		t.Fatalf("an ended plan got a schedule: %+v", states)
	}
	out := logs.String()
	if !strings.Contains(out, "count=1") || strings.Contains(out, p.Token) || strings.Contains(out, p.ClientName) {
		t.Fatalf("repair log: %s", out)
	}

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Sent != 1 || st.Delivered != 1 {
		t.Fatalf("19:00: %+v", st)
	}
	got := svc.Received()
	if len(got) != 1 || decode(t, got[0]).Kind != model.KindStretch || decode(t, got[0]).URL != "/p/"+p.Token+"#/play" {
		t.Fatalf("received %+v", got)
	}

	// A later start finds nothing to repair and does not touch the schedule.
	mid, _ := db.ScheduledStates(p.Token)
	before := len(logs.String())
	s.Start()
	s.Stop()
	if after, _ := db.ScheduledStates(p.Token); !reflect.DeepEqual(after, mid) {
		t.Fatalf("second start rewrote the schedule: %+v", after)
	}
	if strings.Contains(logs.String()[before:], "repaired") {
		t.Fatalf("second start logged a repair: %s", logs.String()[before:])
	}
}
