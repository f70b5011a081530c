package remind

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestFiresAreWhatTheTickSends: over a plan that spans the late-October DST
// change, with a stretch time inside quiet hours, the firings Fires lists
// (what the calendar feed shows) are exactly the reminders the minute tick
// pushes, rule by rule and minute by minute.
func TestFiresAreWhatTheTickSends(t *testing.T) {
	db := storetest.Open(t)
	loc := mustLoc(t, "Europe/Berlin")
	session := time.Date(2026, 10, 22, 10, 0, 0, 0, loc)
	next := time.Date(2026, 10, 28, 9, 0, 0, 0, loc)
	p := model.Plan{Token: "fires-dst", TherapistID: "th1", ClientName: "Sam", TimeZone: "Europe/Berlin",
		StretchTime: "21:30", Days: 5, SessionAt: session, NextSessionAt: &next, Prefs: model.DefaultPrefs()}
	clk := fakeclock.New(session)
	type sent struct{ kind, local string }
	var got []sent
	s := New(Config{DB: db, Now: clk.Now, Sender: senderFunc(func(jobs []push.Job) []push.Result {
		for _, j := range jobs {
			got = append(got, sent{j.Msg.Kind, clk.Now().In(loc).Format(LocalLayout)})
		}
		return (&recorder{}).SendAll(context.Background(), jobs)
	})})
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	for clk.Now().Before(next.Add(time.Minute)) {
		clk.Set(clk.Now().Add(time.Minute))
		tick(t, s)
	}

	rules, err := Rules(p)
	if err != nil {
		t.Fatal(err)
	}
	var want []sent
	stretches := 0
	for i := range rules {
		for _, f := range rules[i].Fires(session, time.Time{}) {
			want = append(want, sent{rules[i].Kind, f.Local})
			if rules[i].Kind == model.KindStretch {
				stretches++
				if f.Local[11:] != "20:45" { // 21:30 is in quiet hours from 21:00: 15 minutes before them
					t.Errorf("stretch at %s, want 20:45 local", f.Local)
				}
			}
		}
	}
	order := func(a, b sent) int {
		if c := strings.Compare(a.local, b.local); c != 0 {
			return c
		}
		return strings.Compare(a.kind, b.kind)
	}
	slices.SortFunc(got, order)
	slices.SortFunc(want, order)
	t.Logf("%d reminders, e.g. %v", len(got), got[:4])
	if stretches != 5 || !slices.Equal(got, want) {
		t.Fatalf("the tick sent\n%v\nFires lists\n%v", got, want)
	}
}
