package remind

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestTickEndToEnd: reminders reach a loopback push service that verifies
// VAPID and decrypts them, once per device, never twice; a gone device is
// deleted; a finished routine silences that day's stretch; an erased plan
// sends nothing.
func TestTickEndToEnd(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := &fakeclock.Clock{}
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})

	p := testPlan(t, model.NewToken())
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	ep1, k1, a1 := svc.NewSubscription()
	ep2, k2, a2 := svc.NewSubscription()
	addDevice(t, db, p.Token, ep1, k1, a1)
	addDevice(t, db, p.Token, ep2, k2, a2)
	clk.Set(berlin(t, 2026, 11, 26, 10, 5))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}

	// 12:00 hydration and 13:00 tip are due; a tick at 18:59 finds them
	// more than 2 h late and skips them. Nothing for the stretch yet.
	clk.Set(berlin(t, 2026, 11, 26, 18, 59))
	if st := tick(t, s); st.Late != 2 || st.Sent != 0 {
		t.Fatalf("18:59: %+v", st)
	}
	if n := len(svc.Received()); n != 0 {
		t.Fatalf("received %d before the stretch time", n)
	}

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	st := tick(t, s)
	if st.Sent != 1 || st.Pushes != 2 || st.Delivered != 2 {
		t.Fatalf("19:00: %+v (refusals %v)", st, svc.Refusals())
	}
	got := svc.Received()
	if len(got) != 2 || got[0].Endpoint == got[1].Endpoint {
		t.Fatalf("received %+v", got)
	}
	for _, r := range got {
		pl := decode(t, r)
		if pl.Kind != "stretch" || pl.URL != "/p/"+p.Token+"#/play" || !strings.HasPrefix(pl.Body, "Sam,") || pl.Tag != "stretch" {
			t.Errorf("payload %+v", pl)
		}
		if r.TTL != 6*3600 || r.Urgency != "high" || r.Topic != Topic(p.Token, model.KindStretch) {
			t.Errorf("headers TTL %d urgency %q topic %q", r.TTL, r.Urgency, r.Topic)
		}
	}

	// The same minute again: nothing new.
	if st := tick(t, s); st.Due != 0 || st.Sent != 0 {
		t.Fatalf("second tick: %+v", st)
	}
	if n := len(svc.Received()); n != 2 {
		t.Fatalf("duplicate: %d received", n)
	}

	// Next morning: the 24 h check-in; device 2 is gone (410) and is deleted.
	svc.Behave(ep2, pushtest.Behavior{Status: 410})
	clk.Set(berlin(t, 2026, 11, 27, 10, 0))
	st = tick(t, s)
	if st.Sent != 1 || st.Delivered != 1 || st.Gone != 1 {
		t.Fatalf("10:00: %+v", st)
	}
	if pl := decode(t, svc.Received()[2]); pl.Kind != "checkin" || pl.URL != "/p/"+p.Token+"#/checkin" {
		t.Fatalf("check-in payload %+v", pl)
	}
	subs, _ := db.Subscriptions(p.Token)
	if len(subs) != 1 || subs[0].Endpoint != ep1 {
		t.Fatalf("subscriptions after 410: %+v", subs)
	}
	clk.Set(berlin(t, 2026, 11, 27, 12, 0))
	if st := tick(t, s); st.Sent != 1 || st.Pushes != 1 {
		t.Fatalf("12:00 hydration: %+v", st)
	}

	// Done this afternoon: no stretch reminder tonight, but tomorrow's is scheduled.
	if _, err := db.AddCompletion(p.Token, model.Completion{ID: "c1", At: berlin(t, 2026, 11, 27, 17, 30), RoutineID: p.RoutineID, Done: 5, Total: 5}); err != nil {
		t.Fatal(err)
	}
	before := len(svc.Received())
	clk.Set(berlin(t, 2026, 11, 27, 19, 0))
	if st := tick(t, s); st.Done != 1 || st.Sent != 0 {
		t.Fatalf("done today: %+v", st)
	}
	if len(svc.Received()) != before {
		t.Fatal("stretch reminder sent although the routine is done")
	}
	states, _ := db.RuleStates(p.Token)
	for _, rs := range states {
		if rs.RuleID == "stretch-daily" && rs.NextLocal != "2026-11-28T19:00" {
			t.Fatalf("stretch next = %+v", rs)
		}
	}

	// Erased: nothing more, and the due-index holds none of its entries.
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 28, 19, 0))
	if st := tick(t, s); st.Sent != 0 {
		t.Fatalf("erased plan: %+v", st)
	}
	if n, _ := db.CountDue(berlin(t, 2027, 1, 1, 0, 0)); n != 0 {
		t.Fatalf("%d due entries left for an erased plan", n)
	}
	if len(svc.Received()) != before {
		t.Fatal("erased plan got a push")
	}
}

