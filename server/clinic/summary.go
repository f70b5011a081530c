package clinic

import (
	"cmp"
	"slices"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// SummaryInput is what the therapist's before-the-session summary reads. The
// caller loads it; nothing here reads storage or the clock.
type SummaryInput struct {
	// CheckIns, PSFS, Preparations and Completions are the plan's records, in any order.
	CheckIns     []CheckIn
	PSFS         []PSFS
	Preparations []Preparation
	Completions  []model.Completion
	// LastSession is the session the summary runs from; NextSession the one it prepares (nil if none booked).
	LastSession time.Time
	NextSession *time.Time
	Now         time.Time
	// Location is the client's zone: adherence counts its calendar days.
	Location *time.Location
	// AlertsHandledAt and AlertsHandledBy are the plan's (model.Plan): flags
	// received up to then count as handled, by that therapist.
	AlertsHandledAt *time.Time
	AlertsHandledBy string
}

// Trend is a rating's first and latest value since the last session.
type Trend struct {
	Readings int       `json:"readings"`
	FirstAt  time.Time `json:"firstAt"`
	First    int       `json:"first"`
	LatestAt time.Time `json:"latestAt"`
	Latest   int       `json:"latest"`
	// Change is Latest - First.
	Change int `json:"change"`
	// Verdict needs two readings (empty with one). For pain and soreness lower
	// is better and MeaningfulPainChange is a real change; for sitting longer
	// is better (SitChangeMinutes, SitChangeShare).
	Verdict Verdict `json:"verdict,omitempty"`
}

// LegChanges counts the leg-symptom answers since the last session.
type LegChanges struct {
	Down   int       `json:"down"`
	Up     int       `json:"up"`
	Same   int       `json:"same"`
	Latest LegChange `json:"latest"`
}

// Adherence is the client's calendar days with a stretch session, out of
// the days from the last session's day to today (both counted).
type Adherence struct {
	DaysStretched int `json:"daysStretched"`
	Days          int `json:"days"`
}

// FlagEvent is one check-in that raised a tier.
type FlagEvent struct {
	CheckInID string    `json:"checkInId"`
	At        time.Time `json:"at"`
	Tier      Tier      `json:"tier"`
	Flags     []Flag    `json:"flags"`
	Handled   bool      `json:"handled"`
	// HandledBy is the therapist id that marked it handled, when Handled.
	HandledBy string     `json:"handledBy,omitempty"`
	HandledAt *time.Time `json:"handledAt,omitempty"`
}

// Notice is a check-in whose advice told the client to contact the therapist
// (still sore at 48 h or 72 h, symptoms moving down the leg, leg pain rising).
type Notice struct {
	CheckInID string    `json:"checkInId"`
	At        time.Time `json:"at"`
	Advice    []string  `json:"advice"`
	Handled   bool      `json:"handled"`
}

// Summary is the therapist's one-screen view before the next session.
type Summary struct {
	Since       time.Time  `json:"since"`
	NextSession *time.Time `json:"nextSession,omitempty"`
	// CheckIns counts the complete ones since the last session (not the partial ones).
	CheckIns   int        `json:"checkIns"`
	BackPain   *Trend     `json:"backPain"`
	LegPain    *Trend     `json:"legPain"`
	Soreness   *Trend     `json:"soreness"`
	SitMinutes *Trend     `json:"sitMinutes"`
	LegChanges LegChanges `json:"legChanges"`
	// NightsWoken counts check-ins since the session that said pain woke them, of NightsAnswered.
	NightsWoken    int       `json:"nightsWoken"`
	NightsAnswered int       `json:"nightsAnswered"`
	Adherence      Adherence `json:"adherence"`
	// PSFS is the change from the first rating ever to the latest (nil with fewer than two);
	// PSFSSinceSession from the latest rating at or before the last session to the latest.
	PSFS             *PSFSComparison `json:"psfs"`
	PSFSSinceSession *PSFSComparison `json:"psfsSinceSession"`
	// Preparation is the latest form answered since the last session.
	Preparation *Preparation `json:"preparation"`
	// Flags are tier events since the last session, and older ones not yet handled; newest first.
	Flags   []FlagEvent `json:"flags"`
	Notices []Notice    `json:"notices"`
	// Latest is the newest complete check-in, in the client's words.
	Latest *CheckIn `json:"latest"`
}

func byAt[T any](at func(T) time.Time) func(a, b T) int {
	return func(a, b T) int { return at(a).Compare(at(b)) }
}

// Summarize builds the before-the-session summary.
func Summarize(in SummaryInput) Summary {
	s := Summary{Since: in.LastSession, NextSession: in.NextSession, Flags: []FlagEvent{}, Notices: []Notice{}}
	checks := slices.Clone(in.CheckIns)
	slices.SortStableFunc(checks, func(a, b CheckIn) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	// A phone's clock may run a little ahead (the decoders allow 10 minutes):
	// records stamped after now are left for the next summary.
	checks = slices.DeleteFunc(checks, func(c CheckIn) bool { return c.At.After(in.Now) })
	// The trends, leg answers, nights and the latest answers read the complete
	// check-ins; a partial one (warning signs only) is in the flags.
	var since []CheckIn
	for _, c := range checks {
		if !c.At.Before(in.LastSession) && c.Complete() {
			since = append(since, c)
		}
	}
	s.CheckIns = len(since)
	for i := len(checks) - 1; i >= 0; i-- {
		if checks[i].Complete() {
			latest := checks[i]
			s.Latest = &latest
			break
		}
	}
	rating := func(v func(CheckIn) int) *Trend {
		return trend(since, func(c CheckIn) (int, bool) { return v(c), true }, painVerdict)
	}
	s.BackPain = rating(func(c CheckIn) int { return c.BackPain })
	s.LegPain = rating(func(c CheckIn) int { return c.LegPain })
	s.Soreness = rating(func(c CheckIn) int { return c.Soreness })
	s.SitMinutes = trend(since, func(c CheckIn) (int, bool) {
		if c.SitMinutes == nil {
			return 0, false
		}
		return *c.SitMinutes, true
	}, func(first, latest int) Verdict {
		switch sitDirection(first, latest) {
		case 1:
			return VerdictBetter
		case -1:
			return VerdictWorse
		}
		return VerdictNoChange
	})
	s.LegChanges.Latest = LegUnknown
	for _, c := range since {
		switch c.LegChange {
		case LegDown:
			s.LegChanges.Down++
		case LegUp:
			s.LegChanges.Up++
		case LegSame:
			s.LegChanges.Same++
		}
		if c.LegChange != LegUnknown && c.LegChange != "" {
			s.LegChanges.Latest = c.LegChange
		}
		if c.WokeAtNight != nil {
			s.NightsAnswered++
			if *c.WokeAtNight {
				s.NightsWoken++
			}
		}
	}
	s.Adherence = adherence(in.Completions, in.LastSession, in.Now, in.Location)
	s.PSFS, s.PSFSSinceSession = psfsChanges(in.PSFS, in.LastSession, in.Now)
	s.Preparation = latestPreparation(in.Preparations, in.LastSession, in.Now)
	handled := func(c CheckIn) bool {
		return in.AlertsHandledAt != nil && !receivedOrAt(c.ReceivedAt, c.At).After(*in.AlertsHandledAt)
	}
	for i := len(checks) - 1; i >= 0; i-- {
		c := checks[i]
		recent := !c.At.Before(in.LastSession)
		h := handled(c)
		if t := c.Tier(); t > None && (recent || !h) {
			e := FlagEvent{CheckInID: c.ID, At: c.At, Tier: t, Flags: c.Flags(), Handled: h}
			if h {
				e.HandledBy, e.HandledAt = in.AlertsHandledBy, in.AlertsHandledAt
			}
			s.Flags = append(s.Flags, e)
		}
		if !recent {
			continue
		}
		var ids []string
		// The rules look back RisingWindow at most: hand them that much history.
		from, _ := slices.BinarySearchFunc(checks[:i], c.At.Add(-RisingWindow), func(e CheckIn, t time.Time) int { return e.At.Compare(t) })
		for _, a := range Advice(c, checks[from:i], in.LastSession) {
			if a.TellTherapist {
				ids = append(ids, a.ID)
			}
		}
		if len(ids) > 0 {
			s.Notices = append(s.Notices, Notice{CheckInID: c.ID, At: c.At, Advice: ids, Handled: h})
		}
	}
	return s
}

// trend reads one value from each check-in that has it (oldest first).
func trend(checks []CheckIn, value func(CheckIn) (int, bool), judge func(first, latest int) Verdict) *Trend {
	var t *Trend
	for _, c := range checks {
		v, ok := value(c)
		if !ok {
			continue
		}
		if t == nil {
			t = &Trend{FirstAt: c.At, First: v}
		}
		t.Readings++
		t.LatestAt, t.Latest = c.At, v
	}
	if t == nil {
		return nil
	}
	t.Change = t.Latest - t.First
	if t.Readings > 1 {
		t.Verdict = judge(t.First, t.Latest)
	}
	return t
}

// painVerdict: a 0–10 pain or soreness rating falling by MeaningfulPainChange is better.
func painVerdict(first, latest int) Verdict {
	switch d := latest - first; {
	case d <= -MeaningfulPainChange:
		return VerdictBetter
	case d >= MeaningfulPainChange:
		return VerdictWorse
	}
	return VerdictNoChange
}

// adherence counts calendar days in loc with a completion of at least one
// stretch, from the last session's day to now's day.
func adherence(done []model.Completion, lastSession, now time.Time, loc *time.Location) Adherence {
	if now.Before(lastSession) {
		return Adherence{}
	}
	first, today := civilDay(lastSession, loc), civilDay(now, loc)
	a := Adherence{Days: today - first + 1}
	days := map[int]bool{}
	for _, c := range done {
		d := civilDay(c.At, loc)
		if c.Done > 0 && d >= first && !c.At.After(now) {
			days[d] = true
		}
	}
	a.DaysStretched = min(len(days), a.Days)
	return a
}

// psfsChanges compares the first rating with the latest, and the latest at or
// before the last session with the latest (ratings stamped after now left out).
func psfsChanges(ratings []PSFS, lastSession, now time.Time) (overall, sinceSession *PSFSComparison) {
	rs := slices.DeleteFunc(slices.Clone(ratings), func(p PSFS) bool { return p.At.After(now) })
	if len(rs) < 2 {
		return nil, nil
	}
	slices.SortStableFunc(rs, byAt(func(p PSFS) time.Time { return p.At }))
	first, latest := rs[0], rs[len(rs)-1]
	c := PSFSChange(first, latest)
	overall = &c
	i := slices.IndexFunc(rs, func(p PSFS) bool { return p.At.After(lastSession) })
	if i > 0 && i < len(rs) { // some rating at or before the session, and one after it
		c := PSFSChange(rs[i-1], latest)
		sinceSession = &c
	}
	return overall, sinceSession
}

func latestPreparation(preps []Preparation, lastSession, now time.Time) *Preparation {
	var out *Preparation
	for i := range preps {
		p := preps[i]
		if p.At.Before(lastSession) || p.At.After(now) {
			continue
		}
		if out == nil || p.At.After(out.At) {
			out = &p
		}
	}
	return out
}

// ChartPoint is one point of the therapist's chart: a check-in (back and leg
// pain, soreness, its tier) or a PSFS rating (its average), on one time axis.
type ChartPoint struct {
	At       time.Time `json:"at"`
	BackPain *int      `json:"backPain,omitempty"`
	LegPain  *int      `json:"legPain,omitempty"`
	Soreness *int      `json:"soreness,omitempty"`
	// Tier is the check-in's tier, left out for None.
	Tier Tier `json:"tier,omitempty"`
	// PSFS is a rating's average, 0–10 (higher is better).
	PSFS *float64 `json:"psfs,omitempty"`
}

// Chart merges check-ins and PSFS ratings into one series, oldest first; a
// partial check-in is a point with its tier and no ratings.
func Chart(checks []CheckIn, ratings []PSFS) []ChartPoint {
	out := make([]ChartPoint, 0, len(checks)+len(ratings))
	for _, c := range checks {
		if c.Partial { // its tier, no ratings
			out = append(out, ChartPoint{At: c.At, Tier: c.Tier()})
			continue
		}
		out = append(out, ChartPoint{At: c.At, BackPain: ptr(c.BackPain), LegPain: ptr(c.LegPain), Soreness: ptr(c.Soreness), Tier: c.Tier()})
	}
	for _, p := range ratings {
		out = append(out, ChartPoint{At: p.At, PSFS: ptr(p.Average())})
	}
	slices.SortStableFunc(out, byAt(func(p ChartPoint) time.Time { return p.At }))
	return out
}

// Attention is why a client is on top of the therapist's clients list.
type Attention string

// The reasons, most urgent first (see Rank).
const (
	AttentionEmergency Attention = "emergency-now"
	AttentionSeeDoctor Attention = "see-doctor-soon"
	AttentionStillSore Attention = "still-sore"
	AttentionWorsening Attention = "worsening"
	AttentionNone      Attention = ""
)

// Rank orders the clients list: 0 first; AttentionNone last.
func (a Attention) Rank() int {
	switch a {
	case AttentionEmergency:
		return 0
	case AttentionSeeDoctor:
		return 1
	case AttentionStillSore:
		return 2
	case AttentionWorsening:
		return 3
	}
	return 4
}

// AttentionFor is the most urgent reason among a plan's check-ins that are
// still pending (received after alertsHandledAt; nil: never handled): a tier
// from any of them; still sore, or legs worsening (symptoms moving down or
// leg pain rising), from the newest complete one only (a partial check-in has
// no ratings), as the clients list does today.
func AttentionFor(checks []CheckIn, sessionAt time.Time, alertsHandledAt *time.Time) Attention {
	pending := func(c CheckIn) bool {
		return alertsHandledAt == nil || receivedOrAt(c.ReceivedAt, c.At).After(*alertsHandledAt)
	}
	tier := None
	var newest *CheckIn
	for i := range checks {
		c := &checks[i]
		if c.Complete() && (newest == nil || c.At.After(newest.At) || c.At.Equal(newest.At) && c.ID > newest.ID) {
			newest = c
		}
		if pending(*c) {
			tier = max(tier, c.Tier())
		}
	}
	switch {
	case tier == EmergencyNow:
		return AttentionEmergency
	case tier == SeeDoctorSoon:
		return AttentionSeeDoctor
	case newest == nil || !pending(*newest):
		return AttentionNone
	case StillSore(newest.Soreness, newest.At, sessionAt):
		return AttentionStillSore
	}
	for _, a := range Advice(*newest, checks, sessionAt) {
		if a.ID == AdviceLegMovingDown || a.ID == AdviceLegPainRising {
			return AttentionWorsening
		}
	}
	return AttentionNone
}
