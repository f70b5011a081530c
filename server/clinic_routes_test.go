package server

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// v2CheckIn is a version-2 check-in body with id and the given extra fields
// (each `"key":value`, replacing the default of that key).
func v2CheckIn(id string, fields ...string) string {
	m := map[string]string{
		"soreness": "3", "backPain": "2", "legPain": "5",
		"areas":     `[{"area":"below-knee","side":"left"},{"area":"back","side":"both"}]`,
		"feelings":  `["tingling"]`,
		"legChange": `"same"`,
		"emergency": `{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false}`,
	}
	order := []string{"soreness", "backPain", "legPain", "areas", "feelings", "legChange", "emergency"}
	for _, f := range fields {
		k, v, _ := strings.Cut(f, ":")
		k = strings.Trim(k, `"`)
		if _, ok := m[k]; !ok {
			order = append(order, k)
		}
		m[k] = v
	}
	var b strings.Builder
	b.WriteString(`{"id":"` + id + `"`)
	for _, k := range order {
		if m[k] == "" {
			continue
		}
		b.WriteString(`,"` + k + `":` + m[k])
	}
	b.WriteString("}")
	return b.String()
}

type clinicReply struct {
	CheckIn struct {
		ID       string
		BackPain int
		LegPain  int
	} `json:"checkIn"`
	Assessment struct {
		Tier   string
		Flags  []string
		Advice []struct{ ID, Text string }
	}
	Told bool
}

func decodeInto(t *testing.T, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
}

// A version-2 check-in is answered with its assessment and stored in the one
// check-ins history, where version-1 readers find it in their shape (pain the
// higher rating, redFlags the emergency signs); a resend is 200, other
// answers under the id 409; version-1 bodies still go in beside it.
func TestVersion2CheckInJoinsTheOneHistory(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	path := "/api/p/" + token + "/checkins"

	body := v2CheckIn("v2-checkin-001", `"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":true,"foot-drop":false}`)
	r := l.do(t, "POST", path, body)
	if r.Status != 201 {
		t.Fatalf("v2 check-in: %d %s", r.Status, r.Body)
	}
	var got clinicReply
	decodeInto(t, r.Body, &got)
	if got.CheckIn.ID != "v2-checkin-001" || got.CheckIn.LegPain != 5 || got.Assessment.Tier != "emergency-now" ||
		len(got.Assessment.Flags) != 1 || got.Assessment.Flags[0] != "both-legs" || !got.Told {
		t.Fatalf("answer: %s", r.Body)
	}

	if again := l.do(t, "POST", path, body); again.Status != 200 || again.Body != r.Body {
		t.Fatalf("identical resend: %d %s\nwant 200 %s", again.Status, again.Body, r.Body)
	}
	if other := l.do(t, "POST", path, v2CheckIn("v2-checkin-001", `"legPain":6`)); other.Status != 409 {
		t.Fatalf("same id, other answers: %d %s", other.Status, other.Body)
	}
	if v1 := l.do(t, "POST", path, `{"id":"v1-checkin-001","soreness":4,"pain":3,"areas":["hip"]}`); v1.Status != 201 || jsonField(t, v1.Body, "advice") != "normal" {
		t.Fatalf("a version-1 body: %d %s", v1.Status, v1.Body)
	}
	if clash := l.do(t, "POST", path, v2CheckIn("v1-checkin-001")); clash.Status != 409 {
		t.Fatalf("a version-2 body under a version-1 id: %d %s", clash.Status, clash.Body)
	}

	page := l.do(t, "GET", path+"?limit=10", "")
	var hist struct {
		Items []struct {
			ID       string
			Pain     int
			RedFlags []string
			Areas    []string
		}
		Total int
	}
	decodeInto(t, page.Body, &hist)
	if hist.Total != 2 {
		t.Fatalf("history holds %d, want 2: %s", hist.Total, page.Body)
	}
	var v2 = hist.Items[0]
	if v2.ID != "v2-checkin-001" {
		v2 = hist.Items[1]
	}
	if v2.Pain != 5 || len(v2.RedFlags) != 1 || v2.RedFlags[0] != "both-legs" ||
		strings.Join(v2.Areas, ",") != "low-back,left-calf" {
		t.Fatalf("version-1 view of the version-2 check-in: %+v", v2)
	}
	// The therapist's banner (a version-1 reader) sees the emergency sign.
	tp := l.do(t, "GET", "/api/plans/"+token, "")
	if !strings.Contains(tp.Body, `"pendingRedFlag":{"id":"v2-checkin-001"`) {
		t.Fatalf("pending red flag: %s", tp.Body)
	}
}

