package remind

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// testPlan is a plan on 2026-11-26 10:00 Europe/Berlin: stretch at 19:00 for
// 7 days, next session a week later, default prefs.
func testPlan(tb testing.TB, token string) model.Plan {
	tb.Helper()
	loc := mustLoc(tb, "Europe/Berlin")
	next := time.Date(2026, 12, 3, 10, 0, 0, 0, loc)
	return model.Plan{
		Token: token, TherapistID: "th1", ClientName: "Sam Example", RoutineID: "sciatica-gentle",
		SessionAt: time.Date(2026, 11, 26, 10, 0, 0, 0, loc), NextSessionAt: &next,
		TimeZone: "Europe/Berlin", StretchTime: "19:00", Days: 7, Prefs: model.DefaultPrefs(),
		CreatedAt: time.Date(2026, 11, 26, 10, 5, 0, 0, loc),
	}
}

// firings lists every firing of r after from, as the scheduler would step
// through them (each one sent), as local times.
func firings(r *Rule, from time.Time) []string {
	var out []string
	after, last := from, ""
	for range 400 {
		f, ok := r.Next(after, last)
		if !ok {
			break
		}
		out = append(out, f.Local)
		after, last = f.At, f.Local
	}
	return out
}

// firingsByKind derives p's rules and lists their local fire times per kind, sorted.
func firingsByKind(tb testing.TB, p model.Plan, from time.Time) map[string][]string {
	tb.Helper()
	rules, err := Rules(p)
	if err != nil {
		tb.Fatal(err)
	}
	out := map[string][]string{}
	for i := range rules {
		out[rules[i].Kind] = append(out[rules[i].Kind], firings(&rules[i], from)...)
	}
	for k := range out {
		slices.Sort(out[k])
		if len(out[k]) == 0 {
			delete(out, k)
		}
	}
	return out
}

