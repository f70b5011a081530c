// Package routines holds the embedded stretch library and routine templates
// that therapists hand to clients after a session, with a validator that keeps
// the content safe to show. It is pure data: no HTTP, no storage.
package routines

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"math"
	"slices"
)

// Limits for a hold and for repetitions, shared by Validate and by plan overrides.
const (
	MinHoldSeconds = 5
	MaxHoldSeconds = 120
	MinReps        = 1
	MaxReps        = 10
)

// TransitionSeconds is the rough time EstimatedMinutes allows for getting into
// a stretch and for each switch of side.
const TransitionSeconds = 10

// ImagePathPrefix is the URL path under which the server serves illustrations.
const ImagePathPrefix = "/img/stretches/"

// Stretch is one exercise in the library, written for a sore, non-technical client.
type Stretch struct {
	ID          string   `json:"id"`                   // kebab-case, e.g. "supine-hamstring-strap"
	Name        string   `json:"name"`                 // short title shown to the client
	Targets     []string `json:"targets"`              // body areas, from KnownTargets()
	Summary     string   `json:"summary"`              // one sentence
	Steps       []string `json:"steps"`                // step-by-step instructions in plain words
	HoldSeconds int      `json:"holdSeconds"`          // default hold
	Reps        int      `json:"reps"`                 // default repetitions (per side when PerSide)
	PerSide     bool     `json:"perSide"`              // done on the left and on the right
	Feel        string   `json:"feel"`                 // how it should feel: gentle pull, never sharp
	StopIf      string   `json:"stopIf"`               // when to stop: shooting pain, numbness, tingling, ...
	Breathing   string   `json:"breathing"`            // slow breaths, never hold your breath
	Easier      string   `json:"easier"`               // how to make it easier, in words
	EasierID    string   `json:"easierId,omitempty"`   // the easier variation: another stretch for the same body areas
	HarderID    string   `json:"harderId,omitempty"`   // the harder variation, where there is one
	Image       string   `json:"image"`                // ImageURL(id): the left side, or the only one
	ImageOther  string   `json:"imageOther,omitempty"` // per-side stretches: ImageURL(id + OtherSide), the right side
}

// Step is one stretch inside a routine, with the hold and reps to use there.
type Step struct {
	StretchID   string `json:"stretchId"`
	HoldSeconds int    `json:"holdSeconds"`
	Reps        int    `json:"reps"`
}

// Routine is a template: an ordered list of stretches a therapist can assign.
type Routine struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Summary string `json:"summary"`
	ForWhom string `json:"forWhom"` // one sentence: who it suits
	Steps   []Step `json:"steps"`
}

// Body areas a stretch may target; Validate rejects anything else so the
// client app can group and filter on a fixed vocabulary.
const (
	TargetHamstrings   = "hamstrings"
	TargetGlutes       = "glutes"
	TargetPiriformis   = "piriformis"
	TargetLowBack      = "low back"
	TargetHips         = "hips"
	TargetSciaticNerve = "sciatic nerve"
)

var knownTargets = []string{TargetHamstrings, TargetGlutes, TargetPiriformis, TargetLowBack, TargetHips, TargetSciaticNerve}

// KnownTargets returns every allowed value of Stretch.Targets, in display order.
func KnownTargets() []string { return slices.Clone(knownTargets) }

// The pictures are drawn from each stretch's pose model (pictures.go) and
// committed; TestIllustrationsAreCurrent fails when they are stale.
//
//go:generate go run ./internal/drawpictures -dir illustrations
//go:embed illustrations/*.svg
var illustrations embed.FS

// Built once from the typed content in stretches.go and templates.go.
var (
	library   = withImages(stretchLibrary)
	stretchAt = indexStretches(library)
	routineAt = indexRoutines(routineTemplates)
)

// ImagePath returns the URL path of the illustration for stretch id (its
// left side, for a stretch done on both sides).
func ImagePath(id string) string { return ImagePathPrefix + id + ".svg" }

