package routines

import (
	"encoding/json"
	"errors"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

func TestMessagesAreComplete(t *testing.T) {
	if err := ValidateMessages(); err != nil {
		t.Fatalf("message files are incomplete:\n%v", err)
	}
}

// Each language has its own message file, and a regional tag gets its language's.
func TestMessageFile(t *testing.T) {
	for _, tt := range []struct{ tag, want string }{
		{"en", "en"}, {"es", "es"}, {"es-MX", "es"}, {"de-AT", "de"}, {"fr-CA", "fr"}, {"pt", "pt-BR"}, {"pt-BR", "pt-BR"}, {"ja", "en"},
	} {
		b, got := MessageFile(language.MustParse(tt.tag))
		if got.String() != tt.want {
			t.Errorf("MessageFile(%s) is for %v, want %s", tt.tag, got, tt.want)
		}
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || m["urgent.title"] == nil {
			t.Errorf("MessageFile(%s) = %d bytes, err %v, no urgent.title", tt.tag, len(b), err)
		}
	}
}

// go-i18n parses every file, and a count picks the language's own plural
// form: French and Portuguese say 0 in the singular, Spanish, French and
// Portuguese have a "many" form for a million.
func TestMessagePluralsResolvePerLanguage(t *testing.T) {
	b, err := NewMessageBundle()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		lang  string
		count any
		want  string
	}{
		{"en", 1, "1 stretch"}, {"en", 0, "0 stretches"}, {"en", 5, "5 stretches"},
		{"es", 1, "1 estiramiento"}, {"es", 5, "5 estiramientos"}, {"es", 1000000, "1000000 de estiramientos"},
		{"de", 1, "1 Dehnübung"}, {"de", 5, "5 Dehnübungen"},
		{"fr", 0, "0 étirement"}, {"fr", 1, "1 étirement"}, {"fr", 2, "2 étirements"}, {"fr", 1000000, "1000000 d’étirements"},
		{"pt-BR", 1, "1 alongamento"}, {"pt-BR", 3, "3 alongamentos"}, {"pt-BR", 1000000, "1000000 de alongamentos"},
	} {
		loc := i18n.NewLocalizer(b, tt.lang)
		got, tag, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{
			MessageID: "count.stretches", PluralCount: tt.count, TemplateData: map[string]any{"Count": tt.count},
		})
		if err != nil || got != tt.want || tag.String() != tt.lang {
			t.Errorf("%s count.stretches(%v) = %q from %v, %v; want %q", tt.lang, tt.count, got, tag, err, tt.want)
		}
	}
	// A named template fills in per language.
	loc := i18n.NewLocalizer(b, "de-AT")
	got, err := loc.Localize(&i18n.LocalizeConfig{MessageID: "urgent.call", TemplateData: map[string]string{"Number": "144"}})
	if err != nil || !strings.Contains(got, "144") || strings.Contains(got, "Call") {
		t.Errorf("de-AT urgent.call = %q, %v", got, err)
	}
}

// Every red-flag and urgent-screen text is there, and not empty, in every language.
func TestSafetyMessagesInEveryLanguage(t *testing.T) {
	en, err := readMessages(messageFiles, englishMessagesFile)
	if err != nil {
		t.Fatal(err)
	}
	var safety []string
	for id := range en {
		if strings.HasPrefix(id, "redflag.") || strings.HasPrefix(id, "urgent.") || strings.HasPrefix(id, "help.") {
			safety = append(safety, id)
		}
	}
	if len(safety) < 30 {
		t.Fatalf("only %d safety messages in English", len(safety))
	}
	for _, tag := range Supported() {
		ms, err := readMessages(messageFiles, messageFileName(tag))
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range safety {
			if strings.TrimSpace(ms[id].forms["other"]) == "" {
				t.Errorf("%s: %s is missing or empty", tag, id)
			}
		}
	}
}

func TestValidateMessagesRejects(t *testing.T) {
	files := fstest.MapFS{}
	for _, tag := range Supported() {
		b, err := fs.ReadFile(messageFiles, messageFileName(tag))
		if err != nil {
			t.Fatal(err)
		}
		files[messageFileName(tag)] = &fstest.MapFile{Data: b}
	}
	if err := validateMessages(files, Supported()); err != nil {
		t.Fatalf("the real files do not pass: %v", err)
	}
	// edit rewrites one entry of the Spanish file (nil deletes it).
	edit := func(id string, v any) fstest.MapFS {
		var m map[string]any
		if err := json.Unmarshal(files["locales/messages.es.json"].Data, &m); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			delete(m, id)
		} else {
			m[id] = v
		}
		b, _ := json.Marshal(m)
		out := fstest.MapFS{}
		for k, f := range files {
			out[k] = f
		}
		out["locales/messages.es.json"] = &fstest.MapFile{Data: b}
		return out
	}
	without := func(name string) fstest.MapFS {
		out := fstest.MapFS{}
		for k, f := range files {
			if k != name {
				out[k] = f
			}
		}
		return out
	}
	with := func(name, body string) fstest.MapFS {
		out := without("")
		out[name] = &fstest.MapFile{Data: []byte(body)}
		return out
	}
	enStretches := map[string]any{"one": "{{.Count}} estiramiento", "other": "{{.Count}} estiramientos"} // no "many"
	for _, tt := range []struct {
		name string
		fsys fstest.MapFS
		has  string
	}{
		{"missing message", edit("urgent.why", nil), `"urgent.why": text: not translated`},
		{"missing red flag", edit("redflag.saddle-numbness.question", nil), "redflag.saddle-numbness.question"},
		{"unknown message", edit("urgent.extra", "Hola"), "no English message"},
		{"empty safety text", edit("urgent.title", " "), `"urgent.title": text: other is empty`},
		{"untranslated", edit("urgent.noMoreStretches", "Please don’t do any more stretches until a doctor has checked you."), "untranslated"},
		{"untranslated format with words", edit("urgent.call.short", "Call {{.Number}}"), "untranslated"},
		{"placeholder dropped", edit("urgent.call", "Llame a urgencias"), "placeholders [], English has [Number]"},
		{"placeholder renamed", edit("urgent.call", "Llame al {{.Numero}}"), "placeholders [Numero]"},
		{"template logic", edit("urgent.call", "Llame al {{.Number}}{{if .X}}!{{end}}"), "only {{.Name}}-style"},
		{"plural as text", edit("count.stretches", "{{.Count}} estiramientos"), "must have plural forms"},
		{"text as plural", edit("urgent.title", map[string]any{"one": "x", "other": "y"}), "must be plain text"},
		{"plural without other", edit("count.days", map[string]any{"one": "{{.Count}} día"}), `include "other"`},
		{"unknown plural form", edit("count.days", map[string]any{"uno": "{{.Count}} día", "other": "{{.Count}} días"}), `"uno" is not a plural form`},
		{"plural form missing", edit("count.stretches", enStretches), `"count.stretches": plural: count 1000000`},
		{"missing language", without("locales/messages.fr.json"), "locales/messages.fr.json is missing"},
		{"language without content", with("locales/messages.it.json", `{}`), `"it" is not one of the content languages`},
		{"not json", with("locales/messages.de.json", `{`), "messages.de.json"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := validateMessages(tt.fsys, Supported())
			if err == nil || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.has)
			}
			var fe *FieldError
			if errors.As(err, &fe) && strings.HasPrefix(tt.has, `"`) && fe.Lang != "es" {
				t.Errorf("problem %v is not tagged es", fe)
			}
		})
	}
}
