// Package remind turns a plan into reminder rules, keeps their next fire times
// in the store's due-index, and sends what is due once a minute.
package remind

import (
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // client zones must resolve on a slim host without /usr/share/zoneinfo

	"github.com/robfig/cron/v3"

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
	Title       string
	Body        string
	URL         string // path below the base URL, e.g. "/p/<token>#/play"
	Topic       string
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
		Kind: r.Kind, Title: r.Title, Body: r.Body, URL: baseURL + r.URL,
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
// out the kinds the client switched off. Times are in the client's zone.
func Rules(p model.Plan) ([]Rule, error) {
	return derive(p, "")
}

// RuleFor derives only the rule with this ID (a tick needs one rule of a
// plan, not its text for every other); nil if the plan has no such rule.
func RuleFor(p model.Plan, id string) (*Rule, error) {
	rules, err := derive(p, id)
	if err != nil || len(rules) == 0 {
		return nil, err
	}
	return &rules[0], nil
}

// derive builds the plan's rules, or only the one with ID only if set.
func derive(p model.Plan, only string) ([]Rule, error) {
	loc, err := location(p.TimeZone)
	if err != nil {
		return nil, err
	}
	stretchAt, err := parseClock(p.StretchTime)
	if err != nil {
		return nil, fmt.Errorf("stretch time: %w", err)
	}
	d := deriver{p: p, only: only, loc: loc, quiet: QuietOf(p.Prefs), name: firstName(p.ClientName)}
	if only == "" {
		d.out = make([]Rule, 0, 12)
	}
	d.session = p.SessionAt.In(loc)
	d.day = time.Date(d.session.Year(), d.session.Month(), d.session.Day(), 0, 0, 0, 0, loc)
	d.ends = d.day.AddDate(0, 0, p.Days)

	// Hydration: water flushes the worked tissue.
	d.once(model.KindHydration, "hydration-after", d.session.Add(2*time.Hour), time.Time{},
		text{"Time for a glass of water", "a big glass of water now helps your muscles recover from today's massage.", true, "today"})
	d.once(model.KindHydration, "hydration-next-day", d.clock(1, 12*60), time.Time{},
		text{"Keep drinking water", "keep sipping water today: hydrated muscles recover better.", true, "today"})

	// Stretch: daily at the chosen time while the plan runs.
	if d.wants(model.KindStretch, "stretch-daily") {
		spec := fmt.Sprintf("%d %d * * *", stretchAt%60, stretchAt/60)
		r := d.rule(model.KindStretch, "stretch-daily",
			text{"Time for your stretches", "a few gentle minutes now. A gentle pull is right, never sharp pain.", true, "play"})
		r.Spec, r.Until, r.SameDay, r.BeforeQuiet = spec, d.ends, true, StretchBeforeQuiet
		if r.sched, err = parseSpec(spec); err != nil {
			return nil, err
		}
		d.out = append(d.out, r)
	}

	// Soreness check-ins: same clock time one and two days on. Lock screens are
	// public, so the text asks for a check-in and says nothing about health.
	d.once(model.KindCheckIn, "checkin-24h", d.session.AddDate(0, 0, 1), time.Time{},
		text{"How are you feeling today?", "a 30-second check-in helps your therapist see how you're doing.", true, "checkin"})
	d.once(model.KindCheckIn, "checkin-48h", d.session.AddDate(0, 0, 2), time.Time{},
		text{"Two days on: a quick check-in", "how is it going? Tap to check in, it takes 30 seconds.", true, "checkin"})

	// Session-day tips, while the advice still applies: today, not tomorrow.
	if d.wants(model.KindTip, "tip-session") {
		r := d.rule(model.KindTip, "tip-session", text{"Take it easy today",
			"Rest from strenuous activity. Ice or heat on tender spots, a warm Epsom-salt bath or a slow walk can help.", false, "today"})
		r.At, r.SameDay = d.session.Add(3*time.Hour), true
		d.out = append(d.out, r)
	}

	// Follow-up: before the booked session, or a nudge to book one.
	if p.NextSessionAt != nil {
		next := p.NextSessionAt.In(loc)
		nextDay := time.Date(next.Year(), next.Month(), next.Day(), 0, 0, 0, 0, loc)
		if d.wants(model.KindFollowUp, "followup-eve") {
			d.once(model.KindFollowUp, "followup-eve", nextDay.AddDate(0, 0, -1).Add(18*time.Hour), next,
				text{"Your session is tomorrow", "see you tomorrow at " + next.Format("15:04") + ". Keep up the gentle stretches until then.", true, "today"})
		}
		// Morning of: 08:30, or two hours ahead of an early session.
		prepare := nextDay.Add(8*time.Hour + 30*time.Minute)
		if early := next.Add(-2 * time.Hour); early.Before(prepare) {
			prepare = early
		}
		d.once(model.KindFollowUp, "followup-prepare", prepare, next,
			text{"Session today: get ready", "Drink some water, and note where it hurts and what it feels like to tell your therapist.", false, "today"})
		// Hydration the morning of the session; an early session's prepare note covers it.
		if next.Sub(nextDay) >= 10*time.Hour {
			at := nextDay.Add(9 * time.Hour)
			if before := next.Add(-90 * time.Minute); before.Before(at) {
				at = before
			}
			d.once(model.KindHydration, "hydration-before-session", at, next,
				text{"Water before your session", "drink a glass of water this morning: hydrated muscles respond better to massage.", true, "today"})
		}
	} else if p.CadenceDays > 0 && p.Days > 1 {
		last := d.ends.AddDate(0, 0, -1)
		for k := 1; ; k++ {
			day := d.day.AddDate(0, 0, k*p.CadenceDays)
			if !day.Before(last) {
				break
			}
			d.once(model.KindFollowUp, "followup-book-"+strconv.Itoa(k), day.Add(10*time.Hour), time.Time{},
				text{"Time to book your next session", "regular sessions keep the progress going. Book your next one when it suits you.", true, "today"})
		}
		d.once(model.KindFollowUp, "followup-book-end", last.Add(10*time.Hour), time.Time{},
			text{"Your plan ends today", "this is the last day of your plan. Book your next session to keep the progress going.", true, "today"})
	}
	return d.out, nil
}

// text is what a rule's notification says; named bodies start with the
// client's first name.
type text struct {
	title, body string
	named       bool
	screen      string // the PWA route the notification opens
}

// deriver holds what every rule of one plan shares.
type deriver struct {
	p         model.Plan
	only      string // derive just this rule ID, if set
	loc       *time.Location
	quiet     Quiet
	name      string
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
	body := t.body
	if t.named {
		body = d.hi(body)
	}
	return Rule{
		ID: id, Kind: kind, From: d.p.SessionAt, Loc: d.loc, Quiet: d.quiet,
		Title: t.title, Body: body, URL: "/p/" + d.p.Token + "#/" + t.screen, Topic: topic,
		Policy: Policies[kind],
	}
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

// hi starts a text with the client's first name when there is one.
func (d *deriver) hi(text string) string {
	if d.name == "" {
		return strings.ToUpper(text[:1]) + text[1:]
	}
	return d.name + ", " + text
}

func firstName(full string) string {
	f := strings.Fields(full)
	if len(f) == 0 {
		return ""
	}
	if r := []rune(f[0]); len(r) > 24 {
		return string(r[:24])
	}
	return f[0]
}