// Bad version-2 bodies are 400 naming the field and store nothing.
func TestVersion2CheckInBadInputNamesTheField(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	for _, tc := range []struct{ body, field string }{
		{v2CheckIn("bad-checkin-01", `"legPain":11`), "legPain"},
		{v2CheckIn("bad-checkin-02", `"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"foot-drop":false}`), "emergency.both-legs"},
		{v2CheckIn("bad-checkin-03", `"emergency":`), "emergency"},
		{v2CheckIn("bad-checkin-04", `"areas":[{"area":"knee","side":"left"}]`), "areas[0]"},
		{v2CheckIn("bad-checkin-05", `"legChange":"sideways"`), "legChange"},
		{v2CheckIn("bad-checkin-06", `"pain":3`), "pain"},
		{v2CheckIn("x"), "id"},
	} {
		r := l.do(t, "POST", "/api/p/"+token+"/checkins", tc.body)
		if r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), tc.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, r.Status, r.Body, tc.field)
		}
	}
	if n := l.stored(t, token, "checkins"); n != 0 {
		t.Fatalf("%d stored after bad bodies", n)
	}
	if r := l.do(t, "POST", "/api/p/no-such-plan-token/checkins", v2CheckIn("bad-checkin-07", `"legPain":11`)); r.Status != 404 {
		t.Fatalf("unknown plan: %d %s", r.Status, r.Body)
	}
}

// Version 1 and 2 share the daily limit: 39 of one and one of the other
// fill the day.
func TestVersion2CheckInSharesTheDailyLimit(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	l.postAll(t, token, "checkins", ids("v1", 0, perDayCap-1), historyKinds[0].body)
	if r := l.do(t, "POST", "/api/p/"+token+"/checkins", v2CheckIn("v2-last-of-day")); r.Status != 201 {
		t.Fatalf("40th (version 2): %d %s", r.Status, r.Body)
	}
	for _, body := range []string{v2CheckIn("v2-over-limit"), historyKinds[0].body("v1-over-limit")} {
		r := l.do(t, "POST", "/api/p/"+token+"/checkins", body)
		if r.Status != 429 || r.Header.Get("X-Aftercare-Limit") != "check-ins-per-day" {
			t.Fatalf("41st: %d %s %v", r.Status, r.Body, r.Header)
		}
	}
	if n := l.stored(t, token, "checkins"); n != perDayCap {
		t.Fatalf("%d stored, want %d", n, perDayCap)
	}
}

func psfsBody(id string, scores ...int) string {
	names := []string{"sitting through a film", "putting on socks", "walking the dog"}
	var acts []string
	for i, s := range scores {
		b, _ := json.Marshal(map[string]any{"name": names[i], "score": s})
		acts = append(acts, string(b))
	}
	return `{"id":"` + id + `","activities":[` + strings.Join(acts, ",") + `]}`
}