// OtherSide is the suffix of the picture name of a stretch's other side.
const OtherSide = "-other"

// ImageURL returns the URL of picture name (a stretch id, or the id followed
// by OtherSide): its path with a version drawn from its content, so a phone
// that keeps pictures for offline use fetches a redrawn one.
func ImageURL(name string) string {
	u := ImagePathPrefix + name + ".svg"
	if b, ok := Illustration(name); ok {
		sum := sha256.Sum256(b)
		u += "?v=" + hex.EncodeToString(sum[:5])
	}
	return u
}

// Stretches returns every stretch in a stable order; the result is a copy.
func Stretches() []Stretch {
	out := make([]Stretch, len(library))
	for i, s := range library {
		out[i] = cloneStretch(s)
	}
	return out
}

// StretchByID returns a copy of the stretch with the given id.
func StretchByID(id string) (Stretch, bool) {
	i, ok := stretchAt[id]
	if !ok {
		return Stretch{}, false
	}
	return cloneStretch(library[i]), true
}

// Routines returns every routine template in a stable order; the result is a copy.
func Routines() []Routine {
	out := make([]Routine, len(routineTemplates))
	for i, r := range routineTemplates {
		out[i] = cloneRoutine(r)
	}
	return out
}

// RoutineByID returns a copy of the routine template with the given id.
func RoutineByID(id string) (Routine, bool) {
	i, ok := routineAt[id]
	if !ok {
		return Routine{}, false
	}
	return cloneRoutine(routineTemplates[i]), true
}

// Illustration returns the SVG bytes of a picture by name: a stretch id, or
// the id followed by OtherSide for the right side of a per-side stretch.
func Illustration(id string) ([]byte, bool) {
	// The kebab-case check also keeps ids like "../x" away from the file system.
	if !isKebab(id) {
		return nil, false
	}
	b, err := illustrations.ReadFile("illustrations/" + id + ".svg")
	if err != nil {
		return nil, false
	}
	return b, true
}

// EstimatedMinutes is a rough duration of r: each hold times reps, doubled for
// per-side stretches, plus TransitionSeconds to get into each stretch and to
// switch sides. It rounds up, so any non-empty routine takes at least a minute.
// Steps naming an unknown stretch count as one-sided.
func EstimatedMinutes(r Routine) int { return EstimatedMinutesWith(r, StretchByID) }

// EstimatedMinutesWith is EstimatedMinutes with the stretches find knows
// (the library and a therapist's own).
func EstimatedMinutesWith(r Routine, find func(id string) (Stretch, bool)) int {
	total := 0
	for _, st := range r.Steps {
		sides := 1
		if s, ok := find(st.StretchID); ok && s.PerSide {
			sides = 2
		}
		total += sides * (max(st.HoldSeconds, 0)*max(st.Reps, 0) + TransitionSeconds)
	}
	return int(math.Ceil(float64(total) / 60))
}

func withImages(in []Stretch) []Stretch {
	out := make([]Stretch, len(in))
	for i, s := range in {
		s.Image = ImageURL(s.ID)
		if s.PerSide {
			s.ImageOther = ImageURL(s.ID + OtherSide)
		}
		out[i] = s
	}
	return out
}

func indexStretches(ss []Stretch) map[string]int {
	m := make(map[string]int, len(ss))
	for i, s := range ss {
		if _, dup := m[s.ID]; !dup { // the first wins; Validate reports duplicates
			m[s.ID] = i
		}
	}
	return m
}

func indexRoutines(rs []Routine) map[string]int {
	m := make(map[string]int, len(rs))
	for i, r := range rs {
		if _, dup := m[r.ID]; !dup {
			m[r.ID] = i
		}
	}
	return m
}

func cloneStretch(s Stretch) Stretch {
	s.Targets = slices.Clone(s.Targets)
	s.Steps = slices.Clone(s.Steps)
	return s
}

func cloneRoutine(r Routine) Routine {
	r.Steps = slices.Clone(r.Steps)
	return r
}
