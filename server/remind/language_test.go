package remind

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestRemindersSpeakThePlansLanguage: every rule's title, body and buttons
// come from the plan's language, the client greeted by first name and the
// session's time on the language's clock; a plan stored without a language
// speaks the studio's.
func TestRemindersSpeakThePlansLanguage(t *testing.T) {
	p := testPlan(t, "tok")
	p.ClientName = "Lena Maier"
	p.Language = "de"
	rules, err := Rules(p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]string{
		"hydration-after":  {"Zeit für ein Glas Wasser", "Lena, ein großes Glas Wasser hilft Ihren Muskeln jetzt"},
		"stretch-daily":    {"Zeit für Ihre Dehnübungen", "Lena, jetzt ein paar sanfte Minuten."},
		"checkin-24h":      {"Wie geht es Ihnen heute?", "Lena, eine Rückmeldung in 30 Sekunden"},
		"tip-session":      {"Lassen Sie es heute ruhig angehen", "Vermeiden Sie anstrengende Tätigkeiten."},
		"followup-eve":     {"Ihr Termin ist morgen", "Lena, bis morgen um 10:00 Uhr."},
		"followup-prepare": {"Heute ist Ihr Termin", "Trinken Sie etwas Wasser"},
	}
	seen := map[string]bool{}
	for _, r := range rules {
		if w, ok := want[r.ID]; ok {
			seen[r.ID] = true
			if r.Title != w[0] || !strings.HasPrefix(r.Body, w[1]) {
				t.Errorf("%s: %q / %q, want %q / %q…", r.ID, r.Title, r.Body, w[0], w[1])
			}
		}
		if strings.Contains(r.Title+r.Body, "reminder.") {
			t.Errorf("%s shows a message id: %q / %q", r.ID, r.Title, r.Body)
		}
		switch r.Kind {
		case model.KindStretch:
			if len(r.Actions) != 2 || r.Actions[0] != (push.Action{Action: "start", Title: "Dehnübungen starten"}) ||
				r.Actions[1] != (push.Action{Action: "done", Title: "Erledigt"}) {
				t.Errorf("stretch buttons %+v", r.Actions)
			}
		case model.KindCheckIn:
			if len(r.Actions) != 1 || r.Actions[0] != (push.Action{Action: "checkin", Title: "Rückmeldung geben"}) {
				t.Errorf("check-in buttons %+v", r.Actions)
			}
		default:
			if len(r.Actions) != 0 {
				t.Errorf("%s has buttons %+v", r.ID, r.Actions)
			}
		}
	}
	if len(seen) != len(want) {
		t.Errorf("rules seen %v, want all of %v", seen, want)
	}

	// A plan from before languages speaks the studio's default.
	p.Language = ""
	r, err := ruleFor(p, "stretch-daily", language.French)
	if err != nil || r == nil {
		t.Fatal(r, err)
	}
	if r.Title != "C’est l’heure de vos étirements" || r.Actions[0].Title != "Commencer les étirements" {
		t.Errorf("French by default: %q, %+v", r.Title, r.Actions)
	}
	if r, _ := RuleFor(p, "stretch-daily"); r.Title != "Time for your stretches" {
		t.Errorf("no language and no default: %q, want English", r.Title)
	}
}

// TestEveryReminderFitsTheSmallestBody: in every language, every reminder
// kind with its buttons, the longest first name (24 four-byte characters)
// and a 90-character base URL stays inside the 512-byte push body, so its
// size does not tell the kind or the language (push/padding.go).
func TestEveryReminderFitsTheSmallestBody(t *testing.T) {
	const smallest = 512 - 103 // the largest payload webpush-go pads to 512 bytes
	base := "https://" + strings.Repeat("c", 90-len("https://"))
	for _, tag := range routines.Supported() {
		p := testPlan(t, model.NewToken())
		p.ClientName = strings.Repeat("𝓐", 24) + " Иванова" // a first name is cut at 24 characters
		p.Language = tag.String()
		p.CadenceDays, p.NextSessionAt, p.Days = 7, nil, 30 // the booking nudges
		rules, err := Rules(p)
		if err != nil {
			t.Fatal(err)
		}
		q := testPlan(t, p.Token) // the session reminders
		q.ClientName, q.Language = p.ClientName, p.Language
		more, err := Rules(q)
		if err != nil {
			t.Fatal(err)
		}
		largest := 0
		for _, r := range append(rules, more...) {
			b, err := r.Message(base).Payload()
			if err != nil {
				t.Fatal(err)
			}
			largest = max(largest, len(b))
			if len(b) > smallest {
				t.Errorf("%s %s: %d bytes, more than %d: %s", tag, r.ID, len(b), smallest, b)
			}
		}
		t.Logf("%s: largest reminder payload %d bytes", tag, largest)
	}
}

