package server

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
)

type wordsBody struct {
	Language  string         `json:"language"`
	Languages []string       `json:"languages"`
	Messages  map[string]any `json:"messages"`
}

// The workspace gets its words for a tag or for the browser's whole list,
// before anyone logs in, with the languages there are for its menu; a browser
// that has them already gets 304.
func TestWorkspaceMessagesByPreference(t *testing.T) {
	w := newWorkspace(t)
	for _, tt := range []struct{ pref, want, settings string }{
		{"de", "de", "Einstellungen"},
		{"de-AT,de;q=0.9,en;q=0.8", "de", "Einstellungen"},
		{"ja%2Cpt-PT%2Cen", "pt-BR", "Ajustes"}, // as encodeURIComponent sends navigator.languages
		{"es-419", "es", "Ajustes"},
		{"fr-CA", "fr", "Réglages"},
		{"xx-not-a-tag", "en", "Settings"},
		{"en-US", "en", "Settings"},
	} {
		r := w.do(t, nil, "GET", "/api/workspace-messages/"+tt.pref, "")
		var got wordsBody
		if r.Status != 200 || json.Unmarshal([]byte(r.Body), &got) != nil {
			t.Fatalf("%s: %d %.200s", tt.pref, r.Status, r.Body)
		}
		if got.Language != tt.want || got.Messages["settings.title"] != tt.settings || len(got.Languages) != 5 {
			t.Errorf("%s: language %q, settings.title %v, %d languages; want %s, %q, 5", tt.pref, got.Language, got.Messages["settings.title"], len(got.Languages), tt.want, tt.settings)
		}
		if etag := r.Header.Get("ETag"); etag == "" || r.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: ETag %q, Cache-Control %q", tt.pref, etag, r.Header.Get("Cache-Control"))
		}
	}
	first := w.do(t, nil, "GET", "/api/workspace-messages/de", "")
	if status, n := revalidate(t, w, "/api/workspace-messages/de-DE", first.Header.Get("ETag")); status != 304 || n != 0 {
		t.Errorf("revalidated German catalog: %d, %d bytes", status, n)
	}
	if status, _ := revalidate(t, w, "/api/workspace-messages/fr", first.Header.Get("ETag")); status != 200 {
		t.Errorf("French with the German ETag: %d", status)
	}
}

// revalidate GETs path with If-None-Match: etag and returns the status and body size.
func revalidate(t *testing.T, w *workspace, path, etag string) (int, int) {
	t.Helper()
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("If-None-Match", etag)
	res, err := w.app.Test(req, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, len(b)
}

// Every red flag, area and feeling a check-in can carry has its words in the
// workspace catalog, so the plan page never shows an id in any language.
func TestWorkspaceMessagesNameEveryCheckInChoice(t *testing.T) {
	w := newWorkspace(t)
	for _, lang := range []string{"en", "es", "de", "fr", "pt-BR"} {
		var got wordsBody
		if err := json.Unmarshal([]byte(w.do(t, nil, "GET", "/api/workspace-messages/"+lang, "").Body), &got); err != nil {
			t.Fatal(err)
		}
		for prefix, ids := range map[string][]string{"redflag": model.RedFlags, "area": model.Areas, "feeling": model.Feelings} {
			for _, id := range ids {
				if s, _ := got.Messages[prefix+"."+id].(string); s == "" {
					t.Errorf("%s: no words for %s.%s", lang, prefix, id)
				}
			}
		}
	}
}

// The library a therapist picks stretches from comes in the language asked for
// (the workspace passes its own), as the routines do.
func TestStretchLibraryInTheWorkspacesLanguage(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	var lib struct{ Stretches []routines.Stretch }
	if err := json.Unmarshal([]byte(w.do(t, a, "GET", "/api/stretches/library?lang=de", "").Body), &lib); err != nil {
		t.Fatal(err)
	}
	de, en := routines.StretchesIn(language.German), routines.Stretches()
	if len(lib.Stretches) != len(en) || lib.Stretches[0].Name != de[0].Name || de[0].Name == en[0].Name {
		t.Fatalf("German library: %d stretches, first %q; want %d, %q (English %q)", len(lib.Stretches), lib.Stretches[0].Name, len(en), de[0].Name, en[0].Name)
	}
	if r := w.do(t, a, "GET", "/api/stretches/library?lang=xx", ""); r.Status != 400 || !strings.Contains(r.Body, "lang") {
		t.Errorf("unknown language: %d %s", r.Status, r.Body)
	}
}
