package clinic

import (
	"slices"
	"time"
)

// The soreness rules. StillSoreThreshold and StillSoreAfter are the product's
// "still sore at 48 h" rule (model.CheckIn.StillSoreAfter48h, which the
// clients list, the therapist alert and the PWA use today); StillSore is that
// rule here, so those callers can move to it unchanged.
const (
	// StillSoreThreshold is the soreness (0–10) at which lasting soreness needs the therapist.
	StillSoreThreshold = 7
	// StillSoreAfter is when soreness from a deep-tissue massage has usually faded.
	StillSoreAfter = 48 * time.Hour
	// StillSoreStrongAfter is when lasting soreness gets the stronger advice.
	StillSoreStrongAfter = 72 * time.Hour
)

// Change thresholds.
const (
	// MeaningfulPainChange is the change in a 0–10 pain rating that counts as
	// real: 2 points (the minimal important change of the numeric pain rating
	// scale in low back pain).
	MeaningfulPainChange = 2
	// SitChangeMinutes and SitChangeShare: sitting tolerance has changed when it
	// moved by at least this many minutes and at least this share of the earlier answer.
	SitChangeMinutes = 10
	SitChangeShare   = 0.25
	// RisingWindow is how far back the leg-pain trend looks from a check-in.
	RisingWindow = 14 * 24 * time.Hour
	// RisingReadings is how many check-ins (this one included) the leg-pain trend reads.
	RisingReadings = 3
)

// StillSore reports whether soreness at time at is still StillSoreThreshold
// or more at least StillSoreAfter after the session.
func StillSore(soreness int, at, sessionAt time.Time) bool {
	return soreness >= StillSoreThreshold && at.Sub(sessionAt) >= StillSoreAfter
}

// AdviceItem is one thing the client's answers mean, in plain words.
type AdviceItem struct {
	// ID is stable, for translations and the app's offline copy.
	ID   string `json:"id"`
	Kind Kind   `json:"kind"`
	// TellTherapist: the therapist should hear of this check-in.
	TellTherapist bool   `json:"tellTherapist"`
	Text          string `json:"text"`
}

// rule is one row of the advice table: when applies, the message id is shown.
type rule struct {
	id      string
	applies func(r reading) bool
}

// reading is what the rules look at: the check-in, the few just before it, and the session.
type reading struct {
	ci CheckIn
	// last holds up to RisingReadings-1 check-ins just before ci, oldest first.
	last []*CheckIn
	// lastSit is the latest check-in before ci with a sitting answer, or nil.
	lastSit   *CheckIn
	sessionAt time.Time
}

// rules is the advice table, in the order the app shows the messages (most
// pressing first). Each message's kind and text are in content.Advice.
var rules = []rule{
	{AdviceSoreness72h, func(r reading) bool {
		return StillSore(r.ci.Soreness, r.ci.At, r.sessionAt) && r.ci.At.Sub(r.sessionAt) >= StillSoreStrongAfter
	}},
	{AdviceSoreness48h, func(r reading) bool {
		return StillSore(r.ci.Soreness, r.ci.At, r.sessionAt) && r.ci.At.Sub(r.sessionAt) < StillSoreStrongAfter
	}},
	{AdviceLegMovingDown, func(r reading) bool { return r.ci.LegChange == LegDown }},
	{AdviceLegPainRising, legPainRising},
	{AdviceNightWaking, func(r reading) bool { return r.ci.WokeAtNight != nil && *r.ci.WokeAtNight }},
	{AdviceSittingWorse, func(r reading) bool { return sitChange(r) < 0 }},
	{AdviceLegMovingUp, func(r reading) bool { return r.ci.LegChange == LegUp }},
	{AdviceSittingBetter, func(r reading) bool { return sitChange(r) > 0 }},
	{AdviceSorenessNorm, func(r reading) bool {
		since := r.ci.At.Sub(r.sessionAt)
		return r.ci.Soreness >= 1 && since >= 0 && since < StillSoreAfter
	}},
}

// legPainRising: over the last RisingReadings check-ins within RisingWindow
// (this one the newest), leg pain never fell and rose by MeaningfulPainChange or more.
func legPainRising(r reading) bool {
	if len(r.last) < RisingReadings-1 || r.ci.At.Sub(r.last[0].At) > RisingWindow {
		return false
	}
	prev := r.last[0].LegPain
	for _, c := range append(r.last[1:], &r.ci) {
		if c.LegPain < prev {
			return false
		}
		prev = c.LegPain
	}
	return r.ci.LegPain-r.last[0].LegPain >= MeaningfulPainChange
}

