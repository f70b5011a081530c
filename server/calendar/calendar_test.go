package calendar

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/remind"
)

const testToken = "PLANtokenPLANtokenPLANtokenPLAN0"

func mustLoc(tb testing.TB, name string) *time.Location {
	tb.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		tb.Fatal(err)
	}
	return loc
}

// berlinPlan runs 7 days from Thursday 22 October 2026 across the end of
// summer time (Sunday 25 October, 03:00 CEST → 02:00 CET), stretch at 19:00,
// next session booked for Friday 30 October at 10:00.
func berlinPlan(tb testing.TB) model.Plan {
	loc := mustLoc(tb, "Europe/Berlin")
	next := time.Date(2026, 10, 30, 10, 0, 0, 0, loc)
	return model.Plan{Token: testToken, TherapistID: "th1", ClientName: "Samantha Quill", RoutineID: "gentle-sciatica-aftercare",
		SessionAt: time.Date(2026, 10, 22, 10, 0, 0, 0, loc), NextSessionAt: &next, TimeZone: "Europe/Berlin",
		StretchTime: "19:00", Days: 7, Notes: "Focus: left piriformis, old disc injury", Prefs: model.DefaultPrefs()}
}

func input(p model.Plan, now time.Time) Input {
	return Input{Plan: p, RoutineMinutes: 12, TherapistName: "Ana Ruiz", Studio: "Harbour Massage",
		OpenURL: func(screen string) string { return "https://care.example.org/c/FEEDtoken/open#/" + screen },
		Domain:  "care.example.org", Sequence: 3, Now: now}
}

// parsed is a feed parsed back with go-ical.
type parsed struct {
	raw    []byte
	cal    *ical.Calendar
	events []ical.Event
	zone   *vtimezone
}

func encodeAndParse(tb testing.TB, cal *ical.Calendar) parsed {
	tb.Helper()
	raw, err := Encode(cal)
	if err != nil {
		tb.Fatal(err)
	}
	back, err := ical.NewDecoder(bytes.NewReader(raw)).Decode()
	if err != nil {
		tb.Fatalf("go-ical cannot parse the feed: %v\n%s", err, raw)
	}
	out := parsed{raw: raw, cal: back, events: back.Events()}
	for _, c := range back.Children {
		if c.Name == ical.CompTimezone {
			out.zone = readVTimezone(tb, c)
		}
	}
	return out
}

func feed(tb testing.TB, in Input) parsed {
	tb.Helper()
	cal, err := Feed(in)
	if err != nil {
		tb.Fatal(err)
	}
	return encodeAndParse(tb, cal)
}

// occurrence is one event as a calendar app shows it.
type occurrence struct {
	uid, summary, kind, local string // local: wall clock in the event's TZID, "2006-01-02T15:04"
	at                        time.Time
	length                    time.Duration
	url, description          string
	alarms                    []time.Duration
	alarmText                 string // the first alarm's DESCRIPTION
}

// occurrences reads every event, resolving DTSTART through the feed's own
// VTIMEZONE and checking that agrees with Go's zone database.
func (p parsed) occurrences(tb testing.TB) []occurrence {
	tb.Helper()
	var out []occurrence
	for _, e := range p.events {
		start := e.Props.Get(ical.PropDateTimeStart)
		if start == nil {
			tb.Fatal("event without DTSTART")
		}
		tzid := start.Params.Get(ical.PropTimezoneID)
		if tzid == "" || p.zone == nil || tzid != p.zone.id {
			tb.Fatalf("DTSTART %s;TZID=%q: want the feed's VTIMEZONE", start.Value, tzid)
		}
		wall, err := time.Parse("20060102T150405", start.Value)
		if err != nil {
			tb.Fatal(err)
		}
		at := p.zone.resolve(tb, wall)
		viaGo, err := e.DateTimeStart(nil) // go-ical reads TZID with Go's zone database
		if err != nil {
			tb.Fatal(err)
		}
		if !viaGo.Equal(at) {
			tb.Fatalf("DTSTART %s: the VTIMEZONE says %v, Go's zone database %v", start.Value, at, viaGo)
		}
		end, err := e.DateTimeEnd(nil)
		if err != nil {
			tb.Fatal(err)
		}
		o := occurrence{at: at, local: wall.Format(remind.LocalLayout), length: end.Sub(viaGo)}
		o.uid, _ = e.Props.Text(ical.PropUID)
		o.summary, _ = e.Props.Text(ical.PropSummary)
		o.kind, _ = e.Props.Text(ical.PropCategories)
		o.description, _ = e.Props.Text(ical.PropDescription)
		if u := e.Props.Get(ical.PropURL); u != nil {
			o.url = u.Value
		}
		for _, a := range e.Children {
			if a.Name != ical.CompAlarm {
				continue
			}
			if act, _ := a.Props.Text(ical.PropAction); act != "DISPLAY" {
				tb.Errorf("alarm action %q, want DISPLAY", act)
			}
			d, _ := a.Props.Text(ical.PropDescription)
			if d == "" {
				tb.Error("DISPLAY alarm without DESCRIPTION")
			}
			if o.alarmText == "" {
				o.alarmText = d
			}
			trig := a.Props.Get(ical.PropTrigger)
			if trig == nil {
				tb.Fatal("alarm without TRIGGER")
			}
			before, err := trig.Duration()
			if err != nil {
				tb.Fatalf("TRIGGER %q: %v", trig.Value, err)
			}
			o.alarms = append(o.alarms, before)
		}
		out = append(out, o)
	}
	return out
}

