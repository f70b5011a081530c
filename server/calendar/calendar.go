// Package calendar turns a plan's reminders into an RFC 5545 calendar: the
// feed a client subscribes to, and the one-event file of the next session.
// Its events come from the same reminder rules as Web Push (remind.Rules and
// Rule.Fires), so a calendar alert and a push notification name the same
// local times, quiet hours and switched-off kinds included.
//
// A feed leaves the studio (calendar services fetch it from their own
// servers), so it holds titles, times and links only: no notes, no check-in
// answers, no client name, no routine name, and never the plan's token.
// Its words are in the plan's language (Input.Plan.Language).
package calendar

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/remind"
)

// RefreshEvery is how often the feed asks calendar apps to fetch it again
// (REFRESH-INTERVAL, X-PUBLISHED-TTL): edits reach the calendar within hours.
const RefreshEvery = 4 * time.Hour

// SessionLength is how long the next-session event lasts; a plan does not
// record the booked session's length.
const SessionLength = time.Hour

// reminderLength is the length of a reminder event other than the stretch.
const reminderLength = 5 * time.Minute

// ErrNoSession is returned by NextSession when no future session is booked.
var ErrNoSession = model.NotFoundError("no next session is booked")

// Input is what a calendar is built from.
type Input struct {
	Plan model.Plan
	// RoutineMinutes is the routine's estimated length (the stretch event's duration).
	RoutineMinutes int
	// TherapistName names the therapist on the session event.
	TherapistName string
	// Studio, if set, names the calendar.
	Studio string
	// OpenURL returns the absolute link that opens a screen of the app
	// ("play", "checkin", "today") without the plan token.
	OpenURL func(screen string) string
	// Domain ends each UID (the public host).
	Domain string
	// Sequence is every event's SEQUENCE: it goes up when the plan changes.
	Sequence int
	// Now stamps DTSTAMP.
	Now time.Time
}

// The rules that become alarms of the next-session event rather than events.
const (
	ruleSessionEve     = "followup-eve"
	ruleSessionPrepare = "followup-prepare"
)

// event is one calendar event before encoding.
type event struct {
	key      string // the occurrence, unique within the plan
	kind     string
	start    time.Time
	length   time.Duration
	summary  string
	body     string
	screen   string
	busy     bool
	alarms   []alarm
	location *time.Location
}

type alarm struct {
	at   time.Time
	text string
}

// Feed builds the plan's calendar: every reminder occurrence as an event with
// a display alarm at its time, and the booked next session. An ended plan has
// nothing from its end on.
func Feed(in Input) (*ical.Calendar, error) {
	events, loc, err := eventsOf(in)
	if err != nil {
		return nil, err
	}
	return build(in, loc, events, langOf(in).Text("calendar.name"))
}

// langOf is the language of the plan's calendar (English if it names none).
func langOf(in Input) *locale.Locale { return locale.Of(in.Plan.Language, routines.English) }

// NextSession builds a calendar holding the next-session event only, with the
// same UID as in the feed (re-importing it updates the event). ErrNoSession
// when none is booked after in.Now, or the plan has ended.
func NextSession(in Input) (*ical.Calendar, error) {
	events, loc, err := eventsOf(in)
	if err != nil {
		return nil, err
	}
	for _, e := range events {
		if e.key == sessionKey && e.start.After(in.Now) {
			return build(in, loc, []event{e}, langOf(in).Text("calendar.name.session"))
		}
	}
	return nil, ErrNoSession
}

const sessionKey = "next-session"

