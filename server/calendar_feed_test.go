package server

import (
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// calendarStudio is the app with the real reminder scheduler (no sender: these
// tests never tick) on a real bbolt file, at a fixed time on Thursday
// 22 October 2026 in Berlin, three days before summer time ends.
type calendarStudio struct {
	*workspace
	bearer *browser
	berlin *time.Location
}

func newCalendarStudio(t *testing.T) *calendarStudio {
	t.Helper()
	db := storetest.Open(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	clk := fakeclock.New(time.Date(2026, 10, 22, 11, 0, 0, 0, berlin))
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	sched := remind.New(remind.Config{DB: db, Now: clk.Now, BaseURL: "https://care.example.org", Logger: logger})
	svc := &care.Service{DB: db, Scheduler: sched, Subs: acceptAll{}, Now: clk.Now, BaseURL: "https://care.example.org",
		Logger: logger, StudioName: "Harbour Massage"}
	w := &workspace{db: db, clock: clk}
	w.app = w.serve(svc, Deps{Static: pwa.Static(), Logger: logger, Illustration: routines.Illustration})
	w.a = w.addAccount(t, "ana@example.org", "Ana Ruiz")
	secret, _, err := w.accounts.NewAPIToken(w.a, "test")
	if err != nil {
		t.Fatal(err)
	}
	return &calendarStudio{workspace: w, bearer: &browser{bearer: secret}, berlin: berlin}
}

const secretNote = "Focus: left piriformis <script>alert(1)</script>"

// newPlan creates Samantha's 7-day plan from a session an hour ago, next
// session Friday 30 October at 10:00, and returns its token.
func (s *calendarStudio) newPlan(t *testing.T) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"clientName": "Samantha Quill", "routineId": "gentle-sciatica-aftercare", "timeZone": "Europe/Berlin",
		"sessionAt": s.clock.Now().Add(-time.Hour).Format(time.RFC3339), "stretchTime": "19:00", "days": 7,
		"nextSessionAt": time.Date(2026, 10, 30, 10, 0, 0, 0, s.berlin).Format(time.RFC3339), "notes": secretNote,
	})
	r := s.do(t, s.bearer, "POST", "/api/plans", string(body))
	if r.Status != 201 {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	return jsonField(t, r.Body, "token")
}

// calendarOf reads the plan's calendar links as the app does.
func (s *calendarStudio) calendarOf(t *testing.T, token string) care.CalendarLinks {
	t.Helper()
	r := s.do(t, nil, "GET", "/api/p/"+token, "")
	var v struct{ Calendar care.CalendarLinks }
	if err := json.Unmarshal([]byte(r.Body), &v); r.Status != 200 || err != nil {
		t.Fatalf("client view: %d %s", r.Status, r.Body)
	}
	return v.Calendar
}

var feedURL = regexp.MustCompile(`^https://care\.example\.org/c/([A-Za-z0-9_-]{22,})\.ics$`)

// feedPath checks the links' shape and returns the feed's path and token.
func feedPath(t *testing.T, links care.CalendarLinks, planToken string) (string, string) {
	t.Helper()
	m := feedURL.FindStringSubmatch(links.URL)
	if m == nil || links.Webcal != "webcal://care.example.org/c/"+m[1]+".ics" {
		t.Fatalf("calendar links %+v", links)
	}
	if m[1] == planToken || strings.Contains(links.URL, planToken) {
		t.Fatal("the feed URL carries the plan token")
	}
	return "/c/" + m[1] + ".ics", m[1]
}

// fetchFeed gets and parses a feed with go-ical.
func (s *calendarStudio) fetchFeed(t *testing.T, path string) (string, *ical.Calendar) {
	t.Helper()
	r := s.do(t, nil, "GET", path, "")
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("Content-Type %q", ct)
	}
	cal, err := ical.NewDecoder(strings.NewReader(r.Body)).Decode()
	if err != nil {
		t.Fatalf("the feed does not parse: %v", err)
	}
	return r.Body, cal
}

// localStarts lists each event's start as "kind local-time", local times read in the event's TZID.
func localStarts(t *testing.T, cal *ical.Calendar) []string {
	t.Helper()
	var out []string
	for _, e := range cal.Events() {
		at, err := e.DateTimeStart(nil)
		if err != nil {
			t.Fatal(err)
		}
		kind, _ := e.Props.Text(ical.PropCategories)
		out = append(out, kind+" "+at.Format("2006-01-02T15:04-07:00"))
	}
	return out
}

