package remind

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestScheduleKeepsHistory: rescheduling (a prefs change) right after a
// reminder went out does not send it again.
func TestScheduleKeepsHistory(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := stretchOnly(t, "history")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	tick(t, s)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0).Add(20 * time.Second))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	// The new schedule starts after now, past the firing just sent (its
	// LastSentLocal is only carried over where a local time recurs: see
	// TestRescheduleInRepeatedHour).
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}
	tick(t, s)
	if n := len(rec.kinds()); n != 1 {
		t.Fatalf("%d pushes", n)
	}
	// Ended plans keep no schedule.
	end := clk.Now()
	p.EndedAt = &end
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountDue(clk.Now().AddDate(1, 0, 0)); n != 0 {
		t.Fatalf("ended plan still has %d due", n)
	}
}

// TestRescheduleInRepeatedHour: a reminder sent in the first pass of the
// repeated autumn hour is not sent again in the second pass when the plan is
// rescheduled in between (the stored state keeps that local time).
func TestRescheduleInRepeatedHour(t *testing.T) {
	for _, c := range []struct {
		zone, day, clock string
		resched          time.Duration // after local midnight, in real time
	}{
		{"Europe/Berlin", "2026-10-25", "02:30", 3*time.Hour + 10*time.Minute},   // 02:40 CET, second pass
		{"America/New_York", "2026-11-01", "01:30", 2*time.Hour + 5*time.Minute}, // 01:05 EST
	} {
		t.Run(c.zone, func(t *testing.T) {
			db := storetest.Open(t)
			rec := &recorder{}
			loc := mustLoc(t, c.zone)
			day, _ := time.ParseInLocation("2006-01-02", c.day, loc)
			clk := fakeclock.New(day.Add(-12 * time.Hour))
			s := New(Config{DB: db, Sender: rec, Now: clk.Now})
			p := model.Plan{Token: "resched" + c.day, TimeZone: c.zone, StretchTime: c.clock, Days: 3,
				SessionAt: day.Add(-12 * time.Hour),
				Prefs:     nightStretchPrefs()}
			_ = db.CreatePlan(p)
			addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
			if err := s.Schedule(p); err != nil {
				t.Fatal(err)
			}
			for m := time.Duration(0); m <= 6*time.Hour; m += time.Minute {
				clk.Set(day.Add(m))
				if m == c.resched {
					if n := len(rec.kinds()); n != 1 {
						t.Fatalf("%d sent before the reschedule, want 1", n)
					}
					if err := s.Schedule(p); err != nil {
						t.Fatal(err)
					}
				}
				tick(t, s)
			}
			if n := len(rec.kinds()); n != 1 {
				t.Fatalf("sent %d times, want once", n)
			}
		})
	}
}

// TestRescheduleDropsStale: a prefs change after a rule moved on takes
// effect; the entry written for the old schedule is dropped unsent when it
// comes due, and each reminder is handed to ObserveLateness with its lateness.
func TestRescheduleDropsStale(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	type obs struct {
		kind string
		late time.Duration
	}
	var seen []obs
	s := New(Config{DB: db, Sender: rec, Now: clk.Now, ObserveLateness: func(kind string, late time.Duration) {
		seen = append(seen, obs{kind, late})
	}})
	p := stretchOnly(t, "stale")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 2))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("19:02: %+v", st)
	}
	// The stretch moves to 08:30 from tomorrow on.
	p, err := db.UpdatePlan(p.Token, func(q *model.Plan) error { q.StretchTime = "08:30"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 26, 20, 0))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-27T08:30" {
		t.Fatalf("rescheduled: %+v", rs)
	}
	clk.Set(berlin(t, 2026, 11, 27, 8, 30))
	if st := tick(t, s); st.Sent != 1 || st.Stale != 0 {
		t.Fatalf("08:30: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 27, 19, 0))
	if st := tick(t, s); st.Sent != 0 || st.Stale != 1 || st.Due != 1 {
		t.Fatalf("19:00, old schedule's entry: %+v", st)
	}
	if n, _ := db.CountDue(berlin(t, 2026, 11, 28, 8, 0)); n != 0 {
		t.Fatalf("%d entries due before tomorrow's 08:30", n)
	}
	if n := len(rec.kinds()); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
	if len(seen) != 2 || seen[0] != (obs{model.KindStretch, 2 * time.Minute}) || seen[1] != (obs{model.KindStretch, 0}) {
		t.Fatalf("lateness observed: %+v", seen)
	}
}