// eventsOf derives the plan's events in start order.
func eventsOf(in Input) ([]event, *time.Location, error) {
	p := in.Plan
	l := langOf(in)
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return nil, nil, fmt.Errorf("time zone %q: %w", p.TimeZone, err)
	}
	// Texts without the client's name, URLs without the token: neither leaves the studio.
	anon := p
	anon.Token, anon.ClientName = "", ""
	rules, err := remind.Rules(anon)
	if err != nil {
		return nil, nil, err
	}
	var end time.Time // nothing from the plan's end on
	if p.EndedAt != nil {
		end = *p.EndedAt
	}
	var out []event
	var sessionAlarms []alarm
	for i := range rules {
		r := &rules[i]
		fires := r.Fires(r.From.Add(-time.Second), end)
		switch r.ID {
		case ruleSessionEve:
			for _, f := range fires {
				sessionAlarms = append(sessionAlarms, alarm{f.At, r.Title + ". " + l.Text("calendar.prepare")})
			}
			continue
		case ruleSessionPrepare:
			for _, f := range fires {
				sessionAlarms = append(sessionAlarms, alarm{f.At, r.Title + ". " + r.Body})
			}
			continue
		}
		for _, f := range fires {
			e := event{key: r.ID, kind: r.Kind, start: f.At, length: reminderLength,
				summary: r.Title, body: r.Body, screen: screenOf(r.URL), location: loc}
			if r.Spec != "" { // a recurring rule: one occurrence per local day
				e.key += "-" + strings.ReplaceAll(f.Local[:10], "-", "")
			}
			if r.Kind == model.KindStretch {
				e.length = time.Duration(max(in.RoutineMinutes, 5)) * time.Minute
				e.body += " " + l.Count("count.aboutMinutes", max(in.RoutineMinutes, 1), nil) + "."
			}
			e.alarms = []alarm{{f.At, r.Title}}
			out = append(out, e)
		}
	}
	if next := p.NextSessionAt; next != nil && (end.IsZero() || next.Before(end)) {
		out = append(out, event{key: sessionKey, kind: model.KindFollowUp, start: *next, length: SessionLength,
			summary: l.Therapist("calendar.session.title", in.TherapistName, nil), screen: "today", busy: true,
			location: loc, alarms: sessionAlarms, body: l.Therapist("calendar.session.body", firstName(in.TherapistName), nil)})
	}
	sortEvents(out)
	return out, loc, nil
}

// screenOf is the app screen a rule's URL opens ("/p/<token>#/play" → "play").
func screenOf(url string) string {
	_, hash, ok := strings.Cut(url, "#/")
	if !ok || hash == "" {
		return "today"
	}
	return hash
}

