package routines

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"unicode"

	"github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The client's safety and aftercare texts (session-day tips, advice after a
// check-in, red-flag questions, the "Get medical care now" screen, reminder
// notifications), one go-i18n v2 message file per language:
// locales/messages.<tag>.json, a flat object from message id to text, or to
// CLDR plural forms ({"one": …, "other": …}) for counts. Placeholders are
// {{.Name}}-style fields only, so the client app can fill them in too; a
// plural message writes its number {{.Count}}, so pass the count both as
// PluralCount and as TemplateData["Count"]. Messages that name the therapist
// ({{.Therapist}}) have an ".unnamed" twin for when there is no name, as
// "your therapist" changes case and gender with the sentence in German,
// French and Portuguese.
//
//go:embed locales/messages.*.json
var messageFiles embed.FS

// englishMessagesFile is the source every other message file is checked against.
const englishMessagesFile = "locales/messages.en.json"

// MessageFile returns the message file of the supported language that best
// matches tag, as stored (JSON), for the client app to load.
func MessageFile(tag language.Tag) ([]byte, language.Tag) {
	return catalogFile(messageFiles, "messages", tag)
}

// catalogFile reads the file of catalog name (locales/<name>.<tag>.json) for
// the supported language that best matches tag.
func catalogFile(fsys fs.FS, name string, tag language.Tag) ([]byte, language.Tag) {
	l := localeOf(tag).tag
	b, err := fs.ReadFile(fsys, catalogFileName(name, l))
	if err != nil {
		// Every supported language has a file in each catalog (the validators);
		// fall back to English rather than fail a reader.
		b, _ = fs.ReadFile(fsys, catalogFileName(name, English))
		return b, English
	}
	return b, l
}

// NewMessageBundle returns a go-i18n bundle holding every message file, with
// English as the fallback language.
func NewMessageBundle() (*i18n.Bundle, error) { return newBundle(messageFiles, "messages") }

