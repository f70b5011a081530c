package routines

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"golang.org/x/text/language"
)

var update = flag.Bool("update", false, "rewrite locales/content.en.json from the English Go data")

// The languages issue 11 asks for.
var wantLanguages = []string{"en", "de", "es", "fr", "pt-BR"}

func TestSupported(t *testing.T) {
	var got []string
	for _, tag := range Supported() {
		got = append(got, tag.String())
	}
	if !slices.Equal(got, wantLanguages) {
		t.Fatalf("Supported() = %v, want %v (English first)", got, wantLanguages)
	}
}

func TestMatch(t *testing.T) {
	for _, tt := range []struct {
		prefs []string
		want  string
	}{
		{[]string{"pt"}, "pt-BR"},
		{[]string{"pt-BR"}, "pt-BR"},
		{[]string{"pt-PT"}, "pt-BR"},
		{[]string{"es-MX"}, "es"},
		{[]string{"es-419,es;q=0.9"}, "es"},
		{[]string{"de-AT"}, "de"},
		{[]string{"de-CH,de;q=0.9,en;q=0.8"}, "de"},
		{[]string{"fr-CA"}, "fr"},
		{[]string{"en-GB"}, "en"},
		{[]string{"ja"}, "en"},
		{[]string{"it-IT,it;q=0.9"}, "en"},
		{[]string{"ja, fr;q=0.5"}, "fr"},         // the first language we have
		{[]string{"es;q=0, de"}, "de"},           // q=0 means "not this one"
		{[]string{"*"}, "en"},                    // anything
		{[]string{""}, "en"},                     // no header
		{nil, "en"},                              // nothing at all
		{[]string{"%%%;q=x"}, "en"},              // malformed header
		{[]string{"fr", "de-DE,de;q=0.9"}, "fr"}, // the plan's language before the browser's
		{[]string{"", "de-DE"}, "de"},            // no plan language: the browser's
		{[]string{"%%%", "pt-BR"}, "pt-BR"},      // a malformed first choice is skipped
	} {
		if got := Match(tt.prefs...); got.String() != tt.want {
			t.Errorf("Match(%q) = %v, want %s", tt.prefs, got, tt.want)
		}
	}
}

// Every language gives the same library: same ids in the same order, same
// holds, reps, sides, targets and images; only the words differ.
func TestLocalizedContentKeepsTheNumbers(t *testing.T) {
	en, enR := Stretches(), Routines()
	for _, tag := range Supported() {
		t.Run(tag.String(), func(t *testing.T) {
			ss, rs := StretchesIn(tag), RoutinesIn(tag)
			if len(ss) != len(en) || len(rs) != len(enR) {
				t.Fatalf("%d stretches and %d routines, English has %d and %d", len(ss), len(rs), len(en), len(enR))
			}
			for i, s := range ss {
				e := en[i]
				if s.ID != e.ID || s.HoldSeconds != e.HoldSeconds || s.Reps != e.Reps || s.PerSide != e.PerSide ||
					s.Image != e.Image || !slices.Equal(s.Targets, e.Targets) || len(s.Steps) != len(e.Steps) {
					t.Errorf("stretch %d: %+v\ndiffers from English beyond its text: %+v", i, s, e)
				}
				if tag != English && (s.Name == e.Name || s.StopIf == e.StopIf || s.Steps[0] == e.Steps[0]) {
					t.Errorf("stretch %q is (partly) in English", s.ID)
				}
				got, ok := StretchByIDIn(s.ID, tag)
				if !ok || !reflect.DeepEqual(got, s) {
					t.Errorf("StretchByIDIn(%q) = %+v, %v; want %+v", s.ID, got, ok, s)
				}
			}
			for i, r := range rs {
				if !reflect.DeepEqual(r.Steps, enR[i].Steps) || r.ID != enR[i].ID {
					t.Errorf("routine %q: steps differ from English", r.ID)
				}
				if tag != English && (r.Name == enR[i].Name || r.ForWhom == enR[i].ForWhom) {
					t.Errorf("routine %q is in English", r.ID)
				}
				if got, ok := RoutineByIDIn(r.ID, tag); !ok || !reflect.DeepEqual(got, r) {
					t.Errorf("RoutineByIDIn(%q) = %+v, %v", r.ID, got, ok)
				}
			}
			if _, ok := StretchByIDIn("no-such-stretch", tag); ok {
				t.Error("StretchByIDIn found an unknown id")
			}
			if _, ok := RoutineByIDIn("no-such-routine", tag); ok {
				t.Error("RoutineByIDIn found an unknown id")
			}
		})
	}
}