// PSFS ratings: the first has no change, a later one compares with the first
// (a change of 2 or more is meaningful); resend 200, other content 409, bad
// input 400 naming the field with nothing stored.
func TestPSFSRoute(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, "")
	path := "/api/p/" + token + "/psfs"

	due := func() string {
		var v struct{ Clinic struct{ PSFSDue string } }
		decodeInto(t, l.do(t, "GET", "/api/p/"+token, "").Body, &v)
		return v.Clinic.PSFSDue
	}
	if d := due(); d != "first" {
		t.Fatalf("psfsDue before any rating: %q", d)
	}
	for _, tc := range []struct{ body, field string }{
		{psfsBody("psfs-bad-001", 11), "activities[0].score"},
		{`{"id":"psfs-bad-002","activities":[]}`, "activities"},
		{`{"id":"psfs-bad-003","activities":[{"name":"a","score":3}],"mood":1}`, ""},
	} {
		r := l.do(t, "POST", path, tc.body)
		if r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), tc.field) {
			t.Errorf("%s: %d %s, want 400 naming %q", tc.body, r.Status, r.Body, tc.field)
		}
	}
	first := l.do(t, "POST", path, psfsBody("psfs-first-01", 3, 4))
	if first.Status != 201 || !strings.Contains(first.Body, `"change":null`) {
		t.Fatalf("first rating: %d %s", first.Status, first.Body)
	}
	if r := l.do(t, "POST", path, psfsBody("psfs-first-01", 3, 4)); r.Status != 200 || r.Body != first.Body {
		t.Fatalf("resend: %d %s", r.Status, r.Body)
	}
	if r := l.do(t, "POST", path, psfsBody("psfs-first-01", 3, 5)); r.Status != 409 || !strings.Contains(r.Body, "PSFS") {
		t.Fatalf("same id, other scores: %d %s", r.Status, r.Body)
	}
	if d := due(); d != "" {
		t.Fatalf("psfsDue right after a rating: %q", d)
	}
	w.clock.Advance(7 * 24 * time.Hour)
	if d := due(); d != "weekly" {
		t.Fatalf("psfsDue a week later: %q", d)
	}
	second := l.do(t, "POST", path, psfsBody("psfs-second1", 6, 5))
	var got struct {
		Change *struct {
			AverageChange float64
			Meaningful    bool
			Verdict       string
			Activities    []struct {
				Name       string
				Change     int
				Meaningful bool
			}
		}
	}
	decodeInto(t, second.Body, &got)
	if second.Status != 201 || got.Change == nil || !got.Change.Meaningful || got.Change.Verdict != "better" ||
		got.Change.Activities[0].Change != 3 || !got.Change.Activities[0].Meaningful || got.Change.Activities[1].Meaningful {
		t.Fatalf("second rating: %d %s", second.Status, second.Body)
	}
	view := l.do(t, "GET", "/api/p/"+token, "")
	var v struct {
		Clinic struct {
			PSFSDue    string
			PSFSFirst  struct{ ID string }
			PSFSLatest struct{ ID string }
		}
	}
	decodeInto(t, view.Body, &v)
	if v.Clinic.PSFSFirst.ID != "psfs-first-01" || v.Clinic.PSFSLatest.ID != "psfs-second1" || v.Clinic.PSFSDue != "" {
		t.Fatalf("plan view clinic: %+v", v.Clinic)
	}
}

func prepBody(id string, extra string) string {
	return `{"id":"` + id + `","areas":[{"area":"buttock","side":"right"}],"feelings":["dull"],"worse":["sitting"],` +
		`"goals":["less-leg-pain"],"pressure":"right","health":["nothing-new"]` + extra + `}`
}

