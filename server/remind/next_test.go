package remind

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

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
				Prefs:     nightStretchPrefs(),
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
		Prefs:     nightStretchPrefs()}
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
