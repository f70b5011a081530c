package remind

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// A therapist who opted in gets one push at 08:00 in the plan's zone the day
// before its booked session, in their own language and without the client's
// name or health words, opening the plan's summary: not before, not twice
// (not after a restart either), not past the grace, and not for a therapist
// who did not opt in.
func TestTherapistPrepareReminder(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	berlin := mustLoc(t, "Europe/Berlin")
	clk := fakeclock.New(time.Date(2026, 12, 2, 7, 45, 0, 0, berlin))
	newScheduler := func() *Scheduler {
		return New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})
	}
	s := newScheduler()
	alertTherapist(t, db, svc) // th1, with one device
	if _, err := db.UpdateTherapist("th1", func(t *model.Therapist) error { t.PrepareReminder, t.Language = true, "de"; return nil }); err != nil {
		t.Fatal(err)
	}
	p := testPlan(t, model.NewToken()) // th1's; next session 2026-12-03 10:00 Berlin
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	// Another therapist's plan, also tomorrow: they did not opt in.
	other := testPlan(t, model.NewToken())
	other.TherapistID = "th2"
	if _, err := db.CreateTherapist(model.Therapist{ID: "th2", Email: "th2@example.org", Name: "Ben", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := db.CreatePlan(other); err != nil {
		t.Fatal(err)
	}
	tick := func(s *Scheduler, at time.Time) {
		t.Helper()
		clk.Set(at)
		if _, err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.alerts.Wait()
	}
	tick(s, time.Date(2026, 12, 2, 7, 45, 0, 0, berlin))
	if n := len(svc.Received()); n != 0 {
		t.Fatalf("%d pushes before 08:00", n)
	}
	tick(s, time.Date(2026, 12, 2, 8, 0, 0, 0, berlin))
	got := svc.Received()
	if len(got) != 1 {
		t.Fatalf("%d pushes at 08:00 the day before, want 1", len(got))
	}
	pl := decode(t, got[0])
	if pl.Title != "aftercare" || pl.Body != "Termin morgen: Die Zusammenfassung liegt bereit" || pl.URL != "/therapist#/plan/"+p.Token+"/summary" {
		t.Fatalf("push %+v", pl)
	}
	for _, word := range []string{"Sam", "Example", "pain", "Schmerz", "sore"} {
		if strings.Contains(pl.Title+" "+pl.Body, word) {
			t.Errorf("lock screen shows %q", word)
		}
	}
	tick(s, time.Date(2026, 12, 2, 8, 15, 0, 0, berlin))
	s.Stop()
	restarted := newScheduler()
	tick(restarted, time.Date(2026, 12, 2, 8, 31, 0, 0, berlin))
	if n := len(svc.Received()); n != 1 {
		t.Fatalf("%d pushes after more ticks and a restart, want still 1", n)
	}

	// A session the day after: the server is down at 08:00 and back at 11:30
	// (within the grace); one on the day after that, back only at 12:30 (past it).
	late := testPlan(t, model.NewToken())
	lateNext := time.Date(2026, 12, 4, 9, 0, 0, 0, berlin)
	late.NextSessionAt = &lateNext
	tooLate := testPlan(t, model.NewToken())
	tooLateNext := time.Date(2026, 12, 5, 9, 0, 0, 0, berlin)
	tooLate.NextSessionAt = &tooLateNext
	for _, q := range []model.Plan{late, tooLate} {
		if err := db.CreatePlan(q); err != nil {
			t.Fatal(err)
		}
	}
	afterOutage := newScheduler()
	tick(afterOutage, time.Date(2026, 12, 3, 11, 30, 0, 0, berlin))
	afterOutage.Stop()
	again := newScheduler()
	tick(again, time.Date(2026, 12, 4, 12, 30, 0, 0, berlin))
	got = svc.Received()
	if len(got) != 2 || decode(t, got[1]).URL != "/therapist#/plan/"+late.Token+"/summary" {
		t.Fatalf("after the outages: %d pushes (want the first and the one within the grace)", len(got))
	}
}

// The reminder's hour is the plan's zone's, whatever the server's.
func TestPrepareReminderAtIsLocal(t *testing.T) {
	tokyo := mustLoc(t, "Asia/Tokyo")
	next := time.Date(2026, 12, 3, 0, 30, 0, 0, tokyo) // just after midnight: the day before is the 2nd
	if got := PrepareReminderAt(next, tokyo); !got.Equal(time.Date(2026, 12, 2, 8, 0, 0, 0, tokyo)) {
		t.Fatalf("PrepareReminderAt = %v", got)
	}
	kolkata := mustLoc(t, "Asia/Kolkata") // +05:30: 08:00 there is 02:30 UTC
	if got := PrepareReminderAt(time.Date(2026, 12, 3, 15, 0, 0, 0, kolkata), kolkata).UTC(); got.Minute() != 30 {
		t.Fatalf("Kolkata's 08:00 is %v UTC", got)
	}
}