func sequenceOf(t *testing.T, cal *ical.Calendar) int {
	t.Helper()
	seq := map[string]bool{}
	for _, e := range cal.Events() {
		seq[e.Props.Get(ical.PropSequence).Value] = true
	}
	if len(seq) != 1 {
		t.Fatalf("events disagree on SEQUENCE: %v", seq)
	}
	for v := range seq {
		n, err := strconv.Atoi(v)
		if err != nil {
			t.Fatalf("SEQUENCE %q", v)
		}
		return n
	}
	return -1
}

func TestCalendarFeedHasItsOwnTokenAndTheRightLocalTimes(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	path, feed := feedPath(t, s.calendarOf(t, token), token)
	body, cal := s.fetchFeed(t, path)

	for _, secret := range []string{token, "piriformis", "Samantha", "Quill", "sciatica", "alert(1)"} {
		if strings.Contains(strings.ToLower(body), strings.ToLower(secret)) {
			t.Errorf("the feed contains %q", secret)
		}
	}
	starts := strings.Join(localStarts(t, cal), "\n")
	for _, want := range []string{
		"stretch 2026-10-22T19:00+02:00", "stretch 2026-10-24T19:00+02:00",
		"stretch 2026-10-25T19:00+01:00", "stretch 2026-10-28T19:00+01:00", // summer time ended on the 25th: still 19:00
		"checkin 2026-10-23T10:00+02:00", "checkin 2026-10-24T10:00+02:00",
		"hydration 2026-10-22T12:00+02:00", "hydration 2026-10-23T12:00+02:00",
		"followup 2026-10-30T10:00+01:00",
	} {
		if !strings.Contains(starts, want) {
			t.Errorf("no event %q in\n%s", want, starts)
		}
	}
	for _, e := range cal.Events() {
		u := e.Props.Get(ical.PropURL).Value
		if !strings.HasPrefix(u, "https://care.example.org/c/"+feed+"/open#/") {
			t.Errorf("event links to %q, want the feed's open page", u)
		}
	}
	if r := s.do(t, nil, "GET", "/c/"+token+".ics", ""); r.Status != 404 {
		t.Errorf("the plan token opened a feed: %d", r.Status)
	}
}

