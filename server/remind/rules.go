// Package remind turns a plan into reminder rules, keeps their next fire times
// in the store's due-index, and sends what is due once a minute.
package remind

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
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
	lang  *locale.Locale // the plan's language, for what the studio adds at send time (brand.go)
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
		d.once(model.KindFollowUp, "followup-prepare", prepare, next, text{screen: "prepare"}) // the "Prepare for your session" form
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
		URL: "/p/" + d.p.Token + "#/" + t.screen, Topic: topic, Policy: Policies[kind], lang: d.lang,
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
