package server

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-ical"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/locale"
)

// newPlanIn is newPlan (Samantha's plan, next session Friday 30 October at
// 10:00) in language lang.
func (s *calendarStudio) newPlanIn(t *testing.T, lang string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"clientName": "Samantha Quill", "routineId": "gentle-sciatica-aftercare", "timeZone": "Europe/Berlin",
		"sessionAt": s.clock.Now().Add(-time.Hour).Format(time.RFC3339), "stretchTime": "19:00", "days": 7,
		"nextSessionAt": time.Date(2026, 10, 30, 10, 0, 0, 0, s.berlin).Format(time.RFC3339), "notes": "Linke Seite zuerst.",
		"language": lang,
	})
	r := s.do(t, s.bearer, "POST", "/api/plans", string(body))
	if r.Status != 201 {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	return jsonField(t, r.Body, "token")
}

// englishPrintLabels are the printed plan's English words that are not the
// plan's own (names, notes, the routine's text): none may show in another language.
var englishPrintLabels = []string{
	"Aftercare plan", "Print or save as PDF", "Back", "Choose A4 or Letter", "Save as PDF", "From Ana", "session on",
	"printed", "about ", "minutes, once a day", "until", "Go gently", "Your next session", "before it, note", "so you can tell",
	"Scan to open", "Get medical care now", "Call ", "emergency services", "emergency department", "Don’t wait",
	"On the day of your massage", "Rest from strenuous", "Drink plenty", "Ice or heat", "Epsom-salt", "slow, easy walk",
	"Feeling sore is normal", "Your stretches", "For every stretch", "illustration", "Hold ", "seconds", "times on each side",
	"How it should feel", "When to stop", "at the warning signs above", "Contact Ana if", "still very sore",
	"Pain gets worse", "shooting down your leg", "A note from", "aftercare guidance", "not a diagnosis", "Your plan online",
	"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "October", " at 10:00",
	// both tiers of warning signs (the clinic content's)
	"weakness or numbness in a leg", "between your legs", "peeing or pooing", "both legs", "during sex", "even at night",
	"See a doctor within a few days", "steadily worse", "rest does not ease", "a fever", "eight loss", "in the past, and new back pain",
	"Book an appointment",
}

// TestPrintedPlanInGerman: a German plan prints in German, every label and
// date included; none of the English labels is left.
func TestPrintedPlanInGerman(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlanIn(t, "de")
	r := s.do(t, nil, "GET", "/p/"+token+"/print", "")
	if r.Status != 200 {
		t.Fatalf("print: %d", r.Status)
	}
	text := visibleText(r.Body)
	for _, en := range englishPrintLabels {
		if strings.Contains(text, en) {
			t.Errorf("the German printout still says %q", en)
		}
	}
	de := language.German
	routine, _ := routines.RoutineByIDIn("gentle-sciatica-aftercare", de)
	first, _ := routines.StretchByIDIn(routine.Steps[0].StretchID, de)
	for _, want := range []string{
		`<html lang="de">`, "Nachsorgeplan für Samantha", "Von Ana Ruiz · Termin am Donnerstag, 22. Oktober 2026 · gedruckt am 22. Oktober 2026",
		"etwa 7 Minuten, einmal täglich um 19:00 Uhr, bis Mittwoch, 28. Oktober.", "Freitag, 30. Oktober um 10:00 Uhr",
		"Holen Sie sich jetzt ärztliche Hilfe", "Rufen Sie die <strong>112</strong> an", "Am Tag Ihrer Massage",
		"Starke oder zunehmende Schwäche oder Taubheit in einem Bein", "Neue Schwäche oder Taubheit in beiden Beinen", "auch nachts",
		"Lassen Sie sich in den nächsten Tagen ärztlich untersuchen, wenn", "Krebs in der Vergangenheit und neue Rückenschmerzen",
		"Machen Sie noch diese Woche einen Termin", "Melden Sie sich bei Ana, wenn", "Eine Notiz von Ana",
		"Sekunden halten · 2-mal pro Seite", "So sollte es sich anfühlen:", routine.Name, first.Name, first.Steps[0], "Linke Seite zuerst.",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the German printout lacks %q", want)
		}
	}
	// The same labels are what the English printout shows (the list tests something).
	en := s.do(t, nil, "GET", "/p/"+s.newPlanIn(t, "en")+"/print", "")
	enText := visibleText(en.Body)
	for _, label := range []string{"Aftercare plan", "On the day of your massage", "When to stop", "Thursday", "Your plan online",
		"See a doctor within a few days", "even at night", "peeing or pooing", "in the past, and new back pain"} {
		if !strings.Contains(enText, label) {
			t.Errorf("the English printout lacks %q: the list of labels is stale", label)
		}
	}
}