func TestCalendarFeedFollowsPlanEdits(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	path, _ := feedPath(t, s.calendarOf(t, token), token)
	_, before := s.fetchFeed(t, path)
	seq0 := sequenceOf(t, before)

	// The therapist moves the next session and extends the plan by a week.
	r := s.do(t, s.bearer, "PATCH", "/api/plans/"+token,
		`{"nextSessionAt":"`+time.Date(2026, 11, 4, 16, 30, 0, 0, s.berlin).Format(time.RFC3339)+`","extendDays":7}`)
	if r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	_, after := s.fetchFeed(t, path)
	if seq1 := sequenceOf(t, after); seq1 <= seq0 {
		t.Errorf("SEQUENCE %d after an edit, was %d", seq1, seq0)
	}
	starts := strings.Join(localStarts(t, after), "\n")
	if !strings.Contains(starts, "followup 2026-11-04T16:30+01:00") || strings.Contains(starts, "followup 2026-10-30T10:00") {
		t.Errorf("the moved session is not where the therapist put it:\n%s", starts)
	}
	if !strings.Contains(starts, "stretch 2026-11-04T19:00+01:00") {
		t.Errorf("the extension added no stretch on day 14:\n%s", starts)
	}

	// The client switches stretch reminders off: the calendar follows.
	if r := s.do(t, nil, "PUT", "/api/p/"+token+"/prefs", `{"disabled":["stretch"],"quietStart":"21:00","quietEnd":"08:00"}`); r.Status != 200 {
		t.Fatalf("prefs: %d %s", r.Status, r.Body)
	}
	_, off := s.fetchFeed(t, path)
	if strings.Contains(strings.Join(localStarts(t, off), "\n"), "stretch ") {
		t.Error("stretch events after the client switched stretch reminders off")
	}

	// The therapist ends the plan: nothing from now on.
	s.clock.Advance(26 * time.Hour)
	if r := s.do(t, s.bearer, "POST", "/api/plans/"+token+"/end", ""); r.Status != 200 {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	_, ended := s.fetchFeed(t, path)
	for _, e := range ended.Events() {
		if at, _ := e.DateTimeStart(nil); !at.Before(s.clock.Now()) {
			t.Errorf("event at %v after the plan ended", at)
		}
	}
	if len(ended.Events()) == 0 {
		t.Error("the ended plan's past events went too")
	}
}

func TestRotateAndEraseRetireTheFeed(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	oldPath, oldFeed := feedPath(t, s.calendarOf(t, token), token)
	s.fetchFeed(t, oldPath)

	r := s.do(t, nil, "POST", "/api/p/"+token+"/calendar/rotate", "")
	var rotated struct{ Calendar care.CalendarLinks }
	if err := json.Unmarshal([]byte(r.Body), &rotated); r.Status != 200 || err != nil {
		t.Fatalf("rotate: %d %s", r.Status, r.Body)
	}
	newPath, newFeed := feedPath(t, rotated.Calendar, token)
	if newFeed == oldFeed || s.calendarOf(t, token) != rotated.Calendar {
		t.Fatalf("rotation: old %s, new %+v, plan shows %+v", oldFeed, rotated.Calendar, s.calendarOf(t, token))
	}
	for _, p := range []string{oldPath, "/c/" + oldFeed + "/open"} {
		if r := s.do(t, nil, "GET", p, ""); r.Status != 404 {
			t.Errorf("GET %s after rotation: %d, want 404", p, r.Status)
		}
	}
	s.fetchFeed(t, newPath)
	if r := s.do(t, nil, "GET", "/c/"+newFeed+"/open", ""); r.Status != 200 || !strings.Contains(r.Body, `src="/app/open.js"`) {
		t.Errorf("open page of the new feed: %d", r.Status)
	}

	if r := s.do(t, nil, "DELETE", "/api/p/"+token, ""); r.Status != 204 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	for _, p := range []string{newPath, "/c/" + newFeed + "/open", "/api/p/" + token + "/calendar/next-session.ics", "/p/" + token + "/print"} {
		if r := s.do(t, nil, "GET", p, ""); r.Status != 404 {
			t.Errorf("GET %s after the plan was erased: %d, want 404", p, r.Status)
		}
	}
	if r := s.do(t, nil, "POST", "/api/p/"+token+"/calendar/rotate", ""); r.Status != 404 || !strings.Contains(r.Body, `"error"`) {
		t.Errorf("rotate an erased plan: %d %s", r.Status, r.Body)
	}
}

func TestNextSessionFileHoldsOneEvent(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	r := s.do(t, nil, "GET", "/api/p/"+token+"/calendar/next-session.ics", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "text/calendar; charset=utf-8" ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment;") {
		t.Fatalf("next-session file: %d %v", r.Status, r.Header)
	}
	cal, err := ical.NewDecoder(strings.NewReader(r.Body)).Decode()
	if err != nil {
		t.Fatal(err)
	}
	if got := localStarts(t, cal); len(got) != 1 || got[0] != "followup 2026-10-30T10:00+01:00" {
		t.Fatalf("events %v, want the session only", got)
	}
	if strings.Contains(r.Body, token) {
		t.Error("the file carries the plan token")
	}
	if r := s.do(t, s.bearer, "PATCH", "/api/plans/"+token, `{"nextSessionAt":""}`); r.Status != 200 {
		t.Fatalf("unbook: %d %s", r.Status, r.Body)
	}
	r = s.do(t, nil, "GET", "/api/p/"+token+"/calendar/next-session.ics", "")
	if r.Status != 404 || !strings.Contains(r.Body, "no next session is booked") {
		t.Errorf("no session booked: %d %s", r.Status, r.Body)
	}
}

func TestBadFeedTokensAre404(t *testing.T) {
	s := newCalendarStudio(t)
	s.newPlan(t)
	for _, p := range []string{"/c/nope.ics", "/c/%00.ics", "/c/" + strings.Repeat("A", 32) + ".ics", "/c/x/open", "/c/.ics"} {
		if r := s.do(t, nil, "GET", p, ""); r.Status != 404 {
			t.Errorf("GET %s: %d, want 404", p, r.Status)
		}
	}
}

func TestPrintPageIsMadeForPaperWithinTheCSP(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	r := s.do(t, nil, "GET", "/p/"+token+"/print", "")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("print page: %d %v", r.Status, r.Header)
	}
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Error("print page without the CSP")
	}
	// The CSP allows no inline code: every script is a file, no style attribute or element.
	if regexp.MustCompile(`<script(?:\s+type="module")?>|<script\s[^>]*>[^<]`).MatchString(r.Body) ||
		strings.Contains(r.Body, "style=") || strings.Contains(r.Body, "<style") {
		t.Error("inline script or style on the print page")
	}
	if strings.Contains(r.Body, "<script>alert(1)") || !strings.Contains(r.Body, "&lt;script&gt;alert(1)") {
		t.Error("the therapist's note is not escaped")
	}
	r2, _ := routines.RoutineByID("gentle-sciatica-aftercare")
	for _, step := range r2.Steps {
		st, _ := routines.StretchByID(step.StretchID)
		if !strings.Contains(r.Body, st.Name) || !strings.Contains(r.Body, st.Image) {
			t.Errorf("stretch %q or its illustration missing", st.Name)
		}
	}
	want := []string{
		"Harbour Massage", "Aftercare plan for Samantha", "Ana Ruiz", "Thursday 22 October 2026",
		"Friday 30 October at 10:00", "Get medical care now if", "Call <strong>112</strong>", "even at night", "Hold 20 seconds · 2 times on each side",
		"See a doctor within a few days if", "Book an appointment with your GP or doctor this week.",
		"On the day of your massage", `<svg xmlns="http://www.w3.org/2000/svg"`, `href="/app/print.css"`,
	}
	for _, q := range clinic.Texts().Questions {
		want = append(want, html.EscapeString(locale.Capitalize(q.Words)))
	}
	for _, want := range want {
		if !strings.Contains(r.Body, want) {
			t.Errorf("print page lacks %q", want)
		}
	}
	if r := s.do(t, nil, "GET", "/p/"+strings.Repeat("A", 32)+"/print", ""); r.Status != 404 || !strings.Contains(r.Body, "not valid any more") {
		t.Errorf("unknown plan's print page: %d", r.Status)
	}
	css := s.do(t, nil, "GET", "/app/print.css", "")
	if css.Status != 200 || !strings.Contains(css.Body, "@media print") {
		t.Errorf("print stylesheet: %d", css.Status)
	}
}