// A regional tag reads its language; an unknown one reads English; and the
// English accessors are the old ones.
func TestLocalizedAccessorsMatchTheTag(t *testing.T) {
	es, _ := StretchByIDIn("cat-cow", language.Spanish)
	mx, _ := StretchByIDIn("cat-cow", language.MustParse("es-MX"))
	if mx.Name != es.Name || es.Name == "" {
		t.Errorf("es-MX gives %q, es gives %q", mx.Name, es.Name)
	}
	pt, _ := RoutineByIDIn("low-back-unwind", language.Portuguese)
	br, _ := RoutineByIDIn("low-back-unwind", language.BrazilianPortuguese)
	if pt.Name != br.Name {
		t.Errorf("pt gives %q, pt-BR gives %q", pt.Name, br.Name)
	}
	if !reflect.DeepEqual(StretchesIn(language.Japanese), Stretches()) || !reflect.DeepEqual(RoutinesIn(language.Und), Routines()) {
		t.Error("an unsupported language does not get the English content")
	}
	if got := TargetLabel(TargetHamstrings, language.German); got == TargetHamstrings || got == "" {
		t.Errorf("German label for hamstrings = %q", got)
	}
	if got := TargetLabel(TargetLowBack, English); got != TargetLowBack {
		t.Errorf("English label for low back = %q", got)
	}
	a := StretchesIn(language.French)
	a[0].Steps[0] = "changed"
	if StretchesIn(language.French)[0].Steps[0] == "changed" {
		t.Error("StretchesIn shares memory with the catalog")
	}
}

func TestLocalesAreValid(t *testing.T) {
	if err := ValidateLocales(); err != nil {
		t.Fatalf("translations are incomplete or unsafe:\n%v", err)
	}
}

// Each language's safety phrases say what the English says: this is the
// list a native speaker re-reads against the English, and the validator
// holds every stretch to it.
func TestSafetyPhrasesPerLanguage(t *testing.T) {
	want := map[string]SafetyPhrases{
		"en": englishSafety,
		"es": {
			StopCore:              "Pare si siente un dolor agudo o punzante que le baja por la pierna, si nota adormecimiento u hormigueo nuevos, o si siente debilidad en la pierna.",
			SharpPainDownLeg:      "dolor agudo o punzante que le baja por la pierna",
			NewNumbnessOrTingling: "adormecimiento u hormigueo nuevos",
			LegWeakness:           "debilidad en la pierna",
			NeverSharpPain:        "nunca un dolor agudo o punzante",
			NeverHoldBreath:       "nunca contenga la respiración",
		},
		"de": {
			StopCore:              "Hören Sie auf, wenn stechende oder einschießende Schmerzen ins Bein ziehen, wenn Taubheit oder Kribbeln neu auftreten oder wenn Sie eine Schwäche im Bein bemerken.",
			SharpPainDownLeg:      "stechende oder einschießende Schmerzen ins Bein ziehen",
			NewNumbnessOrTingling: "Taubheit oder Kribbeln neu auftreten",
			LegWeakness:           "Schwäche im Bein",
			NeverSharpPain:        "niemals stechende oder einschießende Schmerzen",
			NeverHoldBreath:       "halten Sie nie die Luft an",
		},
		"fr": {
			StopCore:              "Arrêtez si vous ressentez une douleur vive ou fulgurante qui descend dans la jambe, un nouvel engourdissement ou de nouveaux fourmillements, ou une faiblesse dans la jambe.",
			SharpPainDownLeg:      "douleur vive ou fulgurante qui descend dans la jambe",
			NewNumbnessOrTingling: "nouvel engourdissement ou de nouveaux fourmillements",
			LegWeakness:           "faiblesse dans la jambe",
			NeverSharpPain:        "jamais de douleur vive ou fulgurante",
			NeverHoldBreath:       "ne retenez jamais votre souffle",
		},
		"pt-BR": {
			StopCore:              "Pare se sentir dor aguda ou em choque que desce pela perna, dormência ou formigamento que você não tinha antes, ou fraqueza na perna.",
			SharpPainDownLeg:      "dor aguda ou em choque que desce pela perna",
			NewNumbnessOrTingling: "dormência ou formigamento que você não tinha antes",
			LegWeakness:           "fraqueza na perna",
			NeverSharpPain:        "nunca dor aguda ou em choque",
			NeverHoldBreath:       "nunca prenda a respiração",
		},
	}
	if len(want) != len(Supported()) {
		t.Errorf("%d languages reviewed here, %d supported: add the new language's phrases", len(want), len(Supported()))
	}
	for lang, p := range want {
		if got := SafetyPhrasesIn(language.MustParse(lang)); got != p {
			t.Errorf("%s safety phrases changed:\n got %+v\nwant %+v\n(re-read them against the English, then update this test)", lang, got, p)
		}
	}
}