func sortEvents(es []event) {
	slices.SortFunc(es, func(a, b event) int {
		if c := a.start.Compare(b.start); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
}

func build(in Input, loc *time.Location, events []event, name string) (*ical.Calendar, error) {
	p := in.Plan
	if in.Studio != "" {
		name += " · " + in.Studio
	}
	cal := ical.NewCalendar()
	cal.Props.SetText(ical.PropProductID, "-//aftercare//reminders//EN")
	cal.Props.SetText(ical.PropVersion, "2.0")
	cal.Props.SetText(ical.PropCalendarScale, "GREGORIAN")
	cal.Props.SetText(ical.PropMethod, "PUBLISH")
	cal.Props.SetText(ical.PropName, name)
	setX(cal.Props, "X-WR-CALNAME", name)
	setX(cal.Props, "X-WR-CALDESC", langOf(in).Text("calendar.description"))
	setX(cal.Props, "X-WR-TIMEZONE", loc.String())
	refresh := ical.NewProp(ical.PropRefreshInterval)
	refresh.SetValueType(ical.ValueDuration)
	refresh.Value = duration(RefreshEvery)
	cal.Props.Set(refresh)
	ttl := ical.NewProp("X-PUBLISHED-TTL")
	ttl.Value = duration(RefreshEvery)
	cal.Props.Set(ttl)

	from, to := p.SessionAt, p.SessionAt
	for _, e := range events {
		from = minTime(from, e.start)
		to = maxTime(to, e.start.Add(e.length))
	}
	if loc != time.UTC {
		cal.Children = append(cal.Children, Timezone(loc, from.AddDate(0, 0, -1), to.AddDate(0, 0, 1)))
	}
	seed := uidSeed(p.Token)
	stamp := in.Now.UTC()
	for _, e := range events {
		cal.Children = append(cal.Children, e.component(in, seed, stamp))
	}
	return cal, nil
}

func (e event) component(in Input, seed string, stamp time.Time) *ical.Component {
	ev := ical.NewEvent()
	ev.Props.SetText(ical.PropUID, seed+"-"+e.key+"@"+in.Domain)
	ev.Props.SetDateTime(ical.PropDateTimeStamp, stamp)
	ev.Props.SetDateTime(ical.PropDateTimeStart, e.start.In(e.location))
	d := ical.NewProp(ical.PropDuration)
	d.Value = duration(e.length)
	ev.Props.Set(d)
	seq := ical.NewProp(ical.PropSequence)
	seq.Value = strconv.Itoa(in.Sequence)
	ev.Props.Set(seq)
	l := langOf(in)
	ev.Props.SetText(ical.PropSummary, e.summary)
	link := in.OpenURL(e.screen)
	ev.Props.SetText(ical.PropDescription, strings.TrimSpace(e.body+"\n\n"+l.Format("calendar.open", locale.Data{"URL": link})))
	// The texts' language, for calendar apps that read it (RFC 5545 LANGUAGE).
	for _, name := range []string{ical.PropSummary, ical.PropDescription} {
		ev.Props.Get(name).Params.Set(ical.ParamLanguage, l.String())
	}
	u := ical.NewProp(ical.PropURL)
	u.SetValueType(ical.ValueURI)
	u.Value = link
	ev.Props.Set(u)
	ev.Props.SetText(ical.PropClass, "PRIVATE")
	ev.Props.SetText(ical.PropStatus, "CONFIRMED")
	ev.Props.SetText(ical.PropCategories, e.kind)
	if e.busy {
		ev.Props.SetText(ical.PropTransparency, "OPAQUE")
	} else {
		ev.Props.SetText(ical.PropTransparency, "TRANSPARENT")
	}
	for _, a := range e.alarms {
		al := ical.NewComponent(ical.CompAlarm)
		al.Props.SetText(ical.PropAction, "DISPLAY")
		al.Props.SetText(ical.PropDescription, a.text)
		tr := ical.NewProp(ical.PropTrigger)
		tr.Value = duration(a.at.Sub(e.start)) // relative to the start: what every calendar app honours
		al.Props.Set(tr)
		ev.Children = append(ev.Children, al)
	}
	return ev.Component
}

// setX sets a text-valued X- property without the VALUE=TEXT parameter go-ical
// adds to names it does not know (calendar apps expect the bare form).
func setX(props ical.Props, name, text string) {
	prop := ical.NewProp(name)
	prop.SetText(text)
	prop.Params.Del(ical.ParamValue)
	props.Set(prop)
}

// uidSeed stands for the plan in UIDs without revealing its token.
func uidSeed(token string) string {
	sum := sha256.Sum256([]byte("aftercare calendar uid\x00" + token))
	return hex.EncodeToString(sum[:10])
}

// duration writes d as an RFC 5545 duration: PT0S, PT12M, -PT15H30M, P1D.
func duration(d time.Duration) string {
	var b strings.Builder
	if d < 0 {
		b.WriteByte('-')
		d = -d
	}
	d = d.Round(time.Second)
	b.WriteByte('P')
	if days := d / (24 * time.Hour); days > 0 {
		fmt.Fprintf(&b, "%dD", days)
		d -= days * 24 * time.Hour
		if d == 0 {
			return b.String()
		}
	}
	b.WriteByte('T')
	h, m, s := d/time.Hour, d%time.Hour/time.Minute, d%time.Minute/time.Second
	if h > 0 {
		fmt.Fprintf(&b, "%dH", h)
	}
	if m > 0 {
		fmt.Fprintf(&b, "%dM", m)
	}
	if s > 0 || h == 0 && m == 0 {
		fmt.Fprintf(&b, "%dS", s)
	}
	return b.String()
}

// Encode writes cal as text/calendar, with content lines folded at 75 octets
// as RFC 5545 asks (go-ical writes each property on one line).
func Encode(cal *ical.Calendar) ([]byte, error) {
	var buf bytes.Buffer
	if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
		return nil, err
	}
	return fold(buf.Bytes()), nil
}

// fold breaks content lines longer than 75 octets into continuation lines
// (CRLF and a space), never inside a UTF-8 sequence.
func fold(in []byte) []byte {
	const limit = 75
	out := make([]byte, 0, len(in)+len(in)/20)
	for len(in) > 0 {
		line := in
		n := bytes.Index(in, []byte("\r\n"))
		if n >= 0 {
			line, in = in[:n], in[n+2:]
		} else {
			in = nil
		}
		width := limit
		for len(line) > width {
			cut := width
			for cut > 0 && line[cut]&0xC0 == 0x80 { // a UTF-8 continuation byte: cut before its rune
				cut--
			}
			out = append(out, line[:cut]...)
			out = append(out, "\r\n "...)
			line = line[cut:]
			width = limit - 1 // the leading space counts
		}
		out = append(out, line...)
		out = append(out, "\r\n"...)
	}
	return out
}

func firstName(full string) string {
	if f := strings.Fields(full); len(f) > 0 {
		return f[0]
	}
	return ""
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}