// TestTickRechecksPlan: the schedule is written ahead, so a tick checks the
// plan again: switched-off kinds, new quiet hours, an ended plan.
func TestTickRechecksPlan(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := testPlan(t, "recheck")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	// Hydration switched off and quiet hours from 18:00, without rescheduling.
	if _, err := db.UpdatePlan(p.Token, func(q *model.Plan) error {
		q.Prefs.Disabled = []string{model.KindHydration}
		q.Prefs.QuietStart = "18:00"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 26, 12, 0))
	if st := tick(t, s); st.Dropped != 1 || st.Sent != 0 {
		t.Fatalf("disabled hydration: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 26, 13, 0))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("tip: %+v", st)
	}
	// 19:00 stretch now falls into quiet hours and would move to tomorrow: skipped.
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Sent != 0 || st.Deferred != 1 {
		t.Fatalf("quiet stretch: %+v", st)
	}
	// Ended by the therapist: its entries are dropped.
	ended := berlin(t, 2026, 11, 27, 9, 0)
	_, _ = db.UpdatePlan(p.Token, func(q *model.Plan) error { q.EndedAt = &ended; return nil })
	clk.Set(berlin(t, 2026, 11, 27, 10, 0))
	if st := tick(t, s); st.Sent != 0 || st.Dropped != 1 {
		t.Fatalf("ended plan: %+v", st)
	}
	if got := rec.kinds(); len(got) != 1 || got[0] != model.KindTip {
		t.Fatalf("sent %v", got)
	}
}

// TestTickFailedPushIsCommitted: a device whose push service keeps failing
// never costs the other devices their reminder nor causes an endless resend:
// the firing is committed as sent, and only the failing device is retried
// (alone, from the retry index, within the kind's grace; see partial_retry_test.go).
func TestTickFailedPushIsCommitted(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	var logs syncBuffer
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	p := stretchOnly(t, model.NewToken())
	_ = db.CreatePlan(p)
	bad, k1, a1 := svc.NewSubscription()
	good, k2, a2 := svc.NewSubscription()
	addDevice(t, db, p.Token, bad, k1, a1)
	addDevice(t, db, p.Token, good, k2, a2)
	svc.Behave(bad, pushtest.Behavior{Status: 503})
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	st := tick(t, s)
	if st.Sent != 1 || st.Delivered != 1 || st.Failed != 1 || st.Gone != 0 {
		t.Fatalf("tick: %+v", st)
	}
	if got := svc.Received(); len(got) != 1 || got[0].Endpoint != good {
		t.Fatalf("received %+v", got)
	}
	if subs, _ := db.Subscriptions(p.Token); len(subs) != 2 {
		t.Fatalf("a 503 must not delete the device: %d left", len(subs))
	}
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("resent: %+v", st)
	}
	if out := logs.String(); !strings.Contains(out, "reminder pushes failed") || strings.Contains(out, bad) {
		t.Fatalf("log must report the failure without the endpoint: %s", out)
	}
}

// TestTickAcrossDST ticks every minute through both transition nights in two
// zones: a 02:30 (New York autumn: 01:30) reminder goes out exactly once.
func TestTickAcrossDST(t *testing.T) {
	for _, c := range []struct {
		zone, day, clock, want string
	}{
		{"Europe/Berlin", "2026-03-29", "02:30", "03:00+02:00"},
		{"Europe/Berlin", "2026-10-25", "02:30", "02:30+02:00"},
		{"America/New_York", "2026-03-08", "02:30", "03:00-04:00"},
		{"America/New_York", "2026-11-01", "01:30", "01:30-04:00"},
	} {
		t.Run(c.zone+"/"+c.day, func(t *testing.T) {
			db := storetest.Open(t)
			rec := &recorder{}
			loc := mustLoc(t, c.zone)
			day, _ := time.ParseInLocation("2006-01-02", c.day, loc)
			clk := fakeclock.New(day.Add(-12 * time.Hour))
			var sentAt []time.Time
			s := New(Config{DB: db, Sender: senderFunc(func(jobs []push.Job) []push.Result {
				sentAt = append(sentAt, clk.Now())
				return rec.SendAll(context.Background(), jobs)
			}), Now: clk.Now})
			p := model.Plan{Token: "dst" + c.day, TimeZone: c.zone, StretchTime: c.clock, Days: 3,
				SessionAt: day.Add(-12 * time.Hour),
				Prefs:     nightStretchPrefs()}
			_ = db.CreatePlan(p)
			addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
			if err := s.Schedule(p); err != nil {
				t.Fatal(err)
			}
			// Every minute of the night in real (UTC) time, through the gap or the repeat.
			for m := time.Duration(0); m <= 6*time.Hour; m += time.Minute {
				clk.Set(day.Add(m))
				tick(t, s)
			}
			if len(sentAt) != 1 || sentAt[0].In(loc).Format("15:04-07:00") != c.want {
				var got []string
				for _, at := range sentAt {
					got = append(got, at.In(loc).Format(time.RFC3339))
				}
				t.Fatalf("sent at %v, want once at %s", got, c.want)
			}
		})
	}
}
