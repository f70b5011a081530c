package routines

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// FieldError is one problem found by Validate, naming the stretch or routine
// and the JSON field at fault.
type FieldError struct {
	Lang    string // BCP 47 tag of the translation at fault; "" for the English Go data
	Kind    string // "stretch", "routine", "safety" or "targets"
	ID      string // the item's id, or "#<index>" when the id itself is missing
	Field   string // JSON field name, e.g. "stopIf" or "steps[2].holdSeconds"
	Problem string
}

// Error says which item and field is wrong, and why.
func (e *FieldError) Error() string {
	if e.Lang != "" {
		return fmt.Sprintf("[%s] %s %q: %s: %s", e.Lang, e.Kind, e.ID, e.Field, e.Problem)
	}
	return fmt.Sprintf("%s %q: %s: %s", e.Kind, e.ID, e.Field, e.Problem)
}

// Validate checks stretches and routines for completeness, safety text, limits
// and references, and returns every problem joined into one error (nil when
// all is well). Each problem is a *FieldError. hasImage reports whether an
// illustration exists for a stretch id; nil means the embedded illustrations.
func Validate(stretches []Stretch, routines []Routine, hasImage func(id string) bool) error {
	return validate(stretches, routines, hasImage, englishKeywords)
}

func validate(stretches []Stretch, routines []Routine, hasImage func(id string) bool, safety safetyCheck) error {
	if hasImage == nil {
		hasImage = func(id string) bool { _, ok := Illustration(id); return ok }
	}
	var errs []error
	known := make(map[string]bool, len(stretches))
	for i, s := range stretches {
		errs = append(errs, checkStretch(i, s, hasImage, safety)...)
		if s.ID == "" {
			continue // reported by checkStretch; an empty id must not satisfy a routine step
		}
		if known[s.ID] {
			errs = append(errs, &FieldError{Kind: "stretch", ID: s.ID, Field: "id", Problem: "duplicate id"})
		}
		known[s.ID] = true
	}
	errs = append(errs, checkProgressions(stretches)...)
	seen := make(map[string]bool, len(routines))
	for i, r := range routines {
		errs = append(errs, checkRoutine(i, r, known)...)
		if seen[r.ID] && r.ID != "" {
			errs = append(errs, &FieldError{Kind: "routine", ID: r.ID, Field: "id", Problem: "duplicate id"})
		}
		seen[r.ID] = true
	}
	return errors.Join(errs...)
}

// ValidateRoutine checks a routine, such as a therapist's edited copy of a
// template, against the embedded stretch library.
func ValidateRoutine(r Routine) error {
	known := make(map[string]bool, len(library))
	for _, s := range library {
		known[s.ID] = true
	}
	return errors.Join(checkRoutine(0, r, known)...)
}

// CheckHold reports whether seconds is an allowed hold.
func CheckHold(seconds int) error {
	if seconds < MinHoldSeconds || seconds > MaxHoldSeconds {
		return fmt.Errorf("hold of %d s is outside %d–%d s", seconds, MinHoldSeconds, MaxHoldSeconds)
	}
	return nil
}

// CheckReps reports whether n is an allowed number of repetitions.
func CheckReps(n int) error {
	if n < MinReps || n > MaxReps {
		return fmt.Errorf("%d reps is outside %d–%d", n, MinReps, MaxReps)
	}
	return nil
}

// safetyCheck returns what a safety field's text ("feel", "stopIf" or
// "breathing") lacks, one problem per missing warning.
type safetyCheck func(field, text string) []string

// englishKeywords is Validate's check: the safety fields must contain these
// words, so text edited later cannot silently drop the warnings the design
// requires.
func englishKeywords(field, text string) []string {
	var problems []string
	for _, w := range map[string][]string{
		"feel":      {"sharp"},
		"stopIf":    {"shooting", "numbness", "tingling"},
		"breathing": {"hold your breath"},
	}[field] {
		if !strings.Contains(strings.ToLower(text), w) {
			problems = append(problems, fmt.Sprintf("must mention %q", w))
		}
	}
	return problems
}

// badFunc records one problem with a field.
type badFunc func(field, format string, args ...any)