// The preparation form: 201, resend 200, other answers 409, bad input 400
// naming the field; the client's view says it is due the day before the
// next session until one is sent.
func TestPreparationRoute(t *testing.T) {
	w := newWorkspace(t) // 2026-11-26 10:00 UTC
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, `,"nextSessionAt":"2026-11-28T15:00:00+01:00"`)
	path := "/api/p/" + token + "/preparation"
	due := func() bool {
		var v struct{ Clinic struct{ PreparationDue bool } }
		decodeInto(t, l.do(t, "GET", "/api/p/"+token, "").Body, &v)
		return v.Clinic.PreparationDue
	}
	if due() {
		t.Fatal("preparation due two days before the session")
	}
	w.clock.Advance(14 * time.Hour) // 2026-11-27 00:00 in Berlin
	if !due() {
		t.Fatal("preparation not due from the client's midnight the day before")
	}
	for _, tc := range []struct{ body, field string }{
		{prepBody("prep-bad-0001", `,"pressure":"hard"`), "pressure"},
		{prepBody("prep-bad-0002", `,"health":["nothing-new","surgery"]`), "health"},
		{prepBody("prep-bad-0003", `,"goalsNote":"`+strings.Repeat("x", 301)+`"`), "goalsNote"},
	} {
		r := l.do(t, "POST", path, tc.body)
		if r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), tc.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, r.Status, r.Body, tc.field)
		}
	}
	if !due() {
		t.Fatal("a refused form counts as sent")
	}
	r := l.do(t, "POST", path, prepBody("prep-good-001", ""))
	if r.Status != 201 || !strings.Contains(r.Body, `"preparation":{"id":"prep-good-001"`) {
		t.Fatalf("form: %d %s", r.Status, r.Body)
	}
	if again := l.do(t, "POST", path, prepBody("prep-good-001", "")); again.Status != 200 || again.Body != r.Body {
		t.Fatalf("resend: %d %s", again.Status, again.Body)
	}
	if other := l.do(t, "POST", path, prepBody("prep-good-001", `,"worseNote":"stairs"`)); other.Status != 409 {
		t.Fatalf("same id, other answers: %d %s", other.Status, other.Body)
	}
	if due() {
		t.Fatal("preparation still due after one was sent")
	}
	var v struct {
		Clinic struct{ Preparation struct{ ID, Pressure string } }
	}
	decodeInto(t, l.do(t, "GET", "/api/p/"+token, "").Body, &v)
	if v.Clinic.Preparation.ID != "prep-good-001" || v.Clinic.Preparation.Pressure != "right" {
		t.Fatalf("plan view preparation: %+v", v.Clinic.Preparation)
	}
}

// GET /api/clinic/{lang}: the texts, revalidated by ETag, immutable under the
// plan view's versioned URL; 404 for another language.
func TestClinicContentRoute(t *testing.T) {
	w := newWorkspace(t)
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, `,"language":"de"`)
	var v struct{ Clinic struct{ Content string } }
	decodeInto(t, l.do(t, "GET", "/api/p/"+token, "").Body, &v)
	if !strings.HasPrefix(v.Clinic.Content, "/api/clinic/de?v=") {
		t.Fatalf("plan view's content URL %q", v.Clinic.Content)
	}
	r := l.do(t, "GET", v.Clinic.Content, "")
	if r.Status != 200 || r.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || r.Header.Get("Content-Language") != "de" {
		t.Fatalf("versioned: %d %v", r.Status, r.Header)
	}
	if !strings.Contains(r.Body, `"attribution":"Patient-Specific Functional Scale`) || !strings.Contains(r.Body, `"id":"saddle-numbness"`) {
		t.Fatalf("content: %.300s", r.Body)
	}
	plain := l.do(t, "GET", "/api/clinic/de", "")
	if plain.Header.Get("Cache-Control") != "no-cache" || plain.Header.Get("ETag") == "" || plain.Body != r.Body {
		t.Fatalf("unversioned: %v", plain.Header)
	}
	for _, lang := range []string{"xx", "DE", "pt-br"} {
		if r := l.do(t, "GET", "/api/clinic/"+lang, ""); r.Status != 404 {
			t.Errorf("%s: %d", lang, r.Status)
		}
	}
}

