package routines

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// ValidateIn is Validate for content in another language: the same checks
// of ids, targets, steps, holds, reps, images and routine references, with
// the safety text checked against the language's own SafetyPhrases (every
// stopIf opens with StopCore, every feel says NeverSharpPain, every
// breathing says NeverHoldBreath) instead of English words. Problems carry
// the language's tag.
func ValidateIn(tag language.Tag, stretches []Stretch, routines []Routine, hasImage func(id string) bool) error {
	l := localeOf(tag)
	return withLang(l.tag, validate(stretches, routines, hasImage, phraseCheck(l.catalog.Safety)))
}

// ValidateLocales checks every embedded translation against the English: the
// language's safety phrases are declared and the stop sentence holds all
// three warning signs; every stretch, routine and target is translated, none
// unknown or twice; every field is filled in and differs from the English;
// each stretch has as many steps as in English and carries the safety
// phrases; and the translated content passes ValidateIn. A stretch or
// routine it faults is served in English (see StretchesIn).
func ValidateLocales() error {
	var errs []error
	for _, l := range locales {
		if l.tag != English {
			errs = append(errs, withLang(l.tag, errors.Join(checkCatalog(l.catalog)...)))
		}
		errs = append(errs, ValidateIn(l.tag, l.stretches, l.routines, nil))
	}
	return errors.Join(errs...)
}

// phraseCheck requires p's phrases in the safety fields. Case is ignored
// inside a sentence, but stopIf must open with StopCore exactly.
func phraseCheck(p SafetyPhrases) safetyCheck {
	return func(field, text string) []string {
		var phrase, problem string
		switch field {
		case "feel":
			phrase, problem = p.NeverSharpPain, "must say %q"
			if phrase != "" && containsFold(text, phrase) {
				return nil
			}
		case "stopIf":
			phrase, problem = p.StopCore, "must start with %q"
			if phrase != "" && strings.HasPrefix(text, phrase) {
				return nil
			}
		case "breathing":
			phrase, problem = p.NeverHoldBreath, "must say %q"
			if phrase != "" && containsFold(text, phrase) {
				return nil
			}
		default:
			return nil
		}
		if phrase == "" {
			return []string{"the language declares no safety phrase for it"}
		}
		return []string{fmt.Sprintf(problem, phrase)}
	}
}

