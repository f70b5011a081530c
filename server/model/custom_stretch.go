package model

import (
	"errors"
	"fmt"
	"slices"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// CustomStretch is a therapist's own stretch: every field of a library
// stretch, written in one language, with who wrote it and who may use it.
type CustomStretch struct {
	routines.Stretch
	TherapistID string `json:"therapistId"`
	// Shared stretches are visible to every therapist of the studio; others only to their author.
	Shared bool `json:"shared"`
	// Language is the BCP 47 tag of the text (one of routines.Supported()); clients see it as written.
	Language string `json:"language"`
	// Pose is the library picture it is shown with, or "" when Photo is set.
	Pose string `json:"pose,omitempty"`
	// Photo is the uploaded photo's file name ("<sha256>.jpg"), or "".
	Photo     string     `json:"photo,omitempty"`
	CreatedAt time.Time  `json:"createdAt"`
	UpdatedAt time.Time  `json:"updatedAt"`
	RetiredAt *time.Time `json:"retiredAt,omitempty"`
}

// Retired reports whether the stretch was retired: it can no longer be
// picked, and plans that use it keep showing it.
func (s CustomStretch) Retired() bool { return s.RetiredAt != nil }

// VisibleTo reports whether therapist t may see and use s: shared ones, and t's own.
func (s CustomStretch) VisibleTo(t Therapist) bool { return s.Shared || s.TherapistID == t.ID }

// EditableBy reports whether t may change or retire s: its author, or the studio owner for a shared one.
func (s CustomStretch) EditableBy(t Therapist) bool {
	return s.TherapistID == t.ID || (t.Owner && s.Shared)
}

// Limits of a therapist's own stretch.
const (
	MaxCustomSteps     = 8
	MaxCustomStretches = 200 // per therapist, retired ones included (plans may show them)
)

// CustomStretchInput is the body of POST /api/stretches and PUT /api/stretches/{id}.
type CustomStretchInput struct {
	Name        string   `json:"name"`
	Targets     []string `json:"targets"`
	Summary     string   `json:"summary"`
	Steps       []string `json:"steps"`
	HoldSeconds int      `json:"holdSeconds"`
	Reps        int      `json:"reps"`
	PerSide     bool     `json:"perSide"`
	Feel        string   `json:"feel"`
	StopIf      string   `json:"stopIf"`
	Breathing   string   `json:"breathing"`
	Easier      string   `json:"easier"`
	EasierID    string   `json:"easierId"`
	HarderID    string   `json:"harderId"`
	// Pose names a library stretch whose picture to show; Photo an uploaded photo (POST /api/stretches/photos). One of the two.
	Pose  string `json:"pose"`
	Photo string `json:"photo"`
	// Shared with the studio (every therapist may use it) or private (only its author).
	Shared bool `json:"shared"`
	// Language the text is written in: a tag of routines.Supported(); "" is English.
	Language string `json:"language"`
}

// Validate checks a therapist's stretch with id, whose easier and harder
// links find resolves (library and the stretches the therapist may use), and
// returns it without owner or timestamps. Text is checked for length and
// control characters here, then the whole stretch by routines.ValidateCustom
// in its language; the first problem is the error, naming its field.
func (in CustomStretchInput) Validate(id string, find func(id string) (routines.Stretch, bool)) (CustomStretch, error) {
	var c CustomStretch
	tag := routines.English
	if in.Language != "" {
		t, err := language.Parse(in.Language)
		if err != nil || !slices.Contains(routines.Supported(), t) {
			return c, bad("language", "must be one of %v", routines.Supported())
		}
		tag = t
	}
	c.Language = tag.String()
	s := routines.Stretch{
		ID: id, Targets: slices.Clone(in.Targets), HoldSeconds: in.HoldSeconds, Reps: in.Reps, PerSide: in.PerSide,
		EasierID: in.EasierID, HarderID: in.HarderID,
	}
	var err error
	if s.Name, err = CleanLabel("name", in.Name, 60, true); err != nil {
		return c, err
	}
	for _, f := range []struct {
		name string
		in   string
		out  *string
		max  int
	}{
		{"summary", in.Summary, &s.Summary, 200}, {"feel", in.Feel, &s.Feel, 300}, {"stopIf", in.StopIf, &s.StopIf, 400},
		{"breathing", in.Breathing, &s.Breathing, 300}, {"easier", in.Easier, &s.Easier, 300},
	} {
		if *f.out, err = CleanText(f.name, f.in, f.max, true); err != nil {
			return c, err
		}
	}
	if len(in.Steps) == 0 || len(in.Steps) > MaxCustomSteps {
		return c, bad("steps", "must list 1 to %d steps", MaxCustomSteps)
	}
	for i, st := range in.Steps {
		text, err := CleanText(fmt.Sprintf("steps[%d]", i), st, 300, true)
		if err != nil {
			return c, err
		}
		s.Steps = append(s.Steps, text)
	}
	if len(in.Targets) > len(routines.KnownTargets()) {
		return c, bad("targets", "at most %d body areas", len(routines.KnownTargets()))
	}
	switch {
	case (in.Pose == "") == (in.Photo == ""):
		return c, bad("pose", "pick either a library picture (pose) or an uploaded photo (photo)")
	case in.Pose != "":
		var ok bool
		if s.Image, s.ImageOther, ok = routines.PoseImages(in.Pose, in.PerSide); !ok {
			return c, bad("pose", "unknown library picture %q", in.Pose)
		}
		c.Pose = in.Pose
	default:
		if !routines.IsPhotoName(in.Photo) {
			return c, bad("photo", "must be the name of an uploaded photo (\"<sha256>.jpg\" or \".png\")")
		}
		s.Image = routines.PhotoURL(in.Photo)
		c.Photo = in.Photo
	}
	if err := routines.ValidateCustom(tag, s, find); err != nil {
		var fe *routines.FieldError
		if errors.As(err, &fe) {
			return c, bad(fe.Field, "%s", fe.Problem)
		}
		return c, err
	}
	c.Stretch = s
	c.Shared = in.Shared
	return c, nil
}
