package locale

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// Dates and times read as each language writes them, 24-hour clock included.
func TestDatesPerLanguage(t *testing.T) {
	berlin, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 3, 1, 19, 5, 0, 0, berlin) // a Sunday, the first of the month
	for _, tc := range []struct {
		lang                     string
		long, weekdayTime, short string
	}{
		{"en", "Sunday 1 March 2026", "Sunday 1 March at 19:05", "1 March 2026"},
		{"es", "domingo, 1 de marzo de 2026", "domingo, 1 de marzo a las 19:05", "1 de marzo de 2026"},
		{"de", "Sonntag, 1. März 2026", "Sonntag, 1. März um 19:05 Uhr", "1. März 2026"},
		{"fr", "dimanche 1er mars 2026", "dimanche 1er mars à 19:05", "1er mars 2026"},
		{"pt-BR", "domingo, 1º de março de 2026", "domingo, 1º de março às 19:05", "1º de março de 2026"},
	} {
		l := For(language.MustParse(tc.lang))
		if l.String() != tc.lang {
			t.Fatalf("For(%s) is %s", tc.lang, l)
		}
		for style, want := range map[string]string{DateLong: tc.long, DateWeekdayTime: tc.weekdayTime, DateShort: tc.short} {
			if got := l.Date(at, style); got != want {
				t.Errorf("%s %s: %q, want %q", tc.lang, style, got, want)
			}
		}
		if got := l.Clock(at.Add(-12 * time.Hour)); got != "07:05" {
			t.Errorf("%s clock %q, want 07:05", tc.lang, got)
		}
	}
	// Other days of the month carry no ordinal.
	if got := For(language.French).Date(at.AddDate(0, 0, 1), DateWeekday); got != "lundi 2 mars" {
		t.Errorf("French 2 March: %q", got)
	}
}

func TestLanguageChoice(t *testing.T) {
	for in, want := range map[string]string{"": "de", "es": "es", "pt-BR": "pt-BR", "xx-invalid-!": "de"} {
		if got := Of(in, language.German).String(); got != want {
			t.Errorf("Of(%q, de) = %s, want %s", in, got, want)
		}
	}
	for header, want := range map[string]string{
		"es-MX,es;q=0.9,en;q=0.5": "es", "pt": "pt-BR", "de-AT": "de", "fr-CA": "fr",
		"ja,zh;q=0.8": "de", "": "de", "en-US,en;q=0.9": "en", ";;;": "de",
	} {
		if got := Negotiate(header, language.German).String(); got != want {
			t.Errorf("Negotiate(%q, de) = %s, want %s", header, got, want)
		}
	}
	for in, want := range map[string]bool{"pt-br": true, "EN": true, "de": true, "pt": false, "es-MX": false, "it": false, "": false} {
		if _, ok := Supported(in); ok != want {
			t.Errorf("Supported(%q) = %v", in, ok)
		}
	}
}

func TestMessagesFillAndFallBack(t *testing.T) {
	de := For(language.German)
	if got := de.Named("reminder.stretch-daily.body", "Lena", nil); !strings.HasPrefix(got, "Lena, jetzt") {
		t.Errorf("named German body %q", got)
	}
	if got := de.Therapist("advice.contact.lead", "", nil); !strings.Contains(got, "Ihrer Therapeutin oder Ihrem Therapeuten") {
		t.Errorf("unnamed German lead %q", got)
	}
	if got := For(language.Spanish).Count("alert.digest", 3, nil); got != "3 respuestas nuevas necesitan su atención" {
		t.Errorf("Spanish digest %q", got)
	}
	if got := de.Text("no.such.message"); got != "no.such.message" {
		t.Errorf("a missing id renders as %q, want the id", got)
	}
}

func TestCatalogs(t *testing.T) {
	es := For(language.Spanish)
	data, v := es.Catalog()
	var msgs map[string]any
	if err := json.Unmarshal(data, &msgs); err != nil || msgs["urgent.title"] != "Busque atención médica ahora" || len(v) != 12 {
		t.Fatalf("Spanish catalog (version %q, %v) is not the Spanish message file", v, err)
	}
	for id := range msgs {
		for _, ns := range ServerOnly {
			if strings.HasPrefix(id, ns) {
				t.Errorf("the app's Spanish catalog carries %s, which only the server renders", id)
			}
		}
	}
	if msgs["reminders.title"] == nil && msgs["today.title"] == nil {
		t.Error("the app's catalog lost the app's own messages")
	}
	if _, ven := English().Catalog(); ven == v {
		t.Error("two languages share a catalog version")
	}
	if p := es.CatalogPath(); p != "/api/messages/es?v="+v {
		t.Errorf("catalog path %q", p)
	}
}

// Filling a message's markers gives what go-i18n renders with the values,
// for every message of every language, placeholders in any order.
func TestFormatRendersAsGoI18nDoes(t *testing.T) {
	field := regexp.MustCompile(`\{\{\.([A-Za-z]+)\}\}`)
	for _, tag := range routines.Supported() {
		l := For(tag)
		data, _ := routines.MessageFile(tag) // every message, the server's too
		var msgs map[string]any
		if err := json.Unmarshal(data, &msgs); err != nil {
			t.Fatal(err)
		}
		for id, m := range msgs {
			text, ok := m.(string)
			if !ok {
				continue // plural: Count renders through go-i18n every time
			}
			d := Data{}
			for _, f := range field.FindAllStringSubmatch(text, -1) {
				d[f[1]] = "«" + f[1] + " & <x>»"
			}
			for range 2 { // the second time from the shape
				if got, want := l.Format(id, d), l.localize(id, nil, d); got != want {
					t.Errorf("%s %s: %q, go-i18n renders %q", tag, id, got, want)
				}
			}
		}
	}
}

// The app never asks for a message of a namespace its catalog leaves out:
// none of its files names one (a message id in the app is a string literal
// or a template starting with its namespace).
func TestAppUsesNoServerOnlyMessages(t *testing.T) {
	root := filepath.Join("..", "..", "pwa", "static")
	var files int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !(strings.HasSuffix(path, ".js") || strings.HasSuffix(path, ".html")) {
			return err
		}
		files++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, ns := range ServerOnly {
			for _, q := range []string{"'", "\"", "`"} {
				if strings.Contains(string(b), q+ns) {
					t.Errorf("%s names a %s message, which the app's catalog leaves out (locale.ServerOnly)", path, ns)
				}
			}
		}
		return nil
	})
	if err != nil || files < 10 {
		t.Fatalf("read %d app files: %v", files, err)
	}
}
