// Package remind turns a plan into reminder rules, keeps their next fire times
// in the store's due-index, and sends what is due once a minute.
package remind

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // client zones must resolve on a slim host without /usr/share/zoneinfo

	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
)

// LocalLayout formats a fire time as the client's wall clock; it is the
// dedupe key stored as the rule's LastSentLocal.
const LocalLayout = "2006-01-02T15:04"

// Policy is how a kind of reminder travels: how long the push service keeps
// it, how urgently the phone shows it, and how late it may still go out after
// downtime.
type Policy struct {
	TTL     time.Duration
	Urgency string
	Grace   time.Duration
}

// Policies per kind. A hydration reminder is worthless hours later; a follow-up is not.
var Policies = map[string]Policy{
	model.KindHydration: {TTL: 3 * time.Hour, Urgency: "high", Grace: 2 * time.Hour},
	model.KindStretch:   {TTL: 6 * time.Hour, Urgency: "high", Grace: 3 * time.Hour},
	model.KindCheckIn:   {TTL: 12 * time.Hour, Urgency: "normal", Grace: 6 * time.Hour},
	model.KindFollowUp:  {TTL: 24 * time.Hour, Urgency: "normal", Grace: 12 * time.Hour},
	model.KindTip:       {TTL: 6 * time.Hour, Urgency: "low", Grace: 2 * time.Hour},
	model.KindTest:      {TTL: time.Hour, Urgency: "high"},
}

// StretchBeforeQuiet is how long before quiet hours a stretch time that falls
// into their evening part fires instead (that day's stretch is not skipped).
const StretchBeforeQuiet = 15 * time.Minute

// Rule is one reminder of a plan: what it says and when it fires. It fires
// either on a 5-field cron spec read in the client's zone or once at At, and
// only inside [From, Until).
type Rule struct {
	ID   string // stable across re-derivation, e.g. "stretch-daily"
	Kind string
	Spec string    // cron spec in Loc; empty for a one-shot rule
	At   time.Time // the one-shot time when Spec is empty
	// From and Until bound the window; a zero Until means no end.
	From, Until time.Time
	Loc         *time.Location
	Quiet       Quiet
	// SameDay forbids quiet hours from pushing the reminder into the next
	// local day; it is skipped instead (a stretch is for today, not tomorrow).
	SameDay bool
	// BeforeQuiet, for a SameDay rule, moves a time in the evening part of
	// quiet hours to this long before they start, on the same day, instead
	// of skipping it (the stretch: 21:30 with quiet hours from 21:00 fires
	// at 20:45). Zero: skipped.
	BeforeQuiet time.Duration
	// Title, Body and Actions are in the plan's language; a rule is derived
	// again when the plan changes, so a reminder speaks the language of the
	// plan as it is when it is sent.
	Title   string
	Body    string
	Actions []push.Action
	URL     string // path below the base URL, e.g. "/p/<token>#/play"
	Topic   string
	Policy

	sched cron.Schedule
}

// Fire is one firing of a rule: the instant and the client's wall clock.
type Fire struct {
	At    time.Time
	Local string
}

// Message is the push message for the rule, with baseURL in front of its path.
func (r *Rule) Message(baseURL string) push.Message {
	return push.Message{
		Kind: r.Kind, Title: r.Title, Body: r.Body, Actions: r.Actions, URL: baseURL + r.URL,
		Tag: r.Kind, Topic: r.Topic, TTL: r.TTL, Urgency: r.Urgency,
	}
}

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

// Topic returns the Web Push topic for a plan's reminders of one kind: the
// push service keeps only the newest undelivered one (one pending hydration
// reminder, not five).
func Topic(token, kind string) string {
	sum := sha256.Sum256([]byte(token + "/" + kind))
	return base64.RawURLEncoding.EncodeToString(sum[:])[:32]
}

// Rules derives the plan's reminder rules (design.md, "Reminders"), leaving
// out the kinds the client switched off. Times are in the client's zone,
// texts in the plan's language (English if it names none).
func Rules(p model.Plan) ([]Rule, error) {
	return derive(p, "", routines.English)
}