func TestFeedKeepsLocalTimesAcrossTheOctoberDSTChange(t *testing.T) {
	p := berlinPlan(t)
	loc := mustLoc(t, "Europe/Berlin")
	f := feed(t, input(p, p.SessionAt.Add(time.Hour)))
	occ := f.occurrences(t)

	// The daily stretch: 19:00 on the wall every day, one hour later in UTC from 25 October.
	var stretches []occurrence
	for _, o := range occ {
		if o.kind == model.KindStretch {
			stretches = append(stretches, o)
		}
	}
	if len(stretches) != 7 {
		t.Fatalf("%d stretch events, want one per plan day (7)", len(stretches))
	}
	for i, o := range stretches {
		day := time.Date(2026, 10, 22+i, 19, 0, 0, 0, loc)
		wantUTC := 17
		if day.Day() >= 25 {
			wantUTC = 18
		}
		if o.local != day.Format(remind.LocalLayout) || o.at.UTC().Hour() != wantUTC || !o.at.Equal(day) {
			t.Errorf("stretch %d at %s local (%s UTC), want %s local (%02d:00 UTC)", i, o.local, o.at.UTC().Format("15:04"), day.Format(remind.LocalLayout), wantUTC)
		}
		if o.length != 12*time.Minute || !strings.HasSuffix(o.url, "/open#/play") || !slices.Equal(o.alarms, []time.Duration{0}) {
			t.Errorf("stretch %s: %v long, link %q, alarms %v; want the routine's 12 minutes, the player, an alarm at its start", o.local, o.length, o.url, o.alarms)
		}
	}

	// Every event is a firing of the plan's reminder rules, at the same instant and local time.
	rules, err := remind.Rules(p)
	if err != nil {
		t.Fatal(err)
	}
	var want, got []string
	for i := range rules {
		r := &rules[i]
		if r.ID == "followup-eve" || r.ID == "followup-prepare" {
			continue // alarms of the session event, checked below
		}
		for _, fire := range r.Fires(p.SessionAt, time.Time{}) {
			want = append(want, fmt.Sprintf("%s %s %s", r.Kind, fire.Local, fire.At.UTC().Format(time.RFC3339)))
		}
	}
	want = append(want, "followup 2026-10-30T10:00 2026-10-30T09:00:00Z") // the session itself (CET)
	uids := map[string]bool{}
	for _, o := range occ {
		got = append(got, fmt.Sprintf("%s %s %s", o.kind, o.local, o.at.UTC().Format(time.RFC3339)))
		if uids[o.uid] || !strings.HasSuffix(o.uid, "@care.example.org") {
			t.Errorf("UID %q repeated or without the domain", o.uid)
		}
		uids[o.uid] = true
	}
	sort.Strings(want)
	sort.Strings(got)
	if !slices.Equal(got, want) {
		t.Fatalf("feed events\n%s\nwant the reminder rules' firings\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Check-ins link to the check-in; the session warns the evening before and the morning of.
	for _, o := range occ {
		switch {
		case o.kind == model.KindCheckIn && !strings.HasSuffix(o.url, "/open#/checkin"):
			t.Errorf("check-in links to %q", o.url)
		case strings.HasPrefix(o.summary, "Your next session"):
			if o.summary != "Your next session with Ana Ruiz" || o.length != SessionLength {
				t.Errorf("session event %q, %v", o.summary, o.length)
			}
			// 18:00 the evening before (16 h ahead), and two hours ahead on the day
			// (08:00: the rules' 08:30 is moved up for a session at 10:00).
			if !slices.Equal(o.alarms, []time.Duration{-16 * time.Hour, -2 * time.Hour}) {
				t.Errorf("session alarms %v, want -16h (the evening before) and -2h", o.alarms)
			}
			if !strings.Contains(o.alarmText, "Prepare: where it hurts, what it feels like.") {
				t.Errorf("the evening-before alarm says %q, not what to prepare", o.alarmText)
			}
		case o.kind != model.KindFollowUp && !slices.Equal(o.alarms, []time.Duration{0}):
			t.Errorf("%s at %s: alarms %v, want one at its start", o.kind, o.local, o.alarms)
		}
	}
}

func TestFeedCarriesNoTokenNotesOrNames(t *testing.T) {
	p := berlinPlan(t)
	f := feed(t, input(p, p.SessionAt))
	for _, secret := range []string{testToken, "piriformis", "disc injury", "Samantha", "Quill", "sciatica", "/p/"} {
		if bytes.Contains(bytes.ToLower(f.raw), bytes.ToLower([]byte(secret))) {
			t.Errorf("the feed contains %q", secret)
		}
	}
}

func TestFeedHeaderAsksForRefreshAndNamesTheZone(t *testing.T) {
	p := berlinPlan(t)
	f := feed(t, input(p, p.SessionAt))
	for name, want := range map[string]string{
		ical.PropVersion: "2.0", ical.PropMethod: "PUBLISH", ical.PropRefreshInterval: "PT4H", "X-PUBLISHED-TTL": "PT4H",
		"X-WR-TIMEZONE": "Europe/Berlin", "X-WR-CALNAME": "Aftercare reminders · Harbour Massage",
	} {
		if prop := f.cal.Props.Get(name); prop == nil || prop.Value != want {
			t.Errorf("%s = %v, want %q", name, prop, want)
		}
	}
	for _, e := range f.events {
		if seq := e.Props.Get(ical.PropSequence); seq == nil || seq.Value != "3" {
			t.Errorf("SEQUENCE %v, want 3", seq)
		}
		if st := e.Props.Get(ical.PropDateTimeStamp); st == nil || st.Value != "20261022T080000Z" {
			t.Errorf("DTSTAMP %v, want now in UTC", st)
		}
	}
}

func TestUIDsStayWhenThePlanChanges(t *testing.T) {
	p := berlinPlan(t)
	before := feed(t, input(p, p.SessionAt)).occurrences(t)
	p.Days += 7
	p.Prefs.QuietStart = "18:00" // the stretch at 19:00 now fires at 17:45: same occurrence, new time
	after := feed(t, input(p, p.SessionAt)).occurrences(t)
	byUID := map[string]occurrence{}
	for _, o := range after {
		byUID[o.uid] = o
	}
	for _, o := range before {
		a, ok := byUID[o.uid]
		if !ok {
			t.Errorf("%s %s lost its UID %s", o.kind, o.local, o.uid)
			continue
		}
		if o.kind == model.KindStretch && (a.local[:10] != o.local[:10] || a.local[11:] != "17:45") {
			t.Errorf("stretch %s moved to %s, want 17:45 the same day", o.local, a.local)
		}
	}
	if len(after) <= len(before) {
		t.Errorf("extending by a week added no events (%d → %d)", len(before), len(after))
	}
}

func TestFeedFollowsQuietHoursAndSwitches(t *testing.T) {
	p := berlinPlan(t)
	p.StretchTime = "21:30" // inside quiet hours from 21:00: fires 15 minutes before them, as push does
	p.Prefs.Disabled = []string{model.KindHydration}
	for _, o := range feed(t, input(p, p.SessionAt)).occurrences(t) {
		if o.kind == model.KindHydration {
			t.Errorf("hydration event at %s although hydration reminders are off", o.local)
		}
		if o.kind == model.KindStretch && o.local[11:] != "20:45" {
			t.Errorf("stretch at %s, want 20:45 (before quiet hours)", o.local)
		}
	}
}

func TestEndedPlanHasNoFutureEvents(t *testing.T) {
	p := berlinPlan(t)
	now := p.SessionAt.Add(50 * time.Hour)
	p.EndedAt = &now
	occ := feed(t, input(p, now.Add(time.Minute))).occurrences(t)
	if len(occ) == 0 {
		t.Fatal("the past events went too")
	}
	for _, o := range occ {
		if !o.at.Before(now) {
			t.Errorf("%s %q at %s after the plan ended", o.kind, o.summary, o.local)
		}
	}
	if _, err := NextSession(input(p, now)); !errors.Is(err, ErrNoSession) {
		t.Errorf("next session of an ended plan: %v", err)
	}
}

func TestNextSessionFileHasTheSessionOnly(t *testing.T) {
	p := berlinPlan(t)
	cal, err := NextSession(input(p, p.SessionAt))
	if err != nil {
		t.Fatal(err)
	}
	one := encodeAndParse(t, cal)
	occ := one.occurrences(t)
	if len(occ) != 1 || occ[0].local != "2026-10-30T10:00" || len(occ[0].alarms) != 2 {
		t.Fatalf("next-session file: %+v", occ)
	}
	inFeed := false
	for _, o := range feed(t, input(p, p.SessionAt)).occurrences(t) {
		inFeed = inFeed || o.uid == occ[0].uid
	}
	if !inFeed {
		t.Error("the file's UID is not the feed's (a re-import would duplicate the session)")
	}
	p.NextSessionAt = nil
	if _, err := NextSession(input(p, p.SessionAt)); !errors.Is(err, ErrNoSession) {
		t.Errorf("no session booked: %v", err)
	}
}

func TestBookingNudgesWhenNoSessionIsBooked(t *testing.T) {
	p := berlinPlan(t)
	p.NextSessionAt, p.CadenceDays, p.Days = nil, 7, 21
	var nudges []string
	for _, o := range feed(t, input(p, p.SessionAt)).occurrences(t) {
		if o.kind == model.KindFollowUp {
			nudges = append(nudges, o.local)
		}
	}
	want := []string{"2026-10-29T10:00", "2026-11-05T10:00", "2026-11-11T10:00"} // every 7 days, and the last day
	if !slices.Equal(nudges, want) {
		t.Errorf("booking nudges at %v, want %v", nudges, want)
	}
}

func TestLinesAreFoldedAt75Octets(t *testing.T) {
	p := berlinPlan(t)
	in := input(p, p.SessionAt)
	in.TherapistName = strings.Repeat("Zoë Ångström-Łukasiewicz ", 6) // long, with multi-byte runes
	f := feed(t, in)
	for _, line := range strings.Split(strings.TrimSuffix(string(f.raw), "\r\n"), "\r\n") {
		if len(line) > 75 {
			t.Fatalf("line of %d octets: %q", len(line), line)
		}
	}
	found := false
	for _, o := range f.occurrences(t) {
		found = found || o.summary == "Your next session with "+in.TherapistName
	}
	if !found {
		t.Error("a folded summary did not unfold to the original text")
	}
}

func TestDurationFormat(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "PT0S", 12 * time.Minute: "PT12M", -(16*time.Hour + 30*time.Minute): "-PT16H30M",
		24 * time.Hour: "P1D", 26*time.Hour + 5*time.Second: "P1DT2H5S",
	} {
		if got := duration(d); got != want {
			t.Errorf("duration(%v) = %q, want %q", d, got, want)
		}
	}
}

// TestVTimezoneMatchesGo: for zones with DST either side of the equator, half-hour
// DST and none at all, the generated VTIMEZONE resolves every wall-clock hour over
// a year to the instant Go's zone database gives.
func TestVTimezoneMatchesGo(t *testing.T) {
	for _, name := range []string{"Europe/Berlin", "America/New_York", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "America/Sao_Paulo"} {
		t.Run(name, func(t *testing.T) {
			loc := mustLoc(t, name)
			from := time.Date(2026, 6, 1, 0, 0, 0, 0, loc)
			to := from.AddDate(1, 0, 0)
			cal := ical.NewCalendar()
			cal.Props.SetText(ical.PropProductID, "-//test//EN")
			cal.Props.SetText(ical.PropVersion, "2.0")
			cal.Children = append(cal.Children, Timezone(loc, from, to))
			z := encodeAndParse(t, cal).zone
			for at := from.Add(3 * time.Hour); at.Before(to.Add(-3 * time.Hour)); at = at.Add(30 * time.Minute) {
				wall := wallOf(at.In(loc))
				// The first instant showing this wall clock (RFC 5545: in a repeated hour, the first).
				want := at
				for back := at.Add(-3 * time.Hour); back.Before(at); back = back.Add(15 * time.Minute) {
					if wallOf(back.In(loc)).Equal(wall) {
						want = back
						break
					}
				}
				if got := z.resolve(t, wall); !got.Equal(want) {
					t.Fatalf("%s resolves to %v, Go's zone database says %v", wall.Format(floatingLayout), got, want.In(loc))
				}
			}
		})
	}
}

func wallOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
}

