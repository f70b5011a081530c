package care

import (
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// oracle is a clients-list row computed from the plan's whole history, as the
// list did before it kept rows: what each kept row must still say.
func oracle(t *testing.T, svc *Service, p model.Plan, now time.Time) ClientSummary {
	t.Helper()
	done, err := svc.DB.Completions(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	checks, err := svc.DB.CheckIns(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	c := ClientSummary{Token: p.Token, Active: p.Active(now), LastActivity: p.SessionAt}
	c.StretchedDays, c.DaysSoFar = Adherence(p, done, now)
	for _, d := range done {
		if d.At.After(c.LastActivity) {
			c.LastActivity = d.At
		}
	}
	var latest *model.CheckIn
	for i := range checks {
		ci := checks[i]
		if ci.At.After(c.LastActivity) {
			c.LastActivity = ci.At
		}
		if ci.Urgent() && p.AlertPending(ci) {
			c.RedFlag = true
		}
		latest = &ci
	}
	if latest != nil && latest.StillSoreAfter48h(p.SessionAt) && p.AlertPending(*latest) {
		c.StillSore = true
	}
	c.InactiveDays = max(0, int(now.Sub(c.LastActivity).Hours()/24))
	switch {
	case c.RedFlag:
		c.Attention = AttentionRedFlag
	case c.StillSore:
		c.Attention = AttentionStillSore
	case c.Active && c.InactiveDays >= InactiveAfterDays:
		c.Attention = AttentionInactive
	}
	return c
}

// The rows the store keeps through every kind of write (check-ins,
// completions out of order, alerts handled, plans ended and extended, time
// passing) say what the whole history says, and the list is in its order.
func TestClientRowsMatchTheHistory(t *testing.T) {
	db := storetest.Open(t)
	now := time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC)
	svc := &Service{DB: db, Scheduler: &stubScheduler{}, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rng := rand.New(rand.NewPCG(7, 11))
	var plans []string
	for i := range 60 {
		session := now.Add(-time.Duration(rng.IntN(30*24)) * time.Hour)
		p := model.Plan{Token: model.NewToken(), TherapistID: "th1", ClientName: fmt.Sprintf("Client %02d", i), RoutineID: "gentle-sciatica-aftercare",
			SessionAt: session, TimeZone: []string{"Europe/Berlin", "America/New_York", "Asia/Tokyo"}[i%3], StretchTime: "19:00",
			Days: 7 + rng.IntN(14), Prefs: model.DefaultPrefs(), CreatedAt: session}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p.Token)
	}
	for step := range 600 {
		token := plans[rng.IntN(len(plans))]
		p, _ := db.Plan(token)
		at := p.SessionAt.Add(time.Duration(rng.IntN(int(max(1, now.Sub(p.SessionAt).Minutes())))) * time.Minute)
		switch rng.IntN(10) {
		case 0, 1, 2, 3:
			c := model.Completion{ID: fmt.Sprintf("done-%05d", step), At: at, RoutineID: p.RoutineID, Done: rng.IntN(3), Total: 5, ReceivedAt: now}
			if _, err := db.AddCompletion(token, c); err != nil {
				t.Fatal(err)
			}
		case 4, 5, 6:
			c := model.CheckIn{ID: fmt.Sprintf("checkin-%05d", step), At: at, Soreness: rng.IntN(11), Pain: rng.IntN(11), ReceivedAt: now.Add(time.Duration(step) * time.Second)}
			if rng.IntN(8) == 0 {
				c.RedFlags = []string{model.RedFlagSaddle}
			}
			if _, err := db.AddCheckIn(token, c); err != nil {
				t.Fatal(err)
			}
		case 7:
			handled := now.Add(time.Duration(step) * time.Second)
			if _, err := db.UpdatePlan(token, func(p *model.Plan) error { p.AlertsHandledAt = &handled; return nil }); err != nil {
				t.Fatal(err)
			}
		case 8:
			ended := at
			if _, err := db.UpdatePlan(token, func(p *model.Plan) error { p.EndedAt = &ended; return nil }); err != nil {
				t.Fatal(err)
			}
		case 9:
			if _, err := db.UpdatePlan(token, func(p *model.Plan) error { p.EndedAt = nil; p.Days += 7; return nil }); err != nil {
				t.Fatal(err)
			}
		}
	}
	owner := model.Therapist{ID: "th1", Owner: true}
	everything := []string{model.StatusAttention, model.StatusActive, model.StatusEnded}
	for _, later := range []time.Duration{0, 3 * 24 * time.Hour, 20 * 24 * time.Hour} {
		now = time.Date(2027, 3, 10, 12, 0, 0, 0, time.UTC).Add(later)
		var rows []ClientSummary
		cursor := ""
		for {
			page, err := svc.Clients(owner, model.ClientsQuery{Limit: 7, Cursor: cursor, Statuses: everything})
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, page.Items...)
			if cursor = page.Next; cursor == "" {
				break
			}
		}
		if len(rows) != len(plans) {
			t.Fatalf("+%v: %d rows, want %d", later, len(rows), len(plans))
		}
		for i, got := range rows {
			p, _ := db.Plan(got.Token)
			want := oracle(t, svc, p, now)
			if got.Active != want.Active || !got.LastActivity.Equal(want.LastActivity) || got.StretchedDays != want.StretchedDays ||
				got.DaysSoFar != want.DaysSoFar || got.RedFlag != want.RedFlag || got.StillSore != want.StillSore ||
				got.Attention != want.Attention || got.InactiveDays != want.InactiveDays {
				t.Fatalf("+%v: %s\n kept row %+v\n history  %+v", later, p.ClientName, got, want)
			}
			if i > 0 && rank(rows[i-1]) > rank(got) {
				t.Fatalf("+%v: row %d (%s, rank %d) after rank %d", later, i, got.ClientName, rank(got), rank(rows[i-1]))
			}
		}
	}
}

// rank is a row's part of the list, in order.
func rank(c ClientSummary) int {
	switch {
	case c.RedFlag:
		return 0
	case c.StillSore:
		return 1
	case c.Attention == AttentionInactive:
		return 2
	case c.Active:
		return 3
	}
	return 4
}
