package remind

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

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