// visibleText is a page's text and attribute values, tags removed.
func visibleText(page string) string {
	attrs := regexp.MustCompile(`(?:alt|aria-label|title)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	text := regexp.MustCompile(`<svg[\s\S]*?</svg>|<[^>]+>`).ReplaceAllString(page, " ")
	for _, a := range attrs {
		text += " " + a[1]
	}
	return text
}

// TestCalendarFeedInFrench: a French plan's feed, its events, alarms and
// links read French, and say so (LANGUAGE=fr).
func TestCalendarFeedInFrench(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlanIn(t, "fr")
	path, _ := feedPath(t, s.calendarOf(t, token), token)
	body, cal := s.fetchFeed(t, path)
	if name, _ := cal.Props.Text(ical.PropName); name != "Rappels de suivi · Harbour Massage" {
		t.Errorf("calendar name %q", name)
	}
	if !strings.Contains(body, "X-WR-CALDESC:Rappels d’étirements") {
		t.Error("calendar description not French")
	}
	summaries := map[string]bool{}
	for _, e := range cal.Events() {
		sum := e.Props.Get(ical.PropSummary)
		desc := e.Props.Get(ical.PropDescription)
		summaries[sum.Value] = true
		if sum.Params.Get(ical.ParamLanguage) != "fr" || desc.Params.Get(ical.ParamLanguage) != "fr" {
			t.Errorf("event %q without LANGUAGE=fr", sum.Value)
		}
		if !strings.Contains(desc.Value, "Ouvrir : https://care.example.org/c/") {
			t.Errorf("event %q: description %q", sum.Value, desc.Value)
		}
		for _, a := range e.Children {
			if d, _ := a.Props.Text(ical.PropDescription); strings.Contains(d, "Prepare") || strings.Contains(d, "Time for") {
				t.Errorf("English alarm %q", d)
			}
		}
	}
	fr := locale.For(language.French)
	for _, want := range []string{fr.Text("reminder.stretch-daily.title"), "C’est l’heure de vos étirements", "C’est l’heure d’un verre d’eau",
		fr.Text("reminder.checkin-24h.title"), "Votre prochaine séance avec Ana Ruiz"} {
		if !summaries[want] {
			t.Errorf("no event %q in %v", want, summaries)
		}
	}
	for _, en := range []string{"Aftercare reminders", "Time for", "Your next session", "Before it", "Open:", "About "} {
		if strings.Contains(body, en) {
			t.Errorf("the French feed says %q", en)
		}
	}
	if !strings.Contains(strings.ReplaceAll(body, "\r\n ", ""), "Environ 7 minutes.") {
		t.Error("the stretch event does not say its length in French")
	}
	// The page the events open speaks the plan's language; once the feed is
	// retired, the browser's, naming the calendar as that language names it.
	feed := strings.TrimSuffix(strings.TrimPrefix(path, "/c/"), ".ics")
	if r := s.do(t, nil, "GET", "/c/"+feed+"/open", ""); r.Status != 200 || !strings.Contains(r.Body, `<html lang="fr">`) ||
		!strings.Contains(r.Body, "Ouvrez le lien de votre thérapeute") {
		t.Errorf("open page: %d %s", r.Status, r.Body)
	}
	if r := s.do(t, nil, "POST", "/api/p/"+token+"/calendar/rotate", ""); r.Status != 200 {
		t.Fatalf("rotate: %d", r.Status)
	}
	gone := s.doHeader(t, "/c/"+feed+"/open", "Accept-Language", "de-CH,de;q=0.9")
	if gone.Status != 404 || !strings.Contains(gone.Body, `<html lang="de">`) || !strings.Contains(gone.Body, "Abonnierte Kalender → Nachsorge-Erinnerungen → Account löschen") {
		t.Errorf("retired feed's open page: %d %s", gone.Status, gone.Body)
	}
	if nf := s.doHeader(t, "/p/"+strings.Repeat("A", 32)+"/print", "Accept-Language", "es"); nf.Status != 404 ||
		!strings.Contains(nf.Body, "Este enlace del plan ya no es válido") {
		t.Errorf("unknown plan's printout: %d %s", nf.Status, nf.Body)
	}
	// The next-session file too.
	r := s.do(t, nil, "GET", "/api/p/"+token+"/calendar/next-session.ics", "")
	if r.Status != 200 || !strings.Contains(r.Body, "Prochaine séance") || !strings.Contains(strings.ReplaceAll(r.Body, "\r\n ", ""), "Votre séance a lieu demain. À préparer") {
		t.Errorf("next-session file: %d %s", r.Status, r.Body)
	}
}

// TestManifestAndAppPageInPortuguese: the home-screen app's name,
// description and lang, and the app page's <html lang>, are the plan's.
func TestManifestAndAppPageInPortuguese(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlanIn(t, "pt-BR")
	r := s.do(t, nil, "GET", "/p/"+token+"/manifest.webmanifest", "")
	var m struct {
		Name, Description, Lang, Dir string
		ShortName                    string `json:"short_name"`
	}
	if err := json.Unmarshal([]byte(r.Body), &m); r.Status != 200 || err != nil {
		t.Fatalf("manifest: %d %s", r.Status, r.Body)
	}
	// The studio (-studio-name here) names the home-screen app.
	if m.Name != "Harbour Massage — alongamentos de Samantha Quill" || m.ShortName != "Harbour Massage" || m.Lang != "pt-BR" || m.Dir != "ltr" ||
		m.Description != "Seus alongamentos, lembretes e respostas de acompanhamento, enviados pelo seu terapeuta." {
		t.Errorf("manifest %+v, want Portuguese", m)
	}
	page := s.do(t, nil, "GET", "/p/"+token, "")
	if page.Status != 200 || !strings.Contains(page.Body, `<html lang="pt-BR">`) || page.Header.Get("Content-Language") != "pt-BR" {
		t.Errorf("app page: %d %s…", page.Status, page.Body[:min(80, len(page.Body))])
	}
	// An unknown link's page speaks the browser's language.
	gone := s.do(t, nil, "GET", "/p/"+strings.Repeat("A", 32), "")
	if gone.Status != 404 || !strings.Contains(gone.Body, `<html lang="en">`) {
		t.Errorf("unknown plan's page: %d", gone.Status)
	}
}

// TestCheckInAdviceSpeaksThePlansLanguage: the advice after a check-in comes
// from the server, by message id with its words in the plan's language: the
// thank-you, the contact-therapist screen (therapist named), the urgent
// screen (only the signs answered yes, the plan's emergency number).
func TestCheckInAdviceSpeaksThePlansLanguage(t *testing.T) {
	s := newCalendarStudio(t)
	token := s.newPlanIn(t, "es")
	type answer struct {
		Advice      string
		AdviceTexts []struct{ ID, Text string }
	}
	post := func(body string) answer {
		t.Helper()
		r := s.do(t, nil, "POST", "/api/p/"+token+"/checkins", body)
		var a answer
		if err := json.Unmarshal([]byte(r.Body), &a); r.Status != 201 || err != nil {
			t.Fatalf("check-in: %d %s", r.Status, r.Body)
		}
		return a
	}
	texts := func(a answer) map[string]string {
		m := map[string]string{}
		for _, x := range a.AdviceTexts {
			m[x.ID] = x.Text
		}
		return m
	}
	es := locale.For(language.Spanish)

	a := post(`{"id":"checkin-normal1","soreness":3,"pain":2,"feelings":["tingling"]}`)
	got := texts(a)
	if a.Advice != "normal" || got["advice.normal.title.named"] != "Gracias, Samantha" || got["advice.normal.lead"] != es.Text("advice.normal.lead") ||
		got["advice.nerveFeelings"] != es.Text("advice.nerveFeelings") || a.AdviceTexts[0].ID != "advice.normal.title.named" {
		t.Errorf("normal advice %+v", a)
	}

	s.clock.Advance(50 * time.Hour)
	a = post(`{"id":"checkin-sore0001","soreness":8,"pain":3}`)
	got = texts(a)
	if a.Advice != "contact-therapist" || got["advice.contact.title"] != "Póngase en contacto con su terapeuta" ||
		!strings.HasSuffix(got["advice.contact.lead"], "póngase en contacto con Ana Ruiz.") || got["advice.nerveFeelings"] != "" {
		t.Errorf("contact advice %+v", a)
	}

	a = post(`{"id":"checkin-urgent01","soreness":2,"pain":9,"redFlags":["bladder-bowel"]}`)
	got = texts(a)
	if a.Advice != "urgent" || a.AdviceTexts[0].Text != "Busque atención médica ahora" || got["redflag.bladder-bowel.sign"] == "" ||
		got["redflag.leg-weakness.sign"] != "" || got["urgent.call"] != "Llame al 112 — emergencias" || got["urgent.otherNumber.112"] == "" {
		t.Errorf("urgent advice %+v", a)
	}
	for _, x := range a.AdviceTexts {
		if strings.HasPrefix(x.ID, "advice.") {
			t.Errorf("the urgent screen carries %s", x.ID)
		}
	}
	// A resend answers the same advice.
	if b := post2(t, s, token, `{"id":"checkin-urgent01","soreness":2,"pain":9,"redFlags":["bladder-bowel"]}`); !strings.Contains(b, `"adviceTexts":[{"id":"urgent.title"`) {
		t.Errorf("resend: %s", b)
	}
}

// doHeader is a GET with one request header.
func (w *workspace) doHeader(t *testing.T, path, name, value string) resp {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set(name, value)
	res, err := w.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, string(b)}
}

func post2(t *testing.T, s *calendarStudio, token, body string) string {
	t.Helper()
	r := s.do(t, nil, "POST", "/api/p/"+token+"/checkins", body)
	if r.Status != 200 {
		t.Fatalf("resend: %d %s", r.Status, r.Body)
	}
	return r.Body
}

// TestTherapistLanguageSetting: a therapist's language comes from the
// browser when they join (Accept-Language, if it names a supported one),
// can be changed in their settings (a session, not an API token; an unknown
// one is a 400 naming it), and the workspace's routines list follows it.
func TestTherapistLanguageSetting(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	r := w.do(t, owner, "GET", "/api/session", "")
	if !strings.Contains(r.Body, `"language":"en"`) {
		t.Fatalf("an account from before languages: %s, want the studio's en", r.Body)
	}
	for _, bad := range []string{`{"language":"tlh"}`, `{"language":""}`, `{}`, `{"language":7}`} {
		if r := w.do(t, owner, "PUT", "/api/session/settings", bad); r.Status != 400 || !strings.HasPrefix(errorOf(t, r), "language:") {
			t.Errorf("%s: %d %s", bad, r.Status, r.Body)
		}
	}
	if th, _ := w.db.Therapist(w.owner.ID); th.Language != "" {
		t.Fatalf("a refused setting was stored: %q", th.Language)
	}
	if r := w.do(t, owner, "PUT", "/api/session/settings", `{"language":"de"}`); r.Status != 200 || !strings.Contains(r.Body, `"language":"de"`) {
		t.Fatalf("set German: %d %s", r.Status, r.Body)
	}
	if th, _ := w.db.Therapist(w.owner.ID); th.Language != "de" {
		t.Fatalf("stored %q, want de", th.Language)
	}
	if r := w.do(t, &browser{bearer: w.apiToken(t, w.owner)}, "PUT", "/api/session/settings", `{"language":"fr"}`); r.Status != 403 {
		t.Errorf("an API token changed account settings: %d", r.Status)
	}

	// Joining: the browser's language, else none (the studio's).
	for i, tc := range []struct{ accept, body, want string }{
		{"fr-CA,fr;q=0.9", "", "fr"}, {"ja", "", ""}, {"", "", ""}, {"de", `,"language":"es"`, "es"},
	} {
		r := w.do(t, owner, "POST", "/api/therapists/invites", `{}`)
		secret := strings.TrimPrefix(jsonField(t, r.Body, "url"), "http://care.test/therapist#/join/")
		body := `{"email":"new` + strconv.Itoa(i) + `@example.org","name":"New","password":"` + testPassword + `","timeZone":"Europe/Paris"` + tc.body + `}`
		req := httptest.NewRequest("POST", "/api/invites/"+secret, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Accept-Language", tc.accept)
		res, err := w.app.Test(req, -1)
		if err != nil || res.StatusCode != 201 {
			t.Fatalf("join with %q: %v %v", tc.accept, res.StatusCode, err)
		}
		var reply struct{ Therapist struct{ ID, Language string } }
		_ = json.NewDecoder(res.Body).Decode(&reply)
		res.Body.Close()
		th, _ := w.db.Therapist(reply.Therapist.ID)
		if th.Language != tc.want {
			t.Errorf("joined with Accept-Language %q%s: stored %q, want %q", tc.accept, tc.body, th.Language, tc.want)
		}
	}

	r = w.do(t, owner, "GET", "/api/routines?lang=de", "")
	var list []struct{ ID, Name, Language string }
	_ = json.Unmarshal([]byte(r.Body), &list)
	german, _ := routines.RoutineByIDIn(list[0].ID, language.German)
	if list[0].Language != "de" || list[0].Name != german.Name {
		t.Errorf("routines in German: %+v", list[0])
	}
}