// vtimezone is a parsed VTIMEZONE: observances in onset order.
type vtimezone struct {
	id  string
	obs []observance
}

type observance struct {
	onset    time.Time // instant
	from, to int       // offsets, seconds east of UTC
}

func readVTimezone(tb testing.TB, c *ical.Component) *vtimezone {
	tb.Helper()
	z := &vtimezone{}
	z.id, _ = c.Props.Text(ical.PropTimezoneID)
	for _, o := range c.Children {
		if o.Name != ical.CompTimezoneStandard && o.Name != ical.CompTimezoneDaylight {
			tb.Fatalf("VTIMEZONE child %s", o.Name)
		}
		start, err := time.Parse(floatingLayout, o.Props.Get(ical.PropDateTimeStart).Value)
		if err != nil {
			tb.Fatal(err)
		}
		from := parseOffset(tb, o.Props.Get(ical.PropTimezoneOffsetFrom).Value)
		to := parseOffset(tb, o.Props.Get(ical.PropTimezoneOffsetTo).Value)
		// The onset is a local time read in the offset in force before it.
		z.obs = append(z.obs, observance{onset: start.Add(-time.Duration(from) * time.Second), from: from, to: to})
	}
	sort.Slice(z.obs, func(i, j int) bool { return z.obs[i].onset.Before(z.obs[j].onset) })
	if len(z.obs) == 0 {
		tb.Fatal("VTIMEZONE without observances")
	}
	return z
}

