package routines

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Translations are data: locales/content.<tag>.json holds one language's
// stretch and routine text (tag is BCP 47, e.g. "pt-BR"). English is the Go
// data in stretches.go and templates.go; locales/content.en.json mirrors it
// for translators and is kept in step by a test. Adding a language is adding
// its content and messages files.
//
//go:embed locales/content.*.json
var contentFiles embed.FS

// englishCatalogFile mirrors the English Go data in catalog form.
const englishCatalogFile = "locales/content.en.json"

// English is the source language of the content.
var English = language.English

// Catalog is one language's content file, locales/content.<tag>.json.
type Catalog struct {
	Language string `json:"language"` // BCP 47 tag, the same as in the file name
	// Safety holds the warnings in this language's own words; the validator
	// requires them, word for word, in every stretch.
	Safety    SafetyPhrases     `json:"safety"`
	Targets   map[string]string `json:"targets"` // label for each of KnownTargets
	Stretches []StretchText     `json:"stretches"`
	Routines  []RoutineText     `json:"routines"`
}

// StretchText is the translatable text of a stretch; holds, reps, targets and
// the image are the same in every language.
type StretchText struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	Summary   string   `json:"summary"`
	Steps     []string `json:"steps"` // as many as in English
	Feel      string   `json:"feel"`
	StopIf    string   `json:"stopIf"`
	Breathing string   `json:"breathing"`
	Easier    string   `json:"easier"`
}

// RoutineText is the translatable text of a routine template.
type RoutineText struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	ForWhom string `json:"forWhom"`
}

// SafetyPhrases are the design's non-negotiable warnings, as one language
// says them. A reviewer checks these few lines against the English; the
// validator then checks that every stretch carries them.
type SafetyPhrases struct {
	// StopCore opens every stopIf: stop for sharp or shooting pain down the
	// leg, new numbness or tingling, or weakness in the leg.
	StopCore string `json:"stopCore"`
	// The three warning signs, each of which StopCore must contain.
	SharpPainDownLeg      string `json:"sharpPainDownLeg"`
	NewNumbnessOrTingling string `json:"newNumbnessOrTingling"`
	LegWeakness           string `json:"legWeakness"`
	NeverSharpPain        string `json:"neverSharpPain"`  // in every feel: never sharp or shooting pain
	NeverHoldBreath       string `json:"neverHoldBreath"` // in every breathing
}

// englishSafety is SafetyPhrases for the English content.
var englishSafety = SafetyPhrases{
	StopCore:              stopCore,
	SharpPainDownLeg:      "sharp or shooting pain down your leg",
	NewNumbnessOrTingling: "new numbness or tingling",
	LegWeakness:           "weakness in your leg",
	NeverSharpPain:        "never sharp or shooting pain",
	NeverHoldBreath:       "never hold your breath",
}

// locale is one language's content, ready to serve.
type locale struct {
	tag       language.Tag
	catalog   Catalog
	stretches []Stretch // in library order; English where a translation is missing or unsafe
	routines  []Routine
}

var (
	locales    = mustLoadLocales(contentFiles)
	supported  = supportedTags(locales)
	matcher    = language.NewMatcher(supported)
	localeByID = indexLocales(locales)
)

// Supported returns the languages the content is written in, English first.
func Supported() []language.Tag { return slices.Clone(supported) }

// Match picks the supported language that best suits the client's
// preferences, each an Accept-Language value or a single tag, strongest
// first: "pt" gives pt-BR, "es-MX" es, "de-AT" de, and anything unknown or
// malformed English.
func Match(prefs ...string) language.Tag {
	var want []language.Tag
	for _, p := range prefs {
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil {
			continue // a malformed header must not stop the client seeing their plan
		}
		want = append(want, tags...)
	}
	return matchTags(want...)
}

// matchTags returns the supported tag itself, without the -u-rg region
// extension the matcher adds (es-MX gives "es", not "es-u-rg-mxzzzz").
func matchTags(want ...language.Tag) language.Tag {
	_, i, _ := matcher.Match(want...)
	return supported[i]
}

// localeOf returns the content for tag, matching it when it is not one of
// Supported (de-AT reads German).
func localeOf(tag language.Tag) *locale {
	if l, ok := localeByID[tag.String()]; ok {
		return l
	}
	return localeByID[matchTags(tag).String()]
}

// StretchesIn returns every stretch with its text in the language that best
// matches tag; the result is a copy. Ids, holds, reps and images are the same
// in every language.
func StretchesIn(tag language.Tag) []Stretch {
	l := localeOf(tag)
	out := make([]Stretch, len(l.stretches))
	for i, s := range l.stretches {
		out[i] = cloneStretch(s)
	}
	return out
}

// StretchByIDIn returns a copy of the stretch with the given id, in the
// language that best matches tag.
func StretchByIDIn(id string, tag language.Tag) (Stretch, bool) {
	i, ok := stretchAt[id]
	if !ok {
		return Stretch{}, false
	}
	return cloneStretch(localeOf(tag).stretches[i]), true
}

// RoutinesIn returns every routine template in the language that best
// matches tag; the result is a copy.
func RoutinesIn(tag language.Tag) []Routine {
	l := localeOf(tag)
	out := make([]Routine, len(l.routines))
	for i, r := range l.routines {
		out[i] = cloneRoutine(r)
	}
	return out
}

// RoutineByIDIn returns a copy of the routine template with the given id, in
// the language that best matches tag.
func RoutineByIDIn(id string, tag language.Tag) (Routine, bool) {
	i, ok := routineAt[id]
	if !ok {
		return Routine{}, false
	}
	return cloneRoutine(localeOf(tag).routines[i]), true
}

