package remind

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// Quiet is the client's daily window without reminders, in minutes after
// local midnight; it may wrap midnight. Start == End means no quiet hours.
type Quiet struct{ Start, End int }

// QuietOf reads a plan's quiet hours; unreadable values fall back to 21:00–08:00.
func QuietOf(p model.Prefs) Quiet {
	s, err1 := parseClock(p.QuietStart)
	e, err2 := parseClock(p.QuietEnd)
	if err1 != nil || err2 != nil {
		return Quiet{Start: 21 * 60, End: 8 * 60}
	}
	return Quiet{Start: s, End: e}
}

// Contains reports whether the local time t falls into quiet hours.
func (q Quiet) Contains(t time.Time) bool {
	return q.contains(t.Hour()*60 + t.Minute())
}

func (q Quiet) contains(m int) bool {
	switch {
	case q.Start == q.End:
		return false
	case q.Start < q.End:
		return m >= q.Start && m < q.End
	default:
		return m >= q.Start || m < q.End
	}
}

// shift moves a wall time inside quiet hours to the end of that quiet window
// and reports whether that is on the next day.
func (q Quiet) shift(w time.Time) (time.Time, bool) {
	m := w.Hour()*60 + w.Minute()
	if !q.contains(m) {
		return w, false
	}
	day := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	end := day.Add(time.Duration(q.End) * time.Minute)
	if q.Start > q.End && m >= q.Start {
		return end.AddDate(0, 0, 1), true
	}
	return end, false
}

// before returns the wall time lead before the start of the quiet window
// that wall time w (in the evening part of a window wrapping midnight) falls
// into, on w's day; never earlier than the end of the morning's quiet hours,
// so it is itself outside them.
func (q Quiet) before(w time.Time, lead time.Duration) time.Time {
	day := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	m := max(q.Start-int(lead/time.Minute), q.End)
	return day.Add(time.Duration(m) * time.Minute)
}

// windowStart returns the start of the quiet window holding wall time w.
func (q Quiet) windowStart(w time.Time) (time.Time, bool) {
	m := w.Hour()*60 + w.Minute()
	if !q.contains(m) {
		return time.Time{}, false
	}
	day := time.Date(w.Year(), w.Month(), w.Day(), 0, 0, 0, 0, time.UTC)
	if q.Start > q.End && m < q.End {
		day = day.AddDate(0, 0, -1)
	}
	return day.Add(time.Duration(q.Start) * time.Minute), true
}

// parseClock reads "HH:MM" as minutes after midnight.
func parseClock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("time of day %q: want HH:MM", s)
	}
	return hh*60 + mm, nil
}
