package remind

import (
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
)

// maxSteps bounds the search for a fire time (a daily rule whose every
// firing falls into quiet hours finds none before its window closes).
const maxSteps = 1000

// Next returns the first firing strictly after after whose local time is
// later than lastLocal (the one last sent), or false when the rule has none left.
//
// Next works on the client's wall clock, not on instants, because robfig's
// Schedule.Next misbehaves across DST in a zone: it skips a time in the spring
// gap for the whole day and fires twice in the repeated autumn hour. A wall
// time in the gap fires once when the gap ends; a repeated one fires at its
// first occurrence, and lastLocal keeps the second from firing again.
func (r *Rule) Next(after time.Time, lastLocal string) (Fire, bool) {
	if r.Spec == "" {
		return r.fireAt(wallOf(r.At, r.Loc), after, lastLocal)
	}
	sched := r.sched
	if sched == nil { // a Rule built by hand rather than by Rules
		var err error
		if sched, err = parseSpec(r.Spec); err != nil {
			return Fire{}, false
		}
	}
	start := after
	if start.Before(r.From) {
		start = r.From.Add(-time.Second)
	}
	w := wallOf(start, r.Loc)
	// A nominal time already passed may still lie ahead once quiet hours move
	// it, so search from the start of the quiet window we are in.
	if qs, ok := r.Quiet.windowStart(w); ok {
		w = qs.Add(-time.Second)
	}
	for range maxSteps {
		// A wall clock held as UTC has no DST: the schedule steps plain calendar time.
		w = sched.Next(w)
		if w.IsZero() {
			return Fire{}, false
		}
		nominal := firstInstant(w, r.Loc)
		if !r.Until.IsZero() && !nominal.Before(r.Until) {
			return Fire{}, false
		}
		if nominal.Before(r.From) {
			continue
		}
		if f, ok := r.fireAt(w, after, lastLocal); ok {
			return f, true
		}
	}
	return Fire{}, false
}

// fireAt turns the nominal wall time w into a firing: moved out of quiet
// hours, after after, inside the window, and not already sent.
func (r *Rule) fireAt(w time.Time, after time.Time, lastLocal string) (Fire, bool) {
	if nominal := firstInstant(w, r.Loc); nominal.Before(r.From) || !r.Until.IsZero() && !nominal.Before(r.Until) {
		return Fire{}, false
	}
	adj, nextDay := r.Quiet.shift(w)
	if nextDay && r.SameDay {
		if r.BeforeQuiet <= 0 {
			return Fire{}, false
		}
		adj = r.Quiet.before(w, r.BeforeQuiet)
	}
	var buf [3]time.Time
	for _, at := range appendInstants(buf[:0], adj, r.Loc) {
		if !at.After(after) || at.Before(r.From) {
			continue
		}
		if !r.Until.IsZero() && !at.Before(r.Until) {
			return Fire{}, false
		}
		local := formatLocal(at.In(r.Loc))
		if lastLocal != "" && local <= lastLocal {
			continue
		}
		return Fire{At: at, Local: local}, true
	}
	return Fire{}, false
}

// formatLocal is t.Format(LocalLayout) without the layout interpreter (a
// tick formats each due reminder's local time more than once).
func formatLocal(t time.Time) string {
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	if y < 1000 || y > 9999 {
		return t.Format(LocalLayout)
	}
	var b [16]byte
	two := func(i, v int) { b[i], b[i+1] = byte('0'+v/10), byte('0'+v%10) }
	two(0, y/100)
	two(2, y%100)
	b[4] = '-'
	two(5, int(mo))
	b[7] = '-'
	two(8, d)
	b[10] = 'T'
	two(11, h)
	b[13] = ':'
	two(14, mi)
	return string(b[:])
}

// recurs reports whether f's local wall time comes round again at a later
// instant (it lies in a repeated autumn hour, first pass).
func (r *Rule) recurs(f Fire) bool {
	var buf [3]time.Time
	in := appendInstants(buf[:0], wallOf(f.At, r.Loc), r.Loc)
	return len(in) > 1 && in[len(in)-1].After(f.At)
}