// RuleFor derives only the rule with this ID (a tick needs one rule of a
// plan, not its text for every other); nil if the plan has no such rule.
func RuleFor(p model.Plan, id string) (*Rule, error) {
	return ruleFor(p, id, routines.English)
}

// ruleFor is RuleFor with def as the language of a plan that names none.
func ruleFor(p model.Plan, id string, def language.Tag) (*Rule, error) {
	rules, err := derive(p, id, def)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	return &rules[0], nil
}

// derive builds the plan's rules, or only the one with ID only if set; def
// is the language of a plan that names none.
func derive(p model.Plan, only string, def language.Tag) ([]Rule, error) {
	loc, err := location(p.TimeZone)
	if err != nil {
		return nil, err
	}
	stretchAt, err := parseClock(p.StretchTime)
	if err != nil {
		return nil, fmt.Errorf("stretch time: %w", err)
	}
	d := deriver{p: p, only: only, loc: loc, quiet: QuietOf(p.Prefs), name: locale.FirstName(p.ClientName),
		lang: locale.Of(p.Language, def)}
	if only == "" {
		d.out = make([]Rule, 0, 12)
	}
	d.session = p.SessionAt.In(loc)
	d.day = time.Date(d.session.Year(), d.session.Month(), d.session.Day(), 0, 0, 0, 0, loc)
	d.ends = d.day.AddDate(0, 0, p.Days)

	// Hydration: water flushes the worked tissue.
	d.once(model.KindHydration, "hydration-after", d.session.Add(2*time.Hour), time.Time{}, text{named: true, screen: "today"})
	d.once(model.KindHydration, "hydration-next-day", d.clock(1, 12*60), time.Time{}, text{named: true, screen: "today"})

	// Stretch: daily at the chosen time while the plan runs.
	if d.wants(model.KindStretch, "stretch-daily") {
		spec := fmt.Sprintf("%d %d * * *", stretchAt%60, stretchAt/60)
		r := d.rule(model.KindStretch, "stretch-daily", text{named: true, screen: "play"})
		r.Spec, r.Until, r.SameDay, r.BeforeQuiet = spec, d.ends, true, StretchBeforeQuiet
		if r.sched, err = parseSpec(spec); err != nil {
			return nil, err
		}
		d.out = append(d.out, r)
	}

	// Soreness check-ins: same clock time one and two days on. Lock screens are
	// public, so the text asks for a check-in and says nothing about health.
	d.once(model.KindCheckIn, "checkin-24h", d.session.AddDate(0, 0, 1), time.Time{}, text{named: true, screen: "checkin"})
	d.once(model.KindCheckIn, "checkin-48h", d.session.AddDate(0, 0, 2), time.Time{}, text{named: true, screen: "checkin"})

	// Session-day tips, while the advice still applies: today, not tomorrow.
	if d.wants(model.KindTip, "tip-session") {
		r := d.rule(model.KindTip, "tip-session", text{screen: "today"})
		r.At, r.SameDay = d.session.Add(3*time.Hour), true
		d.out = append(d.out, r)
	}

	// Follow-up: before the booked session, or a nudge to book one.
	if p.NextSessionAt != nil {
		next := p.NextSessionAt.In(loc)
		nextDay := time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, loc)
		if d.wants(model.KindFollowUp, "followup-eve") {
			d.once(model.KindFollowUp, "followup-eve", nextDay.AddDate(0, 0, -1).Add(18*time.Hour), next,
				text{named: true, screen: "today", data: locale.Data{"Time": d.lang.Clock(next)}})
		}
		// Morning of: 08:30, or two hours ahead of an early session.
		prepare := nextDay.Add(8*time.Hour + 30*time.Minute)
		if early := next.Add(-2 * time.Hour); early.Before(prepare) {
			prepare = early
		}
		d.once(model.KindFollowUp, "followup-prepare", prepare, next, text{screen: "today"})
		// Hydration the morning of the session; an early session's prepare note covers it.
		if next.Sub(nextDay) >= 10*time.Hour {
			at := nextDay.Add(9 * time.Hour)
			if before := next.Add(-90 * time.Minute); before.Before(at) {
				at = before
			}
			d.once(model.KindHydration, "hydration-before-session", at, next, text{named: true, screen: "today"})
		}
	} else if p.CadenceDays > 0 && p.Days > 1 {
		last := d.ends.AddDate(0, 0, -1)
		for k := 1; ; k++ {
			day := d.day.AddDate(0, 0, k*p.CadenceDays)
			if !day.Before(last) {
				break
			}
			// Every nudge to book says the same: one message for all of them.
			d.once(model.KindFollowUp, "followup-book-"+strconv.Itoa(k), day.Add(10*time.Hour), time.Time{},
				text{named: true, screen: "today", message: "followup-book"})
		}
		d.once(model.KindFollowUp, "followup-book-end", last.Add(10*time.Hour), time.Time{}, text{named: true, screen: "today"})
	}
	return d.out, nil
}

