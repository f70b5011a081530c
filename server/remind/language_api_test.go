package remind_test

// The languages issue's API test, here because it drives the reminder tick
// with an injected clock (remind's test-only Tick) through the whole HTTP app.

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server"
	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// studio is the whole app on a real bbolt file: the real scheduler sending
// through the real sender to the decrypting push service on loopback, all on
// one fake clock; one therapist with an API token.
type studio struct {
	app    *fiber.App
	db     *store.DB
	clk    *fakeclock.Clock
	sched  *remind.Scheduler
	push   *pushtest.Service
	bearer string
}

type acceptAll struct{}

func (acceptAll) CheckSubscription(model.Subscription) error { return nil }

func newStudio(t *testing.T, studioLanguage language.Tag) *studio {
	t.Helper()
	const base = "https://care.example.org"
	s := &studio{db: storetest.Open(t), clk: fakeclock.New(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC))}
	sender, svc := pushtest.NewSender(t, func(c *push.Config) { c.Sleep = func(context.Context, time.Duration) error { return nil } })
	s.push = svc
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	s.sched = remind.New(remind.Config{DB: s.db, Sender: sender, Now: s.clk.Now, BaseURL: base, Logger: logger, DefaultLanguage: studioLanguage})
	t.Cleanup(s.sched.Stop)
	svcCare := &care.Service{DB: s.db, Scheduler: s.sched, Subs: acceptAll{}, Now: s.clk.Now, BaseURL: base, Logger: logger,
		DefaultLanguage: studioLanguage}
	accounts := &account.Service{DB: s.db, Now: s.clk.Now, BaseURL: base}
	s.app = server.New(server.Deps{Care: svcCare, Accounts: accounts, Auth: auth.New(s.db, s.clk.Now), Static: pwa.Static(),
		Illustration: routines.Illustration, Logger: logger})
	th, err := s.db.CreateTherapist(model.Therapist{ID: "ana", Email: "ana@example.org", Name: "Ana Ruiz", TimeZone: "Europe/Madrid",
		CreatedAt: s.clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if s.bearer, _, err = accounts.NewAPIToken(th, "test"); err != nil {
		t.Fatal(err)
	}
	return s
}

type reply struct {
	status int
	header http.Header
	body   string
}

func (s *studio) do(t *testing.T, method, path, body string, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := s.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return reply{res.StatusCode, res.Header, string(b)}
}

func decodeInto(t *testing.T, r reply, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("%d %s: %v", r.status, r.body, err)
	}
}

// tickAt moves the clock to at and runs the minute's tick.
func (s *studio) tickAt(t *testing.T, at time.Time) {
	t.Helper()
	s.clk.Set(at)
	if _, err := s.sched.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
}

type pushed struct {
	Title, Body, URL, Kind string
	Actions                map[string]string
}

// next waits for push number n (from 1) and decodes it.
func (s *studio) next(t *testing.T, n int) pushed {
	t.Helper()
	got := s.push.Wait(n, 5*time.Second)
	if len(got) < n {
		t.Fatalf("%d pushes arrived, want %d", len(got), n)
	}
	if len(got) > n {
		t.Fatalf("%d pushes arrived, want %d", len(got), n)
	}
	var p pushed
	if err := json.Unmarshal(got[n-1].Payload, &p); err != nil {
		t.Fatalf("payload %s: %v", got[n-1].Payload, err)
	}
	return p
}

type clientView struct {
	Language string
	Messages string
	Routine  struct {
		ID, Name, Language string
		Stretches          []struct{ ID, Name, StopIf string }
	}
	RedFlags []struct{ ID, Question, Sign string }
}