// checkCatalog compares one translation with the English content.
func checkCatalog(c Catalog) []error {
	var errs []error
	bad := func(kind, id, field, format string, args ...any) {
		errs = append(errs, &FieldError{Kind: kind, ID: id, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	for _, p := range catalogSafetyProblems(c.Safety) {
		bad("safety", "safety", p.field, "%s", p.text)
	}

	for _, t := range knownTargets {
		if strings.TrimSpace(c.Targets[t]) == "" {
			bad("targets", t, "targets."+t, "is missing")
		}
	}
	for t := range c.Targets {
		if !slices.Contains(knownTargets, t) {
			bad("targets", t, "targets."+t, "unknown target")
		}
	}

	seen := map[string]bool{}
	for i, t := range c.Stretches {
		id := t.ID
		en, ok := StretchByID(id)
		switch {
		case id == "":
			bad("stretch", fmt.Sprintf("#%d", i), "id", "is empty")
			continue
		case !ok:
			bad("stretch", id, "id", "no English stretch has this id")
			continue
		case seen[id]:
			bad("stretch", id, "id", "translated twice")
			continue
		}
		seen[id] = true
		for _, p := range stretchTextProblems(t, en, c.Safety) {
			bad("stretch", id, p.field, "%s", p.text)
		}
	}
	for _, s := range library {
		if !seen[s.ID] {
			bad("stretch", s.ID, "id", "not translated")
		}
	}

	seen = map[string]bool{}
	for i, t := range c.Routines {
		id := t.ID
		en, ok := RoutineByID(id)
		switch {
		case id == "":
			bad("routine", fmt.Sprintf("#%d", i), "id", "is empty")
			continue
		case !ok:
			bad("routine", id, "id", "no English routine has this id")
			continue
		case seen[id]:
			bad("routine", id, "id", "translated twice")
			continue
		}
		seen[id] = true
		for _, p := range routineTextProblems(t, en) {
			bad("routine", id, p.field, "%s", p.text)
		}
	}
	for _, r := range routineTemplates {
		if !seen[r.ID] {
			bad("routine", r.ID, "id", "not translated")
		}
	}
	return errs
}

// problem is one fault in a field of a translation.
type problem struct{ field, text string }

// catalogSafetyProblems checks a language's safety phrases: all declared,
// translated, and the stop sentence naming all three warning signs.
func catalogSafetyProblems(p SafetyPhrases) []problem {
	var out []problem
	for _, f := range []struct{ name, text, english string }{
		{"stopCore", p.StopCore, englishSafety.StopCore},
		{"sharpPainDownLeg", p.SharpPainDownLeg, englishSafety.SharpPainDownLeg},
		{"newNumbnessOrTingling", p.NewNumbnessOrTingling, englishSafety.NewNumbnessOrTingling},
		{"legWeakness", p.LegWeakness, englishSafety.LegWeakness},
		{"neverSharpPain", p.NeverSharpPain, englishSafety.NeverSharpPain},
		{"neverHoldBreath", p.NeverHoldBreath, englishSafety.NeverHoldBreath},
	} {
		switch {
		case strings.TrimSpace(f.text) == "":
			out = append(out, problem{"safety." + f.name, "is empty"})
		case f.text == f.english:
			out = append(out, problem{"safety." + f.name, "is the English, untranslated"})
		}
	}
	for _, f := range []struct{ name, phrase string }{
		{"sharpPainDownLeg", p.SharpPainDownLeg},
		{"newNumbnessOrTingling", p.NewNumbnessOrTingling},
		{"legWeakness", p.LegWeakness},
	} {
		if strings.TrimSpace(f.phrase) != "" && !containsFold(p.StopCore, f.phrase) {
			out = append(out, problem{"safety.stopCore", fmt.Sprintf("must contain %s %q", f.name, f.phrase)})
		}
	}
	return out
}

// stretchTextProblems checks one stretch's translation against its English.
func stretchTextProblems(t StretchText, en Stretch, p SafetyPhrases) []problem {
	var out []problem
	check := phraseCheck(p)
	for _, f := range []struct{ name, text, english string }{
		{"name", t.Name, en.Name}, {"summary", t.Summary, en.Summary}, {"feel", t.Feel, en.Feel},
		{"stopIf", t.StopIf, en.StopIf}, {"breathing", t.Breathing, en.Breathing}, {"easier", t.Easier, en.Easier},
	} {
		out = append(out, textProblems(f.name, f.text, f.english)...)
		if strings.TrimSpace(f.text) != "" {
			for _, s := range check(f.name, f.text) {
				out = append(out, problem{f.name, s})
			}
		}
	}
	if len(t.Steps) != len(en.Steps) {
		out = append(out, problem{"steps", fmt.Sprintf("has %d steps, English has %d", len(t.Steps), len(en.Steps))})
	}
	for j, s := range t.Steps {
		english := ""
		if j < len(en.Steps) {
			english = en.Steps[j]
		}
		out = append(out, textProblems(fmt.Sprintf("steps[%d]", j), s, english)...)
	}
	return out
}

// routineTextProblems checks one routine's translation against its English.
func routineTextProblems(t RoutineText, en Routine) []problem {
	var out []problem
	for _, f := range []struct{ name, text, english string }{
		{"name", t.Name, en.Name}, {"summary", t.Summary, en.Summary}, {"forWhom", t.ForWhom, en.ForWhom},
	} {
		out = append(out, textProblems(f.name, f.text, f.english)...)
	}
	return out
}

func textProblems(field, text, english string) []problem {
	switch {
	case strings.TrimSpace(text) == "":
		return []problem{{field, "is empty"}}
	case text == english:
		return []problem{{field, "is the English, untranslated"}}
	}
	return nil
}

// withLang tags every *FieldError in err with the language.
func withLang(tag language.Tag, err error) error {
	if err == nil {
		return nil
	}
	all := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		all = j.Unwrap()
	}
	for _, e := range all {
		var fe *FieldError
		if errors.As(e, &fe) && tag != English {
			fe.Lang = tag.String()
		}
	}
	return err
}

func containsFold(text, phrase string) bool {
	return strings.Contains(strings.ToLower(text), strings.ToLower(phrase))
}