// newBundle loads every file of catalog name into a go-i18n bundle.
func newBundle(fsys fs.FS, name string) (*i18n.Bundle, error) {
	b := i18n.NewBundle(English)
	files, err := fs.Glob(fsys, "locales/"+name+".*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if _, err := b.LoadMessageFileFS(fsys, f); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	return b, nil
}

func messageFileName(tag language.Tag) string { return catalogFileName("messages", tag) }

func catalogFileName(name string, tag language.Tag) string {
	return "locales/" + name + "." + tag.String() + ".json"
}

// pluralForms are the keys go-i18n reads as CLDR plural forms.
var pluralForms = []string{"zero", "one", "two", "few", "many", "other"}

// placeholder is the only template action allowed in a message.
var placeholder = regexp.MustCompile(`\{\{\.([A-Z][A-Za-z]*)\}\}`)

// pluralSamples are counts that reach every CLDR plural form of the supported
// languages, including French and Portuguese "one" for 0 and "many" for a million.
var pluralSamples = []any{0, 1, 2, 3, 5, 11, 21, 101, 1000000, "1.5"}

// message is one entry of a message file: its text under "other", or its
// plural forms.
type message struct {
	forms  map[string]string
	plural bool
}

// ValidateMessages checks every message file against the English: a file per
// supported language and no other; the same ids, none missing or extra;
// every text filled in and, unless it is a single word, translated; plural
// messages plural in every language, with every plural form the language
// needs (checked by go-i18n resolving sample counts); and the same
// placeholders as the English, written {{.Name}}.
func ValidateMessages() error { return validateMessages(messageFiles, supported) }

func validateMessages(fsys fs.FS, supported []language.Tag) error {
	return validateCatalog(fsys, "messages", supported)
}

// validateCatalog is ValidateMessages for the files of catalog name
// (locales/<name>.<tag>.json).
func validateCatalog(fsys fs.FS, name string, supported []language.Tag) error {
	en, err := readMessages(fsys, catalogFileName(name, English))
	if err != nil {
		return err
	}
	var errs []error
	bad := func(lang, id, format string, args ...any) {
		errs = append(errs, &FieldError{Lang: lang, Kind: "message", ID: id, Field: "text", Problem: fmt.Sprintf(format, args...)})
	}
	files, err := fs.Glob(fsys, "locales/"+name+".*.json")
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, f := range files {
		lang := strings.TrimSuffix(strings.TrimPrefix(path.Base(f), name+"."), ".json")
		have[lang] = true
		tag, err := language.Parse(lang)
		if err != nil || tag.String() != lang || !slices.Contains(supported, tag) {
			errs = append(errs, fmt.Errorf("%s: %q is not one of the content languages %v", f, lang, supported))
			continue
		}
		ms, err := readMessages(fsys, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, id := range sortedKeys(en) {
			if _, ok := ms[id]; !ok {
				bad(lang, id, "not translated")
			}
		}
		for _, id := range sortedKeys(ms) {
			e, ok := en[id]
			if !ok {
				bad(lang, id, "no English message has this id")
				continue
			}
			for _, p := range messageProblems(ms[id], e, tag != English) {
				bad(lang, id, "%s", p)
			}
		}
	}
	for _, tag := range supported {
		if !have[tag.String()] {
			errs = append(errs, fmt.Errorf("%s is missing", catalogFileName(name, tag)))
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	return checkPlurals(fsys, name, supported, en)
}

// messageProblems compares one message with its English.
func messageProblems(m, en message, translated bool) []string {
	switch {
	case en.plural && !m.plural:
		return []string{"must have plural forms, as in English"}
	case !en.plural && m.plural:
		return []string{"must be plain text, as in English"}
	case m.plural && m.forms["other"] == "":
		return []string{`plural forms must include "other"`}
	}
	var out []string
	for _, form := range sortedKeys(m.forms) {
		text := m.forms[form]
		if rest := placeholder.ReplaceAllString(text, ""); strings.Contains(rest, "{{") || strings.Contains(rest, "}}") {
			out = append(out, fmt.Sprintf("%s: only {{.Name}}-style placeholders are allowed", form))
		}
		switch {
		case strings.TrimSpace(text) == "":
			out = append(out, fmt.Sprintf("%s is empty", form))
		case translated && text == en.forms[form] && len(strings.Fields(text)) > 1 && hasWords(text):
			out = append(out, fmt.Sprintf("%s is the English, untranslated", form))
		}
	}
	if got, want := placeholders(m), placeholders(en); !slices.Equal(got, want) {
		out = append(out, fmt.Sprintf("placeholders %v, English has %v", got, want))
	}
	return out
}

// hasWords reports whether text has letters outside its placeholders: a
// message of placeholders and punctuation only is a format (the order of a
// date's parts), which another language may well share with English.
func hasWords(text string) bool {
	return strings.ContainsFunc(placeholder.ReplaceAllString(text, ""), unicode.IsLetter)
}

// checkPlurals resolves every plural message in every language for counts
// that reach each of its plural forms, through go-i18n itself: a missing
// form is an error there, and the text must come from the language asked for.
func checkPlurals(fsys fs.FS, name string, supported []language.Tag, en map[string]message) error {
	b, err := newBundle(fsys, name)
	if err != nil {
		return err
	}
	var errs []error
	for _, tag := range supported {
		loc := i18n.NewLocalizer(b, tag.String())
		for _, id := range sortedKeys(en) {
			if !en[id].plural {
				continue
			}
			for _, n := range pluralSamples {
				data := map[string]any{"Count": n}
				for _, p := range placeholders(en[id]) {
					if p != "Count" {
						data[p] = "x"
					}
				}
				s, got, err := loc.LocalizeWithTag(&i18n.LocalizeConfig{MessageID: id, PluralCount: n, TemplateData: data})
				if err != nil || got != tag || strings.Contains(s, "<no value>") {
					errs = append(errs, &FieldError{Lang: tag.String(), Kind: "message", ID: id, Field: "plural",
						Problem: fmt.Sprintf("count %v: %q from %v: %v", n, s, got, err)})
				}
			}
		}
	}
	return errors.Join(errs...)
}

// readMessages decodes a message file into its messages, each a map of
// plural form to text ("other" for plain text).
func readMessages(fsys fs.FS, name string) (map[string]message, error) {
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	out := make(map[string]message, len(raw))
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = message{forms: map[string]string{"other": s}}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			return nil, fmt.Errorf("%s: %s: want text or plural forms: %w", name, id, err)
		}
		for k := range forms {
			if !slices.Contains(pluralForms, k) {
				return nil, fmt.Errorf("%s: %s: %q is not a plural form (%s)", name, id, k, strings.Join(pluralForms, ", "))
			}
		}
		out[id] = message{forms: forms, plural: true}
	}
	return out, nil
}

// placeholders returns the sorted, distinct placeholder names in any form of m.
func placeholders(m message) []string {
	var out []string
	for _, text := range m.forms {
		for _, sub := range placeholder.FindAllStringSubmatch(text, -1) {
			if !slices.Contains(out, sub[1]) {
				out = append(out, sub[1])
			}
		}
	}
	sort.Strings(out)
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