// TestTherapistAlertsSpeakTheTherapistsLanguage: a plan in Spanish, its
// therapist reads French: the alert and the digest are French, and name no one.
func TestTherapistAlertsSpeakTheTherapistsLanguage(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC))
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL, DefaultLanguage: language.German})
	if _, err := db.CreateTherapist(model.Therapist{ID: "th1", Email: "th1@example.org", Name: "Ana", Language: "fr", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, store.TherapistOwner("th1"), ep, k, a)
	p := testPlan(t, model.NewToken())
	p.Language = "es"
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	s.AlertTherapistAsync(p, urgentCheckIn(p, 0))
	clk.Set(clk.Now().Add(time.Second))
	s.AlertTherapistAsync(p, urgentCheckIn(p, 1))
	clk.Set(clk.Now().Add(time.Second))
	s.AlertTherapistAsync(p, urgentCheckIn(p, 2))
	s.alerts.Wait()
	clk.Set(clk.Now().Add(DefaultAlertDigestEvery))
	tick(t, s)
	s.alerts.Wait()
	got := svc.Wait(2, 5*time.Second)
	if len(got) != 2 {
		t.Fatalf("%d alerts, want the first and a digest", len(got))
	}
	first, digest := decode(t, got[0]), decode(t, got[1])
	if first.Title != "aftercare" || first.Body != "Une personne que vous suivez a besoin de votre attention" {
		t.Errorf("first alert %+v, want French", first)
	}
	if digest.Body != "2 nouvelles réponses demandent votre attention" {
		t.Errorf("digest %+v, want French", digest)
	}

	// An account from before languages reads the studio's default.
	if _, err := db.UpdateTherapist("th1", func(th *model.Therapist) error { th.Language = ""; return nil }); err != nil {
		t.Fatal(err)
	}
	q := testPlan(t, model.NewToken())
	if err := db.CreatePlan(q); err != nil {
		t.Fatal(err)
	}
	s.AlertTherapistAsync(q, urgentCheckIn(q, 3))
	s.alerts.Wait()
	got = svc.Wait(3, 5*time.Second)
	if len(got) != 3 {
		t.Fatalf("%d alerts, want 3", len(got))
	}
	if p := decode(t, got[2]); p.Body != "Eine Klientin oder ein Klient braucht Ihre Aufmerksamkeit" {
		t.Errorf("alert to an account without a language: %+v, want the studio's German", p)
	}
}

// TestTestPushSpeaksThePlansLanguage: the test notification is the plan's.
func TestTestPushSpeaksThePlansLanguage(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	s := New(Config{DB: db, Sender: sender, BaseURL: testBaseURL})
	p := testPlan(t, model.NewToken())
	p.Language = "pt-BR"
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, p.Token, ep, k, a)
	if _, err := s.TestPush(t.Context(), p.Token); err != nil {
		t.Fatal(err)
	}
	got := svc.Wait(1, 5*time.Second)
	if len(got) != 1 {
		t.Fatal("no test notification")
	}
	var m struct{ Title, Body string }
	if err := json.Unmarshal(got[0].Payload, &m); err != nil {
		t.Fatal(err)
	}
	if m.Title != "Os lembretes estão ativados" || m.Body != "É assim que seus lembretes de cuidado vão aparecer neste aparelho." {
		t.Errorf("test notification %+v, want Portuguese", m)
	}
}

// BenchmarkRuleForInLanguages is what deriving one reminder costs (a tick
// derives each due rule once per version of its plan), words included.
func BenchmarkRuleForInLanguages(b *testing.B) {
	for _, lang := range []string{"en", "de", "pt-BR"} {
		b.Run(lang, func(b *testing.B) {
			p := testPlan(b, "tok")
			p.Language = lang
			b.ReportAllocs()
			for b.Loop() {
				if r, err := RuleFor(p, "stretch-daily"); err != nil || r == nil {
					b.Fatal(err)
				}
			}
		})
	}
}