// TestPrintedRedFlagsMatchTheApp holds the printed emergency signs to the
// words the server sends the app's urgent screen and Help (the plan view's
// redFlags), so paper and phone say the same: the clinic content's six
// emergency signs, whose first three keep version 1's ids (model.RedFlags).
func TestPrintedRedFlagsMatchTheApp(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlan(t)
	r := s.do(t, nil, "GET", "/api/p/"+token, "")
	var view struct {
		RedFlags []struct{ ID, Question, Sign string } `json:"redFlags"`
	}
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil || r.Status != 200 {
		t.Fatalf("client view: %d %v", r.Status, err)
	}
	if len(view.RedFlags) != len(clinic.EmergencyFlags) {
		t.Fatalf("the app is sent %d emergency signs, the clinic content has %d", len(view.RedFlags), len(clinic.EmergencyFlags))
	}
	print := s.do(t, nil, "GET", "/p/"+token+"/print", "")
	for i, f := range view.RedFlags {
		q, _ := clinic.QuestionFor(clinic.EmergencyFlags[i])
		if f.ID != string(q.ID) || f.Sign != q.Words || f.Question != q.Text {
			t.Errorf("emergency sign %d is %+v in the app, %+v in the clinic content", i, f, q)
		}
		if !strings.Contains(print.Body, "<li>"+html.EscapeString(locale.Capitalize(f.Sign))+"</li>") {
			t.Errorf("the printout does not list %q", f.Sign)
		}
	}
	for i, id := range model.RedFlags {
		if !slices.ContainsFunc(view.RedFlags, func(f struct{ ID, Question, Sign string }) bool { return f.ID == id }) {
			t.Errorf("version 1's red flag %d (%s) has no words in the app", i, id)
		}
	}
}