// text says how a rule's notification is worded: its messages are
// "reminder.<message>.title" and ".body" in the plan's language, message
// being the rule's id unless set; a named body greets the client by first
// name (its ".body.named" twin).
type text struct {
	message string
	named   bool
	data    locale.Data // the body's placeholders, e.g. {{.Time}}
	screen  string      // the PWA route the notification opens
}

// deriver holds what every rule of one plan shares.
type deriver struct {
	p         model.Plan
	only      string // derive just this rule ID, if set
	loc       *time.Location
	quiet     Quiet
	name      string
	lang      *locale.Locale
	session   time.Time // local
	day, ends time.Time // local midnight of the session day and after the last day
	out       []Rule
	topics    map[string]string
}

// wants reports whether the rule id of kind is to be derived.
func (d *deriver) wants(kind, id string) bool {
	return (d.only == "" || d.only == id) && d.p.Prefs.Enabled(kind)
}

// clock returns local minute m on the session day + days.
func (d *deriver) clock(days, m int) time.Time {
	return d.day.AddDate(0, 0, days).Add(time.Duration(m) * time.Minute)
}

func (d *deriver) rule(kind, id string, t text) Rule {
	topic, ok := d.topics[kind]
	if !ok {
		topic = Topic(d.p.Token, kind)
		if d.topics == nil {
			d.topics = make(map[string]string)
		}
		d.topics[kind] = topic
	}
	msg := t.message
	if msg == "" {
		msg = id
	}
	msg = "reminder." + msg
	body := d.lang.Format(msg+".body", t.data)
	if t.named {
		body = d.lang.Named(msg+".body", d.name, t.data)
	}
	return Rule{
		ID: id, Kind: kind, From: d.p.SessionAt, Loc: d.loc, Quiet: d.quiet,
		Title: d.lang.Text(msg + ".title"), Body: body, Actions: actions(d.lang, kind),
		URL: "/p/" + d.p.Token + "#/" + t.screen, Topic: topic, Policy: Policies[kind],
	}
}

// actions are the buttons a notification of kind offers; the service worker
// knows each action by its id (start: the player, done: dismiss, checkin: the check-in).
func actions(l *locale.Locale, kind string) []push.Action {
	switch kind {
	case model.KindStretch:
		return []push.Action{{Action: "start", Title: l.Text("reminder.action.start")}, {Action: "done", Title: l.Text("reminder.action.done")}}
	case model.KindCheckIn:
		return []push.Action{{Action: "checkin", Title: l.Text("reminder.action.checkin")}}
	}
	return nil
}

// once adds a one-shot rule at the local time at (until zero: no end).
func (d *deriver) once(kind, id string, at, until time.Time, t text) {
	if !d.wants(kind, id) {
		return
	}
	r := d.rule(kind, id, t)
	r.At, r.Until = at, until
	d.out = append(d.out, r)
}