func checkStretch(i int, s Stretch, hasImage func(string) bool, safety safetyCheck) []error {
	return checkStretchWith(i, s, safety, func(bad badFunc) {
		if IsCustomID(s.ID) {
			bad("id", "must not start with %q: that names a therapist's own stretch", CustomIDPrefix)
		}
		checkLibraryImages(s, hasImage, bad)
	})
}

// checkStretchWith checks a stretch's id, text, safety text, targets, steps,
// hold and reps, and its pictures with images.
func checkStretchWith(i int, s Stretch, safety safetyCheck, images func(badFunc)) []error {
	id := s.ID
	if id == "" {
		id = fmt.Sprintf("#%d", i)
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Kind: "stretch", ID: id, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !isKebab(s.ID) {
		bad("id", "must be kebab-case (a-z, 0-9 and single hyphens)")
	}
	for _, f := range []struct{ name, text string }{
		{"name", s.Name}, {"summary", s.Summary}, {"feel", s.Feel},
		{"stopIf", s.StopIf}, {"breathing", s.Breathing}, {"easier", s.Easier},
	} {
		if strings.TrimSpace(f.text) == "" {
			bad(f.name, "is empty")
			continue
		}
		for _, p := range safety(f.name, f.text) {
			bad(f.name, "%s", p)
		}
	}
	if len(s.Targets) == 0 {
		bad("targets", "is empty")
	}
	for j, t := range s.Targets {
		if !slices.Contains(knownTargets, t) {
			bad(fmt.Sprintf("targets[%d]", j), "unknown target %q (known: %s)", t, strings.Join(knownTargets, ", "))
		}
	}
	if len(s.Steps) == 0 {
		bad("steps", "is empty")
	}
	for j, st := range s.Steps {
		if strings.TrimSpace(st) == "" {
			bad(fmt.Sprintf("steps[%d]", j), "is empty")
		}
	}
	if err := CheckHold(s.HoldSeconds); err != nil {
		bad("holdSeconds", "%v", err)
	}
	if err := CheckReps(s.Reps); err != nil {
		bad("reps", "%v", err)
	}
	if strings.HasSuffix(s.ID, OtherSide) {
		bad("id", "must not end in %q: that names a picture's other side", OtherSide)
	}
	images(bad)
	return errs
}

// checkLibraryImages checks a library stretch's pictures: its own, drawn for it.
func checkLibraryImages(s Stretch, hasImage func(string) bool, bad badFunc) {
	if s.Image != ImageURL(s.ID) {
		bad("image", "is %q, want %q", s.Image, ImageURL(s.ID))
	}
	if isKebab(s.ID) && !hasImage(s.ID) {
		bad("image", "no illustration for this stretch")
	}
	switch {
	case s.PerSide && s.ImageOther != ImageURL(s.ID+OtherSide):
		bad("imageOther", "is %q, want %q for a stretch done on both sides", s.ImageOther, ImageURL(s.ID+OtherSide))
	case s.PerSide && isKebab(s.ID) && !hasImage(s.ID+OtherSide):
		bad("imageOther", "no illustration of the other side")
	case !s.PerSide && s.ImageOther != "":
		bad("imageOther", "is %q, want none: the stretch is done on one side only", s.ImageOther)
	}
}

// checkProgressions checks each stretch's easier and harder links: the linked
// stretch exists, is another one, works the same body areas and carries its
// safety text; following the links never comes back round; and every stretch
// has an easier variation unless it is itself another's easier variation.
func checkProgressions(stretches []Stretch) []error {
	byID := make(map[string]Stretch, len(stretches))
	isEasier := map[string]bool{}
	for _, s := range stretches {
		if _, dup := byID[s.ID]; !dup && s.ID != "" {
			byID[s.ID] = s
		}
		if s.EasierID != "" {
			isEasier[s.EasierID] = true
		}
	}
	var errs []error
	for _, s := range stretches {
		if s.ID == "" {
			continue // reported by checkStretch
		}
		bad := func(field, format string, args ...any) {
			errs = append(errs, &FieldError{Kind: "stretch", ID: s.ID, Field: field, Problem: fmt.Sprintf(format, args...)})
		}
		if s.EasierID == "" && !isEasier[s.ID] {
			bad("easierId", "is empty: link an easier variation, or make this the easier variation of another stretch")
		}
		find := func(id string) (Stretch, bool) { v, ok := byID[id]; return v, ok }
		checkLinks(s, find, len(stretches), bad)
	}
	return errs
}

// checkLinks checks s's easier and harder links, looking linked stretches up
// with find and following at most limit links to see they end.
func checkLinks(s Stretch, find func(id string) (Stretch, bool), limit int, bad badFunc) {
	if s.EasierID != "" && s.EasierID == s.HarderID {
		bad("harderId", "names the same stretch as easierId")
	}
	for _, l := range []struct {
		field, id string
		next      func(Stretch) string
	}{
		{"easierId", s.EasierID, func(v Stretch) string { return v.EasierID }},
		{"harderId", s.HarderID, func(v Stretch) string { return v.HarderID }},
	} {
		if l.id == "" {
			continue
		}
		v, ok := find(l.id)
		switch {
		case l.id == s.ID:
			bad(l.field, "links the stretch to itself")
			continue
		case !ok:
			bad(l.field, "unknown stretch %q", l.id)
			continue
		}
		if !sameTargets(s.Targets, v.Targets) {
			bad(l.field, "links to %q, whose targets (%s) are not this stretch's (%s)", l.id, strings.Join(v.Targets, ", "), strings.Join(s.Targets, ", "))
		}
		for _, f := range []struct{ name, text string }{{"feel", v.Feel}, {"stopIf", v.StopIf}, {"breathing", v.Breathing}, {"steps", strings.Join(v.Steps, "")}} {
			if strings.TrimSpace(f.text) == "" {
				bad(l.field, "links to %q, whose %s is empty", l.id, f.name)
			}
		}
		// Follow the links: they must end, not lead back here.
		for at, n := v, 0; n < limit; n++ {
			next := l.next(at)
			if next == s.ID {
				bad(l.field, "%s links go round in a circle back to this stretch", strings.TrimSuffix(l.field, "Id"))
				break
			}
			if next == "" {
				break
			}
			if at, ok = find(next); !ok {
				break
			}
		}
	}
}

// sameTargets reports whether a and b name the same body areas, in any order.
func sameTargets(a, b []string) bool {
	x, y := slices.Clone(a), slices.Clone(b)
	slices.Sort(x)
	slices.Sort(y)
	return slices.Equal(slices.Compact(x), slices.Compact(y))
}

func checkRoutine(i int, r Routine, known map[string]bool) []error {
	id := r.ID
	if id == "" {
		id = fmt.Sprintf("#%d", i)
	}
	var errs []error
	bad := func(field, format string, args ...any) {
		errs = append(errs, &FieldError{Kind: "routine", ID: id, Field: field, Problem: fmt.Sprintf(format, args...)})
	}
	if !isKebab(r.ID) {
		bad("id", "must be kebab-case (a-z, 0-9 and single hyphens)")
	}
	if strings.TrimSpace(r.Name) == "" {
		bad("name", "is empty")
	}
	if strings.TrimSpace(r.Summary) == "" {
		bad("summary", "is empty")
	}
	if strings.TrimSpace(r.ForWhom) == "" {
		bad("forWhom", "is empty")
	}
	if len(r.Steps) == 0 {
		bad("steps", "is empty: a routine needs at least one stretch")
	}
	for j, st := range r.Steps {
		f := fmt.Sprintf("steps[%d]", j)
		if !known[st.StretchID] {
			bad(f+".stretchId", "unknown stretch %q", st.StretchID)
		}
		if err := CheckHold(st.HoldSeconds); err != nil {
			bad(f+".holdSeconds", "%v", err)
		}
		if err := CheckReps(st.Reps); err != nil {
			bad(f+".reps", "%v", err)
		}
	}
	return errs
}

// isKebab reports whether s is lower-case kebab-case: "a-z0-9" words joined by single hyphens.
func isKebab(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || strings.Contains(s, "--") {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}