// A missing stretch, a missing step, a dropped warning or an untranslated
// field each fail validation, and the stretch falls back to English whole.
func TestValidateLocalesRejects(t *testing.T) {
	base := func() Catalog {
		c := englishCatalog()
		c.Language = "xx"
		c.Safety = SafetyPhrases{
			StopCore:              "Halt if bad leg pain zap, new numb or tingle, or weak leg.",
			SharpPainDownLeg:      "bad leg pain zap",
			NewNumbnessOrTingling: "new numb or tingle",
			LegWeakness:           "weak leg",
			NeverSharpPain:        "no zap",
			NeverHoldBreath:       "keep breathing",
		}
		for k := range c.Targets {
			c.Targets[k] = "xx " + k
		}
		for i := range c.Stretches {
			s := &c.Stretches[i]
			s.Name, s.Summary, s.Easier = "xx "+s.Name, "xx "+s.Summary, "xx "+s.Easier
			s.Feel = "Gentle, no zap."
			s.StopIf = c.Safety.StopCore + " More."
			s.Breathing = "Slow, keep breathing."
			for j := range s.Steps {
				s.Steps[j] = "xx " + s.Steps[j]
			}
		}
		for i := range c.Routines {
			r := &c.Routines[i]
			r.Name, r.Summary, r.ForWhom = "xx "+r.Name, "xx "+r.Summary, "xx "+r.ForWhom
		}
		return c
	}
	if errs := checkCatalog(base()); len(errs) > 0 {
		t.Fatalf("the fixture is invalid: %v", errors.Join(errs...))
	}
	first := library[0].ID
	tests := []struct {
		name        string
		edit        func(*Catalog)
		kind, id    string
		field, has  string
		keepEnglish bool // the stretch (or routine) falls back to English
	}{
		{"missing stretch", func(c *Catalog) { c.Stretches = c.Stretches[1:] }, "stretch", first, "id", "not translated", true},
		{"missing routine", func(c *Catalog) { c.Routines = c.Routines[1:] }, "routine", routineTemplates[0].ID, "id", "not translated", true},
		{"unknown stretch", func(c *Catalog) { c.Stretches[0].ID = "made-up" }, "stretch", "made-up", "id", "no English", true},
		{"stretch twice", func(c *Catalog) { c.Stretches = append(c.Stretches, c.Stretches[0]) }, "stretch", first, "id", "twice", false},
		{"a step fewer", func(c *Catalog) { c.Stretches[0].Steps = c.Stretches[0].Steps[1:] }, "stretch", first, "steps", "English has", true},
		{"empty step", func(c *Catalog) { c.Stretches[0].Steps[1] = " " }, "stretch", first, "steps[1]", "empty", true},
		{"empty easier", func(c *Catalog) { c.Stretches[0].Easier = "" }, "stretch", first, "easier", "empty", true},
		{"empty stopIf", func(c *Catalog) { c.Stretches[0].StopIf = "" }, "stretch", first, "stopIf", "empty", true},
		{"stopIf without the core", func(c *Catalog) { c.Stretches[0].StopIf = "Halt if it hurts." }, "stretch", first, "stopIf", "start with", true},
		{"feel without never-sharp", func(c *Catalog) { c.Stretches[0].Feel = "Gentle." }, "stretch", first, "feel", "no zap", true},
		{"breathing allows holding", func(c *Catalog) { c.Stretches[0].Breathing = "Slow." }, "stretch", first, "breathing", "keep breathing", true},
		{"untranslated name", func(c *Catalog) { c.Stretches[0].Name = library[0].Name }, "stretch", first, "name", "untranslated", true},
		{"untranslated routine", func(c *Catalog) { c.Routines[0].ForWhom = routineTemplates[0].ForWhom }, "routine", routineTemplates[0].ID, "forWhom", "untranslated", true},
		{"core drops weakness", func(c *Catalog) {
			c.Safety.StopCore = "Halt if bad leg pain zap, new numb or tingle."
			for i := range c.Stretches {
				c.Stretches[i].StopIf = c.Safety.StopCore
			}
		}, "safety", "safety", "safety.stopCore", "legWeakness", true},
		{"no breath phrase", func(c *Catalog) { c.Safety.NeverHoldBreath = "" }, "safety", "safety", "safety.neverHoldBreath", "empty", true},
		{"missing target", func(c *Catalog) { delete(c.Targets, TargetPiriformis) }, "targets", TargetPiriformis, "targets.piriformis", "missing", false},
		{"unknown target", func(c *Catalog) { c.Targets["elbow"] = "xx" }, "targets", "elbow", "targets.elbow", "unknown", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base()
			tt.edit(&c)
			fe := assertFieldError(t, errors.Join(checkCatalog(c)...), tt.kind, tt.id, tt.field)
			if fe != nil && !strings.Contains(fe.Problem, tt.has) {
				t.Errorf("problem %q does not say %q", fe.Problem, tt.has)
			}
			l := translate(language.Make("xx"), c)
			if tt.kind == "routine" {
				if en := (l.routines[0].Name == routineTemplates[0].Name); en != tt.keepEnglish {
					t.Errorf("routine served in English = %v, want %v", en, tt.keepEnglish)
				}
				return
			}
			if en := reflect.DeepEqual(l.stretches[0], library[0]); en != tt.keepEnglish {
				t.Errorf("stretch served in English = %v, want %v: %+v", en, tt.keepEnglish, l.stretches[0])
			}
		})
	}
}