// sitChange compares the sitting answer with the most recent earlier one
// within RisingWindow: +1 longer, -1 shorter, 0 no real change or nothing to compare.
func sitChange(r reading) int {
	if r.ci.SitMinutes == nil || r.lastSit == nil || r.ci.At.Sub(r.lastSit.At) > RisingWindow {
		return 0
	}
	return sitDirection(*r.lastSit.SitMinutes, *r.ci.SitMinutes)
}

// sitDirection is +1 when latest is really longer than earlier, -1 really
// shorter, else 0 (see SitChangeMinutes).
func sitDirection(earlier, latest int) int {
	d := latest - earlier
	need := max(float64(SitChangeMinutes), SitChangeShare*float64(earlier))
	switch {
	case float64(d) >= need:
		return 1
	case float64(-d) >= need:
		return -1
	}
	return 0
}

// newer orders check-ins by the client's time, then id: the history's order.
func newer(a, b *CheckIn) bool {
	return a.At.After(b.At) || a.At.Equal(b.At) && a.ID > b.ID
}

// readingFor finds, in one pass over history in any order, what the rules
// need of the check-ins before ci (ci's own id, later ones and partial ones left out).
func readingFor(ci CheckIn, history []CheckIn, sessionAt time.Time) reading {
	r := reading{ci: ci, sessionAt: sessionAt, last: make([]*CheckIn, 0, RisingReadings-1)}
	for i := range history {
		c := &history[i]
		if c.ID == ci.ID || !newer(&ci, c) || c.Partial { // a partial one has no ratings or leg answers
			continue
		}
		if c.SitMinutes != nil && (r.lastSit == nil || newer(c, r.lastSit)) {
			r.lastSit = c
		}
		// Keep the newest RisingReadings-1, oldest first: c goes before the
		// first kept one newer than it, the oldest dropping out when full.
		j := slices.IndexFunc(r.last, func(l *CheckIn) bool { return newer(l, c) })
		if j < 0 {
			j = len(r.last)
		}
		switch {
		case len(r.last) < RisingReadings-1:
			r.last = slices.Insert(r.last, j, c)
		case j > 0:
			copy(r.last[:j-1], r.last[1:j])
			r.last[j-1] = c
		}
	}
	return r
}

// Advice is what check-in ci means for the client, most pressing first.
// history is the plan's other check-ins in any order (ci may be among them;
// later ones are ignored); sessionAt is the last session before ci. Times
// are the client's (ci.At), so a check-in the outbox delivers late gets the
// advice it had when it was answered.
//
// With an emergency sign the tier screen says everything: no advice. With a
// see-doctor sign, good news and reassurance are left out, so nothing on the
// screen reads as "this is fine".
func Advice(ci CheckIn, history []CheckIn, sessionAt time.Time) []AdviceItem {
	tier := ci.Tier()
	out := []AdviceItem{}
	if tier == EmergencyNow || ci.Partial {
		return out
	}
	r := readingFor(ci, history, sessionAt)
	for _, rl := range rules {
		if !rl.applies(r) {
			continue
		}
		t, _ := adviceText(rl.id) // a test checks every rule has its text
		if tier == SeeDoctorSoon && (t.Kind == KindGood || t.Kind == KindReassure) {
			continue
		}
		out = append(out, AdviceItem(t))
	}
	return out
}

// Assessment is everything a check-in's answers lead to.
type Assessment struct {
	Tier   Tier         `json:"tier"`
	Flags  []Flag       `json:"flags"`
	Advice []AdviceItem `json:"advice"`
}

// Assess is ci's tier, the warning signs answered yes and its advice
// (see Advice for history and sessionAt).
func Assess(ci CheckIn, history []CheckIn, sessionAt time.Time) Assessment {
	return Assessment{Tier: ci.Tier(), Flags: ci.Flags(), Advice: Advice(ci, history, sessionAt)}
}

// TellTherapist reports whether the therapist must hear of this check-in:
// any tier, or any advice that says so.
func (a Assessment) TellTherapist() bool {
	return a.Tier > None || slices.ContainsFunc(a.Advice, func(i AdviceItem) bool { return i.TellTherapist })
}