// TestSpanishPlanThenGerman: a Spanish plan's client view, its routine and
// the push a reminder sends (decrypted by the test push service) are
// Spanish; after the client switches the app to German, the next reminder
// is German, and so is the view.
func TestSpanishPlanThenGerman(t *testing.T) {
	s := newStudio(t, language.English)
	session := s.clk.Now().Add(-time.Hour) // 08:00 UTC, 09:00 in Madrid
	r := s.do(t, "POST", "/api/plans", `{"clientName":"Sam Rivera","routineId":"gentle-sciatica-aftercare","timeZone":"Europe/Madrid",`+
		`"sessionAt":"`+session.Format(time.RFC3339)+`","days":7,"language":"es"}`, "Authorization", "Bearer "+s.bearer)
	if r.status != 201 {
		t.Fatalf("create: %d %s", r.status, r.body)
	}
	var created struct{ Token string }
	decodeInto(t, r, &created)
	token := created.Token

	es, en := routines.Supported()[2], routines.English
	if es.String() != "es" {
		t.Fatalf("supported languages %v", routines.Supported())
	}
	spanish, _ := routines.RoutineByIDIn("gentle-sciatica-aftercare", es)
	english, _ := routines.RoutineByIDIn("gentle-sciatica-aftercare", en)
	firstES, _ := routines.StretchByIDIn(spanish.Steps[0].StretchID, es)
	if spanish.Name == english.Name || firstES.Name == "" {
		t.Fatalf("the Spanish catalog has no Spanish routine name: %q", spanish.Name)
	}

	// The client's view: the plan, its routine and the texts the app shows, in Spanish.
	var v clientView
	decodeInto(t, s.do(t, "GET", "/api/p/"+token, ""), &v)
	if v.Language != "es" || v.Routine.Language != "es" || v.Routine.Name != spanish.Name || v.Routine.Stretches[0].Name != firstES.Name {
		t.Fatalf("client view: %+v, want the Spanish routine %q", v, spanish.Name)
	}
	if len(v.RedFlags) != 6 || !strings.HasPrefix(v.RedFlags[0].Question, "¿Nota") || v.RedFlags[0].ID != string(clinic.FlagSaddleNumbness) ||
		v.RedFlags[5].ID != string(clinic.FlagSexualFunction) {
		t.Errorf("red flags %+v, want the Spanish questions", v.RedFlags)
	}
	m := s.do(t, "GET", v.Messages, "")
	var catalog map[string]any
	_ = json.Unmarshal([]byte(m.body), &catalog)
	if m.status != 200 || catalog["urgent.title"] != "Busque atención médica ahora" ||
		!strings.Contains(m.header.Get("Cache-Control"), "immutable") {
		t.Errorf("GET %s: %d %v", v.Messages, m.status, m.header)
	}

	// The routine on its own, by ?lang= and by Accept-Language.
	for _, h := range [][]string{nil, {"Accept-Language", "es-MX,es;q=0.9"}} {
		path := "/api/routines/gentle-sciatica-aftercare?lang=es"
		if h != nil {
			path = "/api/routines/gentle-sciatica-aftercare"
		}
		r := s.do(t, "GET", path, "", h...)
		var rv struct{ Name, Language string }
		decodeInto(t, r, &rv)
		if rv.Name != spanish.Name || rv.Language != "es" || r.header.Get("Content-Language") != "es" {
			t.Errorf("GET %s %v: %s %v", path, h, r.body, r.header)
		}
	}

	// The device subscribes; the first reminder, two hours after the session, is Spanish.
	ep, key, auth := s.push.NewSubscription()
	sub, _ := json.Marshal(map[string]any{"endpoint": ep, "keys": map[string]string{"p256dh": key, "auth": auth}})
	if r := s.do(t, "PUT", "/api/p/"+token+"/subscription", string(sub)); r.status != 201 {
		t.Fatalf("subscribe: %d %s", r.status, r.body)
	}
	s.tickAt(t, session.Add(2*time.Hour+time.Minute))
	if p := s.next(t, 1); p.Kind != model.KindHydration || p.Title != "Hora de un vaso de agua" ||
		p.Body != "Sam, un buen vaso de agua ahora ayuda a sus músculos a recuperarse del masaje de hoy." || p.URL != "/p/"+token+"#/today" {
		t.Fatalf("first reminder %+v, want Spanish", p)
	}

	// The client switches the app to German: the choice is kept, the next reminder is German.
	r = s.do(t, "PUT", "/api/p/"+token+"/prefs", `{"disabled":[],"quietStart":"21:00","quietEnd":"08:00","language":"de"}`)
	if r.status != 200 || !strings.Contains(r.body, `"language":"de"`) {
		t.Fatalf("prefs: %d %s", r.status, r.body)
	}
	s.tickAt(t, session.Add(3*time.Hour+time.Minute))
	if p := s.next(t, 2); p.Kind != model.KindTip || p.Title != "Lassen Sie es heute ruhig angehen" || !strings.HasPrefix(p.Body, "Vermeiden Sie") {
		t.Fatalf("reminder after the switch %+v, want German", p)
	}
	// The evening's stretch reminder, with its buttons, German too (19:00 in Madrid).
	s.tickAt(t, time.Date(2026, 11, 26, 18, 1, 0, 0, time.UTC))
	p := s.next(t, 3)
	if p.Title != "Zeit für Ihre Dehnübungen" || p.Actions["start"] != "Dehnübungen starten" || p.Actions["done"] != "Erledigt" {
		t.Fatalf("stretch reminder %+v, want German with German buttons", p)
	}
	decodeInto(t, s.do(t, "GET", "/api/p/"+token, ""), &v)
	german, _ := routines.RoutineByIDIn("gentle-sciatica-aftercare", language.German)
	if v.Language != "de" || v.Routine.Name != german.Name || !strings.HasPrefix(v.Messages, "/api/messages/de?v=") {
		t.Errorf("client view after the switch: %+v", v)
	}
}

