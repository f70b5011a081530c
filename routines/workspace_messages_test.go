package routines

import (
	"encoding/json"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

func TestWorkspaceMessagesAreComplete(t *testing.T) {
	if err := ValidateWorkspaceMessages(); err != nil {
		t.Fatalf("workspace message files are incomplete:\n%v", err)
	}
}

// A regional tag gets its language's workspace file; an unknown one English.
func TestWorkspaceMessageFile(t *testing.T) {
	for _, tt := range []struct{ tag, want, title string }{
		{"en", "en", "Settings"}, {"es-MX", "es", "Ajustes"}, {"de-AT", "de", "Einstellungen"},
		{"fr-CA", "fr", "Réglages"}, {"pt", "pt-BR", "Ajustes"}, {"ja", "en", "Settings"},
	} {
		b, got := WorkspaceMessageFile(language.MustParse(tt.tag))
		var m map[string]any
		if err := json.Unmarshal(b, &m); err != nil || got.String() != tt.want || m["settings.title"] != tt.title {
			t.Errorf("WorkspaceMessageFile(%s) = %v with settings.title %q (err %v), want %s with %q", tt.tag, got, m["settings.title"], err, tt.want, tt.title)
		}
	}
}

// The words a therapist acts on are there in every language, in that language's
// own clinical terms for a red flag.
func TestWorkspaceRedFlagWords(t *testing.T) {
	b, err := newBundle(workspaceFiles, workspaceCatalog)
	if err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string]string{"en": "Red flag", "es": "Señal de alarma", "de": "Warnzeichen", "fr": "Signe d’alerte", "pt-BR": "Sinal de alerta"} {
		got, err := i18n.NewLocalizer(b, lang).Localize(&i18n.LocalizeConfig{MessageID: "clients.attention.red-flag"})
		if err != nil || got != want {
			t.Errorf("%s red flag badge = %q, %v; want %q", lang, got, err, want)
		}
	}
	// Plural forms per language: French says 0 in the singular, German has no "many".
	for _, tt := range []struct {
		lang  string
		count int
		want  string
	}{
		{"en", 1, "1 day"}, {"en", 14, "14 days"}, {"fr", 0, "0\u00a0jour"}, {"fr", 2, "2\u00a0jours"},
		{"de", 1, "1 Tag"}, {"de", 7, "7 Tage"}, {"es", 1000000, "1000000 de días"}, {"pt-BR", 21, "21 dias"},
	} {
		got, err := i18n.NewLocalizer(b, tt.lang).Localize(&i18n.LocalizeConfig{MessageID: "assign.days", PluralCount: tt.count, TemplateData: map[string]any{"Count": tt.count}})
		if err != nil || got != tt.want {
			t.Errorf("%s assign.days(%d) = %q, %v; want %q", tt.lang, tt.count, got, err, tt.want)
		}
	}
}

// The workspace's files go through the same checks as the client's: each
// problem below is named, in the language at fault.
func TestValidateWorkspaceMessagesRejects(t *testing.T) {
	files := fstest.MapFS{}
	for _, tag := range Supported() {
		name := catalogFileName(workspaceCatalog, tag)
		b, err := fs.ReadFile(workspaceFiles, name)
		if err != nil {
			t.Fatal(err)
		}
		files[name] = &fstest.MapFile{Data: b}
	}
	// with sets one German message (nil deletes it), or a whole file when id ends in .json.
	with := func(id string, v any) fstest.MapFS {
		out := fstest.MapFS{}
		for k, f := range files {
			out[k] = f
		}
		if strings.HasSuffix(id, ".json") {
			if v == nil {
				delete(out, id)
			} else {
				out[id] = &fstest.MapFile{Data: []byte(v.(string))}
			}
			return out
		}
		var m map[string]any
		if err := json.Unmarshal(files["locales/workspace.de.json"].Data, &m); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			delete(m, id)
		} else {
			m[id] = v
		}
		b, _ := json.Marshal(m)
		out["locales/workspace.de.json"] = &fstest.MapFile{Data: b}
		return out
	}
	if err := validateCatalog(with("", nil), workspaceCatalog, Supported()); err != nil {
		t.Fatalf("the real files do not pass: %v", err)
	}
	for _, tt := range []struct {
		name string
		fsys fstest.MapFS
		has  string
	}{
		{"missing", with("plan.redFlagBanner", nil), `[de] message "plan.redFlagBanner": text: not translated`},
		{"extra", with("plan.extra", "Hallo"), `[de] message "plan.extra": text: no English message has this id`},
		{"untranslated", with("settings.alerts.intro", "Get a notification when a client reports a red flag or is still sore 48 hours after a session."), "untranslated"},
		{"placeholder lost", with("plan.stillSoreBanner", "Noch Beschwerden nach 48 Stunden."), "placeholders [], English has [Name Soreness]"},
		{"plural as text", with("assign.days", "{{.Count}} Tage"), `"assign.days": text: must have plural forms`},
		{"plural form missing", with("assign.days", map[string]any{"other": "{{.Count}} Tage"}), `[de] message "assign.days": plural: count 1`},
		{"file missing", with("locales/workspace.fr.json", nil), "locales/workspace.fr.json is missing"},
		{"unknown language", with("locales/workspace.it.json", `{}`), `"it" is not one of the content languages`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := validateCatalog(tt.fsys, workspaceCatalog, Supported())
			if err == nil || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("err = %v\nwant it to say %q", err, tt.has)
			}
		})
	}
}
