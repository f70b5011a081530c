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

func TestQuiet(t *testing.T) {
	q := QuietOf(model.DefaultPrefs())
	at := func(h, m int) time.Time { return time.Date(2026, 1, 1, h, m, 0, 0, time.UTC) }
	for _, c := range []struct {
		h, m    int
		want    time.Time
		nextDay bool
	}{
		{7, 0, at(8, 0), false},
		{8, 0, at(8, 0), false},
		{20, 59, at(20, 59), false},
		{21, 0, at(8, 0).AddDate(0, 0, 1), true},
		{23, 30, at(8, 0).AddDate(0, 0, 1), true},
		{0, 0, at(8, 0), false},
	} {
		got, nd := q.shift(at(c.h, c.m))
		if !got.Equal(c.want) || nd != c.nextDay {
			t.Errorf("shift %02d:%02d = %v %v, want %v %v", c.h, c.m, got, nd, c.want, c.nextDay)
		}
	}
	for _, c := range []struct {
		q    Quiet
		h, m int
		want time.Time
	}{
		{q, 21, 30, at(20, 45)},
		{q, 23, 59, at(20, 45)},
		{Quiet{Start: 21 * 60, End: 20*60 + 50}, 21, 30, at(20, 50)}, // never into the morning's quiet hours
		{Quiet{Start: 10, End: 0}, 0, 20, at(0, 0)},                  // never the day before
	} {
		if got := c.q.before(at(c.h, c.m), 15*time.Minute); !got.Equal(c.want) {
			t.Errorf("%+v before %02d:%02d = %v, want %v", c.q, c.h, c.m, got, c.want)
		}
	}
	day := Quiet{Start: 13 * 60, End: 15 * 60} // a nap, not wrapping
	if got, nd := day.shift(at(14, 0)); !got.Equal(at(15, 0)) || nd {
		t.Errorf("nap shift = %v %v", got, nd)
	}
	if (Quiet{Start: 600, End: 600}).Contains(at(10, 0)) {
		t.Error("equal start and end must mean no quiet hours")
	}
	if q := QuietOf(model.Prefs{QuietStart: "late", QuietEnd: "8"}); q != (Quiet{Start: 21 * 60, End: 8 * 60}) {
		t.Errorf("fallback = %+v", q)
	}
}

// TestDST: in two zones and across both transitions, a daily 02:30 reminder
// fires exactly once every day (in the spring gap when the gap ends, in the
// repeated autumn hour at its first occurrence), and a 19:00 one stays at
// 19:00 local on both sides.
func TestDST(t *testing.T) {
	cases := []struct {
		zone       string
		day        string // transition date
		spring     bool
		want0230   string // the transition day's firing, local with offset
		offBefore  string
		offAfter   string
		stretchDay int // session this many days before the transition
	}{
		{"Europe/Berlin", "2026-03-29", true, "2026-03-29T03:00:00+02:00", "+01:00", "+02:00", 3},
		{"Europe/Berlin", "2026-10-25", false, "2026-10-25T02:30:00+02:00", "+02:00", "+01:00", 3},
		{"America/New_York", "2026-03-08", true, "2026-03-08T03:00:00-04:00", "-05:00", "-04:00", 3},
		{"America/New_York", "2026-11-01", false, "2026-11-01T01:30:00-04:00", "-04:00", "-05:00", 3},
	}
	for _, c := range cases {
		t.Run(c.zone+"/"+c.day, func(t *testing.T) {
			loc := mustLoc(t, c.zone)
			tday, _ := time.ParseInLocation("2006-01-02", c.day, loc)
			clock := "02:30"
			if c.zone == "America/New_York" && !c.spring {
				clock = "01:30" // New York repeats 01:00–02:00
			}
			p := model.Plan{
				Token: "dst", ClientName: "Sam", TimeZone: c.zone, StretchTime: clock, Days: 7,
				SessionAt: tday.AddDate(0, 0, -c.stretchDay).Add(-12 * time.Hour), // noon, four days before
				Prefs:     model.Prefs{QuietStart: "00:00", QuietEnd: "00:00", Disabled: []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}},
			}
			// Session day noon: its 02:30 has passed, so days -3 to +2 fire, one each.
			got := stretchFirings(t, p)
			if len(got) != 6 {
				t.Fatalf("%d firings, want 6: %v", len(got), got)
			}
			perDay := map[string]int{}
			for _, f := range got {
				perDay[f.In(loc).Format("2006-01-02")]++
			}
			for d, n := range perDay {
				if n != 1 {
					t.Errorf("%s fires %d times", d, n)
				}
			}
			var onDay []string
			for _, f := range got {
				if f.In(loc).Format("2006-01-02") == c.day {
					onDay = append(onDay, f.In(loc).Format(time.RFC3339))
				}
			}
			if len(onDay) != 1 || onDay[0] != c.want0230 {
				t.Errorf("transition day firings = %v, want [%s]", onDay, c.want0230)
			}

			// 19:00 stays 19:00 local, with the offset changing underneath.
			p.StretchTime = "19:00"
			got = stretchFirings(t, p)
			if len(got) != 7 {
				t.Fatalf("%d firings in 7 days: %v", len(got), got)
			}
			for _, f := range got {
				l := f.In(loc)
				want := c.offBefore
				if !l.Before(tday) {
					want = c.offAfter
				}
				if l.Format("15:04") != "19:00" || l.Format("-07:00") != want {
					t.Errorf("19:00 rule fired at %s, want 19:00%s", l.Format(time.RFC3339), want)
				}
			}
		})
	}
}

// stretchFirings steps the plan's stretch rule as the scheduler does.
func stretchFirings(t *testing.T, p model.Plan) []time.Time {
	t.Helper()
	rules, err := Rules(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 1 || rules[0].Kind != model.KindStretch {
		t.Fatalf("rules = %+v", rules)
	}
	var out []time.Time
	after, last := p.SessionAt, ""
	for range 20 {
		f, ok := rules[0].Next(after, last)
		if !ok {
			break
		}
		out = append(out, f.At)
		after, last = f.At, f.Local
	}
	return out
}

// TestNextNeverRepeatsALocalTime: stepping from any instant inside the
// repeated autumn hour after the first 02:30 fired never fires 02:30 again.
func TestNextNeverRepeatsALocalTime(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	p := model.Plan{Token: "x", TimeZone: "Europe/Berlin", StretchTime: "02:30", Days: 5,
		SessionAt: time.Date(2026, 10, 23, 12, 0, 0, 0, loc),
		Prefs:     model.Prefs{QuietStart: "00:00", QuietEnd: "00:00", Disabled: []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}}}
	rules, _ := Rules(p)
	r := &rules[0]
	first := time.Date(2026, 10, 25, 0, 30, 0, 0, time.UTC) // 02:30 CEST
	for m := 0; m < 150; m++ {
		after := first.Add(time.Duration(m) * time.Minute) // through 02:30 CET and beyond
		f, ok := r.Next(after, "2026-10-25T02:30")
		if !ok || f.Local != "2026-10-26T02:30" {
			t.Fatalf("Next(%s) = %v %v", after.In(loc).Format(time.RFC3339), f, ok)
		}
	}
	// Not yet sent, asked from inside the second 02:00–03:00: the second 02:30 still fires.
	f, ok := r.Next(time.Date(2026, 10, 25, 1, 10, 0, 0, time.UTC), "2026-10-24T02:30")
	if !ok || f.At.In(loc).Format(time.RFC3339) != "2026-10-25T02:30:00+01:00" {
		t.Fatalf("second occurrence = %v %v", f, ok)
	}
}
