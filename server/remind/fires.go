package remind

import "time"

// maxFires bounds Fires (a 180-day plan has under 200 firings of all rules).
const maxFires = 2000

// Fires lists the rule's firings after after and before until (zero: up to
// the rule's own end), in order, stepping as the tick does when each one is
// sent: the next firing is the first after the previous one whose local time
// is later. The calendar feed derives its events from these, so a calendar
// and a push notification name the same times (quiet hours included).
func (r *Rule) Fires(after, until time.Time) []Fire {
	var out []Fire
	last := ""
	for len(out) < maxFires {
		f, ok := r.Next(after, last)
		if !ok || !until.IsZero() && !f.At.Before(until) {
			break
		}
		out = append(out, f)
		after, last = f.At, f.Local
	}
	return out
}