// TestUnknownLanguageIsRefusedNamingTheField: an unknown language is a 400
// naming the field, on creating a plan, on the client's switch (which then
// changes nothing) and on ?lang=; the supported ones in any letter case are
// taken in their canonical form.
func TestUnknownLanguageIsRefusedNamingTheField(t *testing.T) {
	s := newStudio(t, language.English)
	plan := func(lang string) reply {
		return s.do(t, "POST", "/api/plans", `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","timeZone":"Europe/Berlin"`+
			lang+`}`, "Authorization", "Bearer "+s.bearer)
	}
	for _, bad := range []string{`"it"`, `"xx-YY"`, `"pt"`, `"<b>"`, `"` + strings.Repeat("a", 300) + `"`} {
		if r := plan(`,"language":` + bad); r.status != 400 || !strings.HasPrefix(errorOf(t, r), "language: unknown language") {
			t.Errorf("language %s: %d %s", bad, r.status, r.body)
		}
	}
	if r := plan(`,"language":5`); r.status != 400 || !strings.HasPrefix(errorOf(t, r), "language:") {
		t.Errorf("language 5: %d %s", r.status, r.body)
	}
	if plans, _ := s.db.PlansByTherapist(""); len(plans) != 0 {
		t.Fatalf("refused plans were stored: %d", len(plans))
	}
	r := plan(`,"language":"PT-br"`)
	var created struct{ Token string }
	decodeInto(t, r, &created)
	if p, _ := s.db.Plan(created.Token); r.status != 201 || p.Language != "pt-BR" {
		t.Fatalf("language PT-br: %d, stored %q", r.status, p.Language)
	}

	prefs := func(lang string) reply {
		return s.do(t, "PUT", "/api/p/"+created.Token+"/prefs", `{"disabled":["tip"],"quietStart":"22:00","quietEnd":"07:00","language":`+lang+`}`)
	}
	if r := prefs(`"klingon"`); r.status != 400 || !strings.HasPrefix(errorOf(t, r), "language: unknown language") {
		t.Errorf("prefs klingon: %d %s", r.status, r.body)
	}
	if p, _ := s.db.Plan(created.Token); p.Language != "pt-BR" || len(p.Prefs.Disabled) != 0 || p.Prefs.QuietStart != "21:00" {
		t.Errorf("a refused switch changed the plan: %q %+v", p.Language, p.Prefs)
	}
	// Without "language" the plan keeps its own.
	r = s.do(t, "PUT", "/api/p/"+created.Token+"/prefs", `{"disabled":[],"quietStart":"22:00","quietEnd":"07:00"}`)
	if p, _ := s.db.Plan(created.Token); r.status != 200 || p.Language != "pt-BR" || !strings.Contains(r.body, `"language":"pt-BR"`) {
		t.Errorf("prefs without a language: %d %s, stored %q", r.status, r.body, p.Language)
	}

	for _, path := range []string{"/api/routines?lang=it", "/api/routines/gentle-sciatica-aftercare?lang=nope"} {
		if r := s.do(t, "GET", path, ""); r.status != 400 || !strings.HasPrefix(errorOf(t, r), "lang: unknown language") {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
	for _, path := range []string{"/api/messages/it", "/api/messages/pt-br", "/api/messages/"} {
		if r := s.do(t, "GET", path, ""); r.status != 404 {
			t.Errorf("GET %s: %d %s", path, r.status, r.body)
		}
	}
}

func errorOf(t *testing.T, r reply) string {
	t.Helper()
	var e struct{ Error string }
	if err := json.Unmarshal([]byte(r.body), &e); err != nil || e.Error == "" {
		t.Fatalf("no error message in %d %s", r.status, r.body)
	}
	return e.Error
}

// TestPlansWithoutLanguageSpeakTheStudios: a plan stored before languages
// (none stored) reads, and is reminded, in the studio's language; a new
// plan without one takes the therapist's, else the studio's.
func TestPlansWithoutLanguageSpeakTheStudios(t *testing.T) {
	s := newStudio(t, language.French)
	session := s.clk.Now().Add(-time.Hour)
	old := model.Plan{Token: model.NewToken(), TherapistID: "ana", ClientName: "Léa", RoutineID: "gentle-sciatica-aftercare",
		SessionAt: session, TimeZone: "Europe/Paris", StretchTime: "19:00", Days: 7, Prefs: model.DefaultPrefs(), CreatedAt: session}
	if err := s.db.CreatePlanWithSchedule(old, s.sched.States); err != nil {
		t.Fatal(err)
	}
	var v clientView
	decodeInto(t, s.do(t, "GET", "/api/p/"+old.Token, ""), &v)
	if v.Language != "fr" || v.Routine.Language != "fr" {
		t.Errorf("a plan without a language: %q, want the studio's fr", v.Language)
	}
	ep, key, auth := s.push.NewSubscription()
	sub, _ := json.Marshal(map[string]any{"endpoint": ep, "keys": map[string]string{"p256dh": key, "auth": auth}})
	s.do(t, "PUT", "/api/p/"+old.Token+"/subscription", string(sub))
	s.tickAt(t, session.Add(2*time.Hour+time.Minute))
	if p := s.next(t, 1); p.Title != "C’est l’heure d’un verre d’eau" {
		t.Errorf("reminder of a plan without a language: %+v, want the studio's French", p)
	}

	create := func() string {
		r := s.do(t, "POST", "/api/plans", `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","timeZone":"Europe/Berlin"}`,
			"Authorization", "Bearer "+s.bearer)
		var c struct{ Token string }
		decodeInto(t, r, &c)
		p, _ := s.db.Plan(c.Token)
		return p.Language
	}
	if got := create(); got != "fr" {
		t.Errorf("new plan of a therapist without a language: %q, want the studio's fr", got)
	}
	if _, err := s.db.UpdateTherapist("ana", func(th *model.Therapist) error { th.Language = "de"; return nil }); err != nil {
		t.Fatal(err)
	}
	if got := create(); got != "de" {
		t.Errorf("new plan of a German-speaking therapist: %q, want de", got)
	}
}