// A week after the session, with a check-in a day (leg pain falling from 7
// to 4, one see-doctor sign on day 3), PSFS rated on day 1 and day 6 (sitting
// through a film up 3 points), stretches on four days and a preparation the
// day before the next session: the therapist's plan view, chart and summary
// say so.
func TestTherapistSeesTheWeekBeforeTheNextSession(t *testing.T) {
	w := newWorkspace(t) // 2026-11-26 10:00 UTC; the session was an hour ago
	l := serveLoopback(t, w)
	token := w.createPlan(t, &browser{bearer: l.bearer}, `,"nextSessionAt":"2026-12-03T10:00:00+01:00"`)
	post := func(kind, body string) {
		t.Helper()
		if r := l.do(t, "POST", "/api/p/"+token+"/"+kind, body); r.Status != 201 {
			t.Fatalf("%s: %d %s", kind, r.Status, r.Body)
		}
	}
	leg := []int{7, 7, 6, 5, 5, 4}
	for day, pain := range leg {
		w.clock.Advance(24 * time.Hour)
		extra := []string{`"legPain":` + itoa(pain), `"backPain":` + itoa(pain/2), `"soreness":` + itoa(max(0, 4-day)), `"sitMinutes":` + itoa(20+day*10)}
		if day == 2 {
			extra = append(extra, `"seeDoctor":{"night-pain":true}`)
		}
		if day == 5 {
			extra = append(extra, `"legChange":"up"`)
		}
		post("checkins", v2CheckIn("week-check-"+itoa(day), extra...))
		if day%2 == 0 {
			post("completions", `{"id":"week-done-`+itoa(day)+`","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`)
		}
		switch day {
		case 0:
			post("psfs", psfsBody("week-psfs-01", 3, 4))
		case 5:
			post("psfs", psfsBody("week-psfs-02", 6, 5))
			post("preparation", prepBody("week-prep-01", `,"goalsNote":"sit through a film again"`))
		}
	}
	// Now 2026-12-02 10:00 UTC, the day before the session.

	r := l.do(t, "GET", "/api/plans/"+token, "")
	var plan struct {
		Clinic struct {
			Latest *struct {
				ID      string
				LegPain int
			}
			Flags []struct {
				CheckInID, Tier string
				Flags           []string
				Handled         bool
			}
			SummaryDue bool
		}
	}
	decodeInto(t, r.Body, &plan)
	c := plan.Clinic
	if c.Latest == nil || c.Latest.ID != "week-check-5" || !c.SummaryDue || len(c.Flags) != 1 ||
		c.Flags[0].CheckInID != "week-check-2" || c.Flags[0].Tier != "see-doctor-soon" || c.Flags[0].Handled {
		t.Fatalf("plan view clinic: %+v", c)
	}

	var series struct {
		Chart []struct {
			LegPain *int
			Tier    string
			PSFS    *float64
		}
	}
	decodeInto(t, l.do(t, "GET", "/api/plans/"+token+"/series", "").Body, &series)
	var legs []int
	var psfs []float64
	for _, p := range series.Chart {
		if p.LegPain != nil {
			legs = append(legs, *p.LegPain)
		}
		if p.PSFS != nil {
			psfs = append(psfs, *p.PSFS)
		}
	}
	if len(legs) != 6 || legs[0] != 7 || legs[5] != 4 || len(psfs) != 2 || psfs[0] != 3.5 || psfs[1] != 5.5 || series.Chart[3].Tier != "see-doctor-soon" {
		t.Fatalf("chart: legs %v psfs %v: %+v", legs, psfs, series.Chart)
	}

	s := l.do(t, "GET", "/api/plans/"+token+"/summary", "")
	var sum struct {
		Summary struct {
			CheckIns int
			LegPain  struct {
				First, Latest int
				Verdict       string
			}
			SitMinutes struct{ Verdict string }
			LegChanges struct{ Up int }
			Adherence  struct{ DaysStretched, Days int }
			PSFS       struct {
				Meaningful bool
				Verdict    string
				Activities []struct {
					Name       string
					Change     int
					Meaningful bool
				}
			}
			Preparation struct{ ID, GoalsNote string }
			Flags       []struct{ Tier string }
			Latest      struct{ ID string }
		}
		Client      string
		NextSession string
	}
	decodeInto(t, s.Body, &sum)
	got := sum.Summary
	if s.Status != 200 || sum.Client != "Sam" || sum.NextSession != "2026-12-03T09:00:00Z" {
		t.Fatalf("summary: %d %s", s.Status, s.Body)
	}
	if got.CheckIns != 6 || got.LegPain.First != 7 || got.LegPain.Latest != 4 || got.LegPain.Verdict != "better" ||
		got.SitMinutes.Verdict != "better" || got.LegChanges.Up != 1 {
		t.Errorf("trends: %s", s.Body)
	}
	if !got.PSFS.Meaningful || got.PSFS.Verdict != "better" || got.PSFS.Activities[0].Name != "sitting through a film" ||
		got.PSFS.Activities[0].Change != 3 || !got.PSFS.Activities[0].Meaningful {
		t.Errorf("PSFS: %+v", got.PSFS)
	}
	if got.Preparation.ID != "week-prep-01" || got.Preparation.GoalsNote != "sit through a film again" {
		t.Errorf("preparation: %+v", got.Preparation)
	}
	if got.Adherence.DaysStretched != 3 || got.Adherence.Days != 7 || len(got.Flags) != 1 || got.Flags[0].Tier != "see-doctor-soon" || got.Latest.ID != "week-check-5" {
		t.Errorf("adherence, flags, latest: %s", s.Body)
	}

	// Marked handled: the flag says by whom.
	if r := w.do(t, &browser{bearer: l.bearer}, "PATCH", "/api/plans/"+token, `{"alertsHandled":true}`); r.Status != 200 {
		t.Fatalf("mark handled: %d %s", r.Status, r.Body)
	}
	var after struct {
		Clinic struct {
			Flags []struct {
				Handled                  bool
				HandledBy, HandledByName string
			}
		}
	}
	decodeInto(t, l.do(t, "GET", "/api/plans/"+token, "").Body, &after)
	if f := after.Clinic.Flags; len(f) != 1 || !f[0].Handled || f[0].HandledBy != w.a.ID || f[0].HandledByName != "Ana A" {
		t.Fatalf("handled flag: %+v", after.Clinic.Flags)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// The clients list with the two tiers: an emergency sign first, then a
// see-a-doctor sign, still sore, legs worsening, then as before; status=attention
// holds all four; marking alerts handled takes a row off the top; a
// version-1 plan whose one pain rating rises is not "worsening" (it asked no
// leg questions).
func TestClientsListOrdersTheTwoTiersFirst(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	now := w.clock.Now()
	mk := func(name string, session time.Duration) string {
		t.Helper()
		body := strings.Replace(planBody(now.Add(-session), ""), `"Sam"`, `"`+name+`"`, 1)
		r := w.do(t, a, "POST", "/api/plans", body)
		if r.Status != 201 {
			t.Fatalf("create %s: %d %s", name, r.Status, r.Body)
		}
		return jsonField(t, r.Body, "token")
	}
	post := func(token, body string) {
		t.Helper()
		if r := w.do(t, nil, "POST", "/api/p/"+token+"/checkins", body); r.Status != 201 {
			t.Fatalf("check-in: %d %s", r.Status, r.Body)
		}
	}
	at := func(d time.Duration) string { return `"at":"` + now.Add(-d).Format(time.RFC3339) + `"` }
	// Made in the reverse of the order they must list in, each with newer activity than the next.
	calm := mk("Cal Calm", 20*time.Hour)
	post(calm, v2CheckIn("calm-check-1", at(5*time.Minute), `"legPain":2`))
	v1 := mk("Vic Version-one", 30*time.Hour)
	for i, pain := range []int{2, 4, 6} {
		post(v1, `{"id":"v1-rise-`+itoa(i)+`",`+at(time.Duration(20-i)*time.Minute)+`,"soreness":2,"pain":`+itoa(pain)+`}`)
	}
	worse := mk("Wes Worse", 30*time.Hour)
	post(worse, v2CheckIn("worse-check-1", at(30*time.Minute), `"legChange":"down"`))
	sore := mk("Sol Sore", 72*time.Hour)
	post(sore, `{"id":"sore-check-1",`+at(time.Hour)+`,"soreness":8,"pain":4}`)
	doctor := mk("Dee Doctor", 30*time.Hour)
	post(doctor, v2CheckIn("doctor-check", at(2*time.Hour), `"seeDoctor":{"fever":true}`))
	urgent := mk("Ema Emergency", 30*time.Hour)
	post(urgent, v2CheckIn("urgent-check", at(3*time.Hour), `"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":true}`))

	list := w.clients(t, a, "")
	var names, reasons []string
	for _, it := range list.Items {
		names, reasons = append(names, it.ClientName), append(reasons, it.Attention)
	}
	want := []string{"Ema Emergency", "Dee Doctor", "Sol Sore", "Wes Worse", "Cal Calm", "Vic Version-one"}
	wantWhy := []string{"emergency-now", "see-doctor-soon", "still-sore", "worsening", "", ""}
	if !slices.Equal(names, want) || !slices.Equal(reasons, wantWhy) {
		t.Fatalf("list %q %q,\nwant %q %q", names, reasons, want, wantWhy)
	}
	if got := w.allPages(t, a, "status=attention&limit=1"); !slices.Equal(got, want[:4]) {
		t.Fatalf("status=attention: %q", got)
	}
	if r := w.do(t, a, "PATCH", "/api/plans/"+doctor, `{"alertsHandled":true}`); r.Status != 200 {
		t.Fatalf("handled: %d %s", r.Status, r.Body)
	}
	if got := w.allPages(t, a, "status=attention"); !slices.Equal(got, []string{"Ema Emergency", "Sol Sore", "Wes Worse"}) {
		t.Fatalf("after the see-doctor sign was handled: %q", got)
	}
}

// The prepare reminder is the therapist's opt-in: off by default, turned on
// and off on PUT /api/session/settings (alone or with the language), shown by
// GET /api/session; a bad language stores neither.
func TestPrepareReminderSetting(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	if r := w.do(t, a, "GET", "/api/session", ""); !strings.Contains(r.Body, `"prepareReminder":false`) {
		t.Fatalf("default: %s", r.Body)
	}
	if r := w.do(t, a, "PUT", "/api/session/settings", `{"language":"tlh","prepareReminder":true}`); r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), "language:") {
		t.Fatalf("bad language: %d %s", r.Status, r.Body)
	}
	if th, _ := w.db.Therapist(w.a.ID); th.PrepareReminder {
		t.Fatal("a refused request turned the reminder on")
	}
	if r := w.do(t, a, "PUT", "/api/session/settings", `{"prepareReminder":"yes"}`); r.Status != 400 {
		t.Fatalf("not a boolean: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, a, "PUT", "/api/session/settings", `{"prepareReminder":true}`); r.Status != 200 || !strings.Contains(r.Body, `"prepareReminder":true`) {
		t.Fatalf("on: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, a, "GET", "/api/session", ""); !strings.Contains(r.Body, `"prepareReminder":true`) {
		t.Fatalf("after turning it on: %s", r.Body)
	}
	if r := w.do(t, a, "PUT", "/api/session/settings", `{"language":"fr","prepareReminder":false}`); r.Status != 200 ||
		!strings.Contains(r.Body, `"prepareReminder":false`) || !strings.Contains(r.Body, `"language":"fr"`) {
		t.Fatalf("off with a language: %d %s", r.Status, r.Body)
	}
	if th, _ := w.db.Therapist(w.a.ID); th.PrepareReminder || th.Language != "fr" {
		t.Fatalf("stored %+v", th)
	}
}