// ValidateIn runs the stretch validator with the language's phrases, and
// names the language.
func TestValidateInNamesTheLanguage(t *testing.T) {
	ss := StretchesIn(language.German)
	ss[0].StopIf = "Hören Sie auf, wenn es weh tut."
	ss[1].HoldSeconds = 0
	err := ValidateIn(language.German, ss, RoutinesIn(language.German), nil)
	fe := assertFieldError(t, err, "stretch", ss[0].ID, "stopIf")
	if fe.Lang != "de" || !strings.HasPrefix(fe.Error(), "[de] ") {
		t.Errorf("error %q does not name the language", fe.Error())
	}
	assertFieldError(t, err, "stretch", ss[1].ID, "holdSeconds")
	// English text fails the German safety phrases.
	assertFieldError(t, ValidateIn(language.German, Stretches(), Routines(), nil), "stretch", library[0].ID, "stopIf")
	if err := ValidateIn(English, Stretches(), Routines(), nil); err != nil {
		t.Errorf("English content fails the English phrases: %v", err)
	}
}

// Every text field of Stretch and Routine is translated: a field added to
// the English types must be added to the catalog types too. The few string
// fields that are not text (ids, body-area keys, picture URLs) are the same
// in every language; each says what its values must look like, and every
// value in the English data must look like that, so prose cannot hide here.
func TestCatalogCoversEveryTextField(t *testing.T) {
	optional := func(ok func(string) bool) func(string) bool {
		return func(v string) bool { return v == "" || ok(v) }
	}
	stretchID := func(v string) bool { _, ok := StretchByID(v); return ok }
	picture := func(v string) bool {
		return strings.HasPrefix(v, ImagePathPrefix) && !strings.ContainsAny(v, " \t\n")
	}
	notText := map[string]func(string) bool{
		"id":         isKebab,
		"targets":    func(v string) bool { return slices.Contains(knownTargets, v) }, // labelled by Catalog.Targets
		"easierId":   optional(stretchID),
		"harderId":   optional(stretchID),
		"image":      picture,
		"imageOther": optional(picture),
	}
	used := map[string]bool{}
	for _, c := range []struct {
		english, catalog any
		values           []any
	}{
		{Stretch{}, StretchText{}, anySlice(Stretches())},
		{Routine{}, RoutineText{}, anySlice(Routines())},
	} {
		have := map[string]bool{}
		ct := reflect.TypeOf(c.catalog)
		for i := range ct.NumField() {
			have[jsonName(ct.Field(i))] = true
		}
		et := reflect.TypeOf(c.english)
		for i := range et.NumField() {
			f := et.Field(i)
			text := f.Type.Kind() == reflect.String || (f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.String)
			name := jsonName(f)
			ok, isNotText := notText[name]
			if !text {
				continue
			}
			if !isNotText {
				if !have[name] {
					t.Errorf("%s.%s (%q) is text but %s has no such field", et.Name(), f.Name, name, ct.Name())
				}
				continue
			}
			used[name] = true
			for _, v := range c.values {
				rv := reflect.ValueOf(v).Field(i)
				vals := []string{}
				if rv.Kind() == reflect.String {
					vals = append(vals, rv.String())
				} else {
					for j := range rv.Len() {
						vals = append(vals, rv.Index(j).String())
					}
				}
				for _, s := range vals {
					if !ok(s) {
						t.Errorf("%s.%s = %q is not an id or a URL: if clients read it, translate it (add it to %s)", et.Name(), f.Name, s, ct.Name())
					}
				}
			}
		}
	}
	for name := range notText {
		if !used[name] {
			t.Errorf("notText lists %q, which is no string field of Stretch or Routine", name)
		}
	}
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

func jsonName(f reflect.StructField) string { return strings.Split(f.Tag.Get("json"), ",")[0] }

// content.en.json is what translators copy; it must say what the Go data says.
func TestEnglishCatalogFile(t *testing.T) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(englishCatalog()); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.WriteFile(englishCatalogFile, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := contentFiles.ReadFile(englishCatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, buf.Bytes()) {
		t.Fatalf("%s is out of step with stretches.go and templates.go; run: go test ./routines -run TestEnglishCatalogFile -update", englishCatalogFile)
	}
}

func TestLoadLocalesRejectsBadFiles(t *testing.T) {
	good, err := contentFiles.ReadFile("locales/content.es.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		file string
		body string
		has  string
	}{
		{"not json", "locales/content.es.json", "{", "content.es.json"},
		{"unknown field", "locales/content.es.json", strings.Replace(string(good), `"stopIf"`, `"stopIfs"`, 1), "stopIfs"},
		{"wrong language", "locales/content.es.json", strings.Replace(string(good), `"language": "es"`, `"language": "de"`, 1), "language"},
		{"bad tag", "locales/content.e_s.json", string(good), "e_s"},
		{"non-canonical tag", "locales/content.pt-br.json", string(good), "pt-BR"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadLocales(fstest.MapFS{tt.file: {Data: []byte(tt.body)}})
			if err == nil || !strings.Contains(err.Error(), tt.has) {
				t.Errorf("err = %v, want it to mention %q", err, tt.has)
			}
		})
	}
	ls, err := loadLocales(fstest.MapFS{"locales/content.es.json": {Data: good}, "locales/content.en.json": {Data: []byte("ignored")}})
	if err != nil || len(ls) != 2 || ls[1].tag != language.Spanish {
		t.Errorf("loadLocales = %v, %v; want English and Spanish", ls, err)
	}
}