func parseOffset(tb testing.TB, s string) int {
	tb.Helper()
	var sign byte
	var h, m, sec int
	if n, _ := fmt.Sscanf(s, "%c%02d%02d%02d", &sign, &h, &m, &sec); n < 3 || (sign != '+' && sign != '-') {
		tb.Fatalf("UTC offset %q", s)
	}
	v := h*3600 + m*60 + sec
	if sign == '-' {
		v = -v
	}
	return v
}

// resolve turns a wall time into an instant the way RFC 5545 reads a VTIMEZONE:
// the offset of the observance in force at that instant; in a repeated hour the
// first (earlier) instant, in a skipped one the time after the gap.
func (z *vtimezone) resolve(tb testing.TB, wall time.Time) time.Time {
	tb.Helper()
	offsetAt := func(at time.Time) int {
		off := z.obs[0].from
		for _, o := range z.obs {
			if !at.Before(o.onset) {
				off = o.to
			}
		}
		return off
	}
	var hits []time.Time
	for _, o := range z.obs {
		for _, off := range []int{o.from, o.to} {
			at := wall.Add(-time.Duration(off) * time.Second)
			if offsetAt(at) == off && !slices.ContainsFunc(hits, at.Equal) {
				hits = append(hits, at)
			}
		}
	}
	if len(hits) == 0 { // in a spring gap: read with the offset from before it
		at := wall.Add(-time.Duration(offsetAt(wall.Add(-24*time.Hour))) * time.Second)
		return at
	}
	slices.SortFunc(hits, func(a, b time.Time) int { return a.Compare(b) })
	return hits[0]
}