func TestRules(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	base := func() model.Plan { return testPlan(t, "tok") }
	week := []string{"2026-11-26T19:00", "2026-11-27T19:00", "2026-11-28T19:00", "2026-11-29T19:00",
		"2026-11-30T19:00", "2026-12-01T19:00", "2026-12-02T19:00"}
	cases := []struct {
		name string
		edit func(*model.Plan)
		want map[string][]string
	}{
		{
			name: "default",
			edit: func(*model.Plan) {},
			want: map[string][]string{
				model.KindHydration: {"2026-11-26T12:00", "2026-11-27T12:00", "2026-12-03T08:30"},
				model.KindStretch:   week,
				model.KindCheckIn:   {"2026-11-27T10:00", "2026-11-28T10:00"},
				model.KindFollowUp:  {"2026-12-02T18:00", "2026-12-03T08:00"},
				model.KindTip:       {"2026-11-26T13:00"},
			},
		},
		{
			name: "disabled kinds",
			edit: func(p *model.Plan) { p.Prefs.Disabled = []string{model.KindHydration, model.KindTip} },
			want: map[string][]string{
				model.KindStretch:  week,
				model.KindCheckIn:  {"2026-11-27T10:00", "2026-11-28T10:00"},
				model.KindFollowUp: {"2026-12-02T18:00", "2026-12-03T08:00"},
			},
		},
		{
			// 05:00 session: +2 h hydration (07:00) and +3 h tip (08:00 is already
			// outside) move to 08:00; a 22:00 stretch fires at 20:45, 15 minutes
			// before quiet hours, the same day (not tomorrow, and not never).
			name: "quiet hours",
			edit: func(p *model.Plan) {
				p.SessionAt = time.Date(2026, 11, 26, 5, 0, 0, 0, loc)
				p.StretchTime = "22:00"
				p.NextSessionAt = nil
			},
			want: map[string][]string{
				model.KindHydration: {"2026-11-26T08:00", "2026-11-27T12:00"},
				model.KindStretch: {"2026-11-26T20:45", "2026-11-27T20:45", "2026-11-28T20:45", "2026-11-29T20:45",
					"2026-11-30T20:45", "2026-12-01T20:45", "2026-12-02T20:45"},
				model.KindCheckIn: {"2026-11-27T08:00", "2026-11-28T08:00"},
				model.KindTip:     {"2026-11-26T08:00"},
			},
		},
		{
			name: "evening stretch in quiet hours fires before them the same day",
			edit: func(p *model.Plan) {
				p.StretchTime = "21:30"
				p.Days = 3
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			want: map[string][]string{model.KindStretch: {"2026-11-26T20:45", "2026-11-27T20:45", "2026-11-28T20:45"}},
		},
		{
			name: "stretch just after midnight in quiet hours fires before them the same day",
			edit: func(p *model.Plan) {
				p.StretchTime = "23:59"
				p.Days = 2
				p.Prefs.QuietStart, p.Prefs.QuietEnd = "22:00", "06:30"
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			want: map[string][]string{model.KindStretch: {"2026-11-26T21:45", "2026-11-27T21:45"}},
		},
		{
			// Quiet hours leave only 20:50–21:00: the stretch goes at 20:50, not into them.
			name: "evening stretch before a short waking window",
			edit: func(p *model.Plan) {
				p.StretchTime = "21:30"
				p.Days = 2
				p.Prefs.QuietStart, p.Prefs.QuietEnd = "21:00", "20:50"
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			want: map[string][]string{model.KindStretch: {"2026-11-26T20:50", "2026-11-27T20:50"}},
		},
		{
			// 20:50 session: its own day's 20:45 would come before it.
			name: "stretch moved before quiet hours never fires before the session",
			edit: func(p *model.Plan) {
				p.SessionAt = time.Date(2026, 11, 26, 20, 50, 0, 0, loc)
				p.StretchTime = "21:30"
				p.Days = 3
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			want: map[string][]string{model.KindStretch: {"2026-11-27T20:45", "2026-11-28T20:45"}},
		},
		{
			// A tip is for the session day: in the evening's quiet hours it is skipped, not moved.
			name: "late tip in quiet hours is skipped",
			edit: func(p *model.Plan) {
				p.SessionAt = time.Date(2026, 11, 26, 19, 0, 0, 0, loc)
				p.NextSessionAt = nil
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindStretch}
			},
			want: map[string][]string{},
		},
		{
			name: "morning stretch 07:00 in quiet hours moves to their end",
			edit: func(p *model.Plan) {
				p.StretchTime = "07:00"
				p.Days = 3
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			want: map[string][]string{model.KindStretch: {"2026-11-27T08:00", "2026-11-28T08:00"}},
		},
		{
			name: "quiet hours off",
			edit: func(p *model.Plan) {
				p.SessionAt = time.Date(2026, 11, 26, 5, 0, 0, 0, loc)
				p.StretchTime = "22:00"
				p.NextSessionAt = nil
				p.Prefs.QuietStart, p.Prefs.QuietEnd = "00:00", "00:00"
			},
			want: map[string][]string{
				model.KindHydration: {"2026-11-26T07:00", "2026-11-27T12:00"},
				model.KindStretch: {"2026-11-26T22:00", "2026-11-27T22:00", "2026-11-28T22:00", "2026-11-29T22:00",
					"2026-11-30T22:00", "2026-12-01T22:00", "2026-12-02T22:00"},
				model.KindCheckIn: {"2026-11-27T05:00", "2026-11-28T05:00"},
				model.KindTip:     {"2026-11-26T08:00"},
			},
		},
		{
			name: "morning stretch in quiet hours moves within the day",
			edit: func(p *model.Plan) {
				p.StretchTime = "07:15"
				p.Days = 3
				p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
			},
			// The session is at 10:00, so its own day's 07:15 (08:00) is before it.
			want: map[string][]string{model.KindStretch: {"2026-11-27T08:00", "2026-11-28T08:00"}},
		},
		{
			name: "no next session: book nudges on the cadence and at the end",
			edit: func(p *model.Plan) {
				p.NextSessionAt = nil
				p.CadenceDays = 7
				p.Days = 21
				p.Prefs.Disabled = []string{model.KindHydration, model.KindStretch, model.KindCheckIn, model.KindTip}
			},
			want: map[string][]string{model.KindFollowUp: {"2026-12-03T10:00", "2026-12-10T10:00", "2026-12-16T10:00"}},
		},
		{
			name: "early next session: prepare two hours ahead, no separate hydration",
			edit: func(p *model.Plan) {
				next := time.Date(2026, 12, 3, 9, 0, 0, 0, loc)
				p.NextSessionAt = &next
				p.Prefs.Disabled = []string{model.KindStretch, model.KindCheckIn, model.KindTip}
			},
			// 07:00 falls into quiet hours and moves to 08:00, still before the session.
			want: map[string][]string{
				model.KindHydration: {"2026-11-26T12:00", "2026-11-27T12:00"},
				model.KindFollowUp:  {"2026-12-02T18:00", "2026-12-03T08:00"},
			},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := base()
			c.edit(&p)
			// From the moment the plan is made: nothing fires before the session.
			got := firingsByKind(t, p, p.SessionAt.Add(-6*time.Hour))
			if !equalFirings(got, c.want) {
				t.Errorf("firings:\n got  %v\n want %v", got, c.want)
			}
		})
	}
}

func equalFirings(a, b map[string][]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if !slices.Equal(v, b[k]) {
			return false
		}
	}
	return true
}

func TestRuleDetails(t *testing.T) {
	p := testPlan(t, "tok123")
	rules, err := Rules(p)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]*Rule{}
	for i := range rules {
		r := &rules[i]
		if ids[r.ID] != nil {
			t.Errorf("duplicate rule id %s", r.ID)
		}
		ids[r.ID] = r
		if len(r.Body) > 125 || r.Title == "" {
			t.Errorf("%s: body %d chars: %q", r.ID, len(r.Body), r.Body)
		}
		if len(r.Topic) > 32 || r.Topic != Topic("tok123", r.Kind) {
			t.Errorf("%s: topic %q", r.ID, r.Topic)
		}
		if r.TTL == 0 || r.Urgency == "" || r.Grace == 0 {
			t.Errorf("%s: policy %+v", r.ID, r.Policy)
		}
		for _, word := range []string{"sore", "pain level", "numb"} {
			if strings.Contains(strings.ToLower(r.Title), word) {
				t.Errorf("%s: health detail %q on the lock screen: %q", r.ID, word, r.Title)
			}
		}
	}
	st := ids["stretch-daily"]
	if st == nil || st.URL != "/p/tok123#/play" || st.Spec != "0 19 * * *" || !strings.HasPrefix(st.Body, "Sam, ") ||
		st.TTL != 6*time.Hour || st.Urgency != "high" || st.Grace != 3*time.Hour {
		t.Errorf("stretch rule = %+v", st)
	}
	if c := ids["checkin-24h"]; c == nil || c.URL != "/p/tok123#/checkin" || c.Urgency != "normal" || c.Grace != 6*time.Hour {
		t.Errorf("checkin rule = %+v", c)
	}
	if h := ids["hydration-after"]; h == nil || h.URL != "/p/tok123#/today" || h.TTL != 3*time.Hour || h.Grace != 2*time.Hour {
		t.Errorf("hydration rule = %+v", h)
	}
	// The client's "prepare" reminder opens the "Prepare for your session" form.
	if pr := ids["followup-prepare"]; pr == nil || pr.URL != "/p/tok123#/prepare" {
		t.Errorf("prepare rule = %+v", pr)
	}
	m := st.Message("https://care.example.org")
	if m.URL != "https://care.example.org/p/tok123#/play" || m.Kind != "stretch" || m.Tag != "stretch" || m.Topic != st.Topic {
		t.Errorf("message = %+v", m)
	}
	if _, err := Rules(model.Plan{TimeZone: "Mars/Olympus", StretchTime: "19:00"}); err == nil {
		t.Error("unknown zone accepted")
	}
	if _, err := Rules(model.Plan{TimeZone: "UTC", StretchTime: "25:00"}); err == nil {
		t.Error("bad stretch time accepted")
	}
}