// wallOf returns t's wall clock in loc, held as a UTC time.
func wallOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
}

// firstInstant is the first of the instants of w in loc (see appendInstants).
func firstInstant(w time.Time, loc *time.Location) time.Time {
	var buf [3]time.Time
	return appendInstants(buf[:0], w, loc)[0]
}

// appendInstants appends to out the instants at which loc's clock shows the
// wall time w (held as UTC), earliest first: one normally, two in a repeated
// autumn hour, and for a time in the spring gap the instant the gap ends (a
// tick calls it for every due entry: callers pass a stack buffer instead of
// allocating).
func appendInstants(out []time.Time, w time.Time, loc *time.Location) []time.Time {
	guess := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), 0, loc)
	// No transition within 26 h either side: the common case, one lookup.
	if start, end := guess.ZoneBounds(); (start.IsZero() || !start.After(guess.Add(-26*time.Hour))) &&
		(end.IsZero() || end.After(guess.Add(26*time.Hour))) {
		return append(out, guess)
	}
	_, o0 := guess.Add(-26 * time.Hour).Zone()
	_, o1 := guess.Zone()
	_, o2 := guess.Add(26 * time.Hour).Zone()
	if o0 == o1 && o1 == o2 {
		return append(out, guess) // a transition that keeps the offset
	}
	base := len(out)
	var gapEnd time.Time
	for _, off := range []int{o0, o1, o2} {
		c := w.Add(-time.Duration(off) * time.Second).In(loc)
		switch cw := wallOf(c, loc); {
		case cw.Equal(w):
			if !slices.ContainsFunc(out[base:], c.Equal) {
				out = append(out, c)
			}
		case cw.After(w):
			// Read with the offset from before a spring transition, a wall time
			// in the gap lands after it; that zone period starts where the gap ends.
			start, _ := c.ZoneBounds()
			if !start.IsZero() && (gapEnd.IsZero() || start.Before(gapEnd)) {
				gapEnd = start
			}
		}
	}
	if len(out) == base {
		if gapEnd.IsZero() {
			return append(out, guess)
		}
		return append(out, gapEnd.In(loc))
	}
	slices.SortFunc(out[base:], func(a, b time.Time) int { return a.Compare(b) })
	return out
}

var (
	locations sync.Map // zone name -> *time.Location; LoadLocation parses tzdata on every call
	schedules sync.Map // spec -> cron.Schedule
)

// location resolves an IANA zone name, cached.
func location(name string) (*time.Location, error) {
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location), nil
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	locations.Store(name, l)
	return l, nil
}

func parseSpec(spec string) (cron.Schedule, error) {
	if s, ok := schedules.Load(spec); ok {
		return s.(cron.Schedule), nil
	}
	s, err := cron.ParseStandard(spec)
	if err != nil {
		return nil, fmt.Errorf("cron spec %q: %w", spec, err)
	}
	// "M H * * *", the daily stretch: the same answer without robfig's
	// field-by-field search (a tick asks twice per stretch reminder).
	var m, h int
	if n, err := fmt.Sscanf(spec, "%d %d * * *", &m, &h); err == nil && n == 2 && spec == fmt.Sprintf("%d %d * * *", m, h) &&
		m >= 0 && m < 60 && h >= 0 && h < 24 {
		s = daily{hour: h, min: m, spec: s}
	}
	schedules.Store(spec, s)
	return s, nil
}

// daily is a cron schedule firing every day at hour:min:00; spec is the
// parsed robfig schedule it stands for.
type daily struct {
	hour, min int
	spec      cron.Schedule
}

// Next returns the first hour:min:00 strictly after t, as robfig's
// SpecSchedule.Next does. Rule.Next passes wall clocks held as UTC; any other
// zone goes to robfig (its DST handling is its own).
func (d daily) Next(t time.Time) time.Time {
	if t.Location() != time.UTC {
		return d.spec.Next(t)
	}
	y, mo, day := t.Date()
	c := time.Date(y, mo, day, d.hour, d.min, 0, 0, time.UTC)
	if !c.After(t) {
		c = time.Date(y, mo, day+1, d.hour, d.min, 0, 0, time.UTC)
	}
	return c
}