// TargetLabel returns how the language that best matches tag names a body
// area from KnownTargets; the target itself when it has no label.
func TargetLabel(target string, tag language.Tag) string {
	if s := localeOf(tag).catalog.Targets[target]; s != "" {
		return s
	}
	return target
}

// SafetyPhrasesIn returns the required warnings of the language that best
// matches tag.
func SafetyPhrasesIn(tag language.Tag) SafetyPhrases { return localeOf(tag).catalog.Safety }

// englishCatalog is the English content in catalog form: what content.en.json holds.
func englishCatalog() Catalog {
	c := Catalog{Language: English.String(), Safety: englishSafety, Targets: map[string]string{}}
	for _, t := range knownTargets {
		c.Targets[t] = t
	}
	for _, s := range library {
		c.Stretches = append(c.Stretches, StretchText{
			ID: s.ID, Name: s.Name, Summary: s.Summary, Steps: slices.Clone(s.Steps),
			Feel: s.Feel, StopIf: s.StopIf, Breathing: s.Breathing, Easier: s.Easier,
		})
	}
	for _, r := range routineTemplates {
		c.Routines = append(c.Routines, RoutineText{ID: r.ID, Name: r.Name, Summary: r.Summary, ForWhom: r.ForWhom})
	}
	return c
}

// mustLoadLocales reads every embedded content file; a file that does not
// parse is a build defect, so it panics, as regexp.MustCompile does.
func mustLoadLocales(fsys fs.FS) []*locale {
	ls, err := loadLocales(fsys)
	if err != nil {
		panic("routines: " + err.Error())
	}
	return ls
}

// loadLocales returns English (from the Go data) followed by every other
// language in fsys, in file-name order.
func loadLocales(fsys fs.FS) ([]*locale, error) {
	en := &locale{tag: English, catalog: englishCatalog(), stretches: library, routines: routineTemplates}
	out := []*locale{en}
	files, err := fs.Glob(fsys, "locales/content.*.json")
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if f == englishCatalogFile {
			continue // the mirror of the Go data, for translators; a test keeps it in step
		}
		c, tag, err := parseCatalog(fsys, f)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(out, func(l *locale) bool { return l.tag == tag }) {
			return nil, fmt.Errorf("%s: a second catalog for %s", f, tag)
		}
		out = append(out, translate(tag, c))
	}
	return out, nil
}

// parseCatalog decodes one content file strictly: an unknown field is a typo
// that would otherwise leave text untranslated without anyone noticing.
func parseCatalog(fsys fs.FS, name string) (Catalog, language.Tag, error) {
	var c Catalog
	b, err := fs.ReadFile(fsys, name)
	if err != nil {
		return c, language.Und, err
	}
	want := strings.TrimSuffix(strings.TrimPrefix(path.Base(name), "content."), ".json")
	tag, err := language.Parse(want)
	if err != nil {
		return c, language.Und, fmt.Errorf("%s: file name tag %q: %w", name, want, err)
	}
	if tag.String() != want {
		return c, language.Und, fmt.Errorf("%s: write the tag in its canonical form, %q", name, tag.String())
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	if err := d.Decode(&c); err != nil {
		return c, language.Und, fmt.Errorf("%s: %w", name, err)
	}
	if c.Language != want {
		return c, language.Und, fmt.Errorf("%s: language is %q, want %q as in the file name", name, c.Language, want)
	}
	return c, tag, nil
}

// translate lays a catalog over the English library. A stretch or routine
// whose translation is missing or fails the safety checks stays wholly in
// English, so a client never sees a stretch without its warnings or with
// half its steps; ValidateLocales reports it.
func translate(tag language.Tag, c Catalog) *locale {
	l := &locale{tag: tag, catalog: c, stretches: make([]Stretch, len(library)), routines: make([]Routine, len(routineTemplates))}
	texts := make(map[string]StretchText, len(c.Stretches))
	for _, t := range c.Stretches {
		if _, dup := texts[t.ID]; !dup {
			texts[t.ID] = t
		}
	}
	safe := len(catalogSafetyProblems(c.Safety)) == 0
	for i, s := range library {
		l.stretches[i] = s
		t, ok := texts[s.ID]
		if !ok || !safe || len(stretchTextProblems(t, s, c.Safety)) > 0 {
			continue
		}
		s.Name, s.Summary, s.Steps = t.Name, t.Summary, slices.Clone(t.Steps)
		s.Feel, s.StopIf, s.Breathing, s.Easier = t.Feel, t.StopIf, t.Breathing, t.Easier
		l.stretches[i] = s
	}
	rtexts := make(map[string]RoutineText, len(c.Routines))
	for _, t := range c.Routines {
		if _, dup := rtexts[t.ID]; !dup {
			rtexts[t.ID] = t
		}
	}
	for i, r := range routineTemplates {
		l.routines[i] = r
		t, ok := rtexts[r.ID]
		if !ok || len(routineTextProblems(t, r)) > 0 {
			continue
		}
		r.Name, r.Summary, r.ForWhom = t.Name, t.Summary, t.ForWhom
		l.routines[i] = r
	}
	return l
}

func supportedTags(ls []*locale) []language.Tag {
	out := make([]language.Tag, len(ls))
	for i, l := range ls {
		out[i] = l.tag
	}
	return out
}

func indexLocales(ls []*locale) map[string]*locale {
	m := make(map[string]*locale, len(ls))
	for _, l := range ls {
		m[l.tag.String()] = l
	}
	return m
}
