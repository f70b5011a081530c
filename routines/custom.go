package routines

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"golang.org/x/text/language"
)

// A therapist's own stretch is a Stretch like the library's, written in the
// therapist's language, with a library picture (a pose) or an uploaded photo.

// CustomIDPrefix starts the id of every therapist's own stretch; no library
// stretch's id does (Validate refuses it), so the two never clash.
const CustomIDPrefix = "c-"

// CustomImagePrefix is the URL path under which uploaded photos are served.
const CustomImagePrefix = "/img/custom/"

// IsCustomID reports whether id names a therapist's own stretch.
func IsCustomID(id string) bool { return strings.HasPrefix(id, CustomIDPrefix) }

// photoName is an uploaded photo's file name: its SHA-256 and its format.
var photoName = regexp.MustCompile(`^[0-9a-f]{64}\.(jpg|png)$`)

// IsPhotoName reports whether name is an uploaded photo's file name.
func IsPhotoName(name string) bool { return photoName.MatchString(name) }

// PoseImages returns Image and ImageOther for a stretch shown with the
// library picture of stretch pose: its other side too when the stretch is
// done on both sides and the pose has one. ok is false for an unknown pose.
func PoseImages(pose string, perSide bool) (image, other string, ok bool) {
	if IsCustomID(pose) {
		return "", "", false
	}
	if _, ok := Illustration(pose); !ok || strings.HasSuffix(pose, OtherSide) {
		return "", "", false
	}
	image = ImageURL(pose)
	if _, ok := Illustration(pose + OtherSide); ok && perSide {
		other = ImageURL(pose + OtherSide)
	}
	return image, other, true
}

// PhotoURL is the URL of the uploaded photo with file name name.
func PhotoURL(name string) string { return CustomImagePrefix + name }

// ValidateCustom checks a therapist's own stretch with Validate's checks of
// the library: every text field filled in, the safety fields carrying the
// warnings of the language it is written in (tag: English words for English,
// the language's SafetyPhrases otherwise, as ValidateIn), known targets,
// steps, a hold and reps in range. Its id starts with CustomIDPrefix; its
// picture is a library pose (PoseImages) or an uploaded photo (PhotoURL, no
// other side). Its easier and harder links are optional, but when set they
// must name a stretch find knows (library or own) for the same body areas,
// with its safety text, and following them must not come back round. Every
// problem is a *FieldError; nil when all is well.
func ValidateCustom(tag language.Tag, s Stretch, find func(id string) (Stretch, bool)) error {
	safety := englishKeywords
	if tag != English {
		safety = phraseCheck(SafetyPhrasesIn(tag))
	}
	errs := checkStretchWith(0, s, safety, func(bad badFunc) {
		if !IsCustomID(s.ID) {
			bad("id", "must start with %q", CustomIDPrefix)
		}
		checkCustomImages(s, bad)
	})
	var links []error
	checkLinks(s, find, 64, func(field, format string, args ...any) {
		links = append(links, &FieldError{Kind: "stretch", ID: s.ID, Field: field, Problem: fmt.Sprintf(format, args...)})
	})
	return withLang(tag, errors.Join(append(errs, links...)...))
}

// checkCustomImages checks a therapist's stretch's picture: a library pose
// (with its other side where the stretch is done on both sides and the pose
// has one), or an uploaded photo.
func checkCustomImages(s Stretch, bad badFunc) {
	switch {
	case strings.HasPrefix(s.Image, CustomImagePrefix):
		if !IsPhotoName(strings.TrimPrefix(s.Image, CustomImagePrefix)) {
			bad("image", "is %q, not an uploaded photo's URL", s.Image)
		}
		if s.ImageOther != "" {
			bad("imageOther", "is %q, want none: a photo has no other side", s.ImageOther)
		}
	case strings.HasPrefix(s.Image, ImagePathPrefix):
		pose, _, _ := strings.Cut(strings.TrimPrefix(s.Image, ImagePathPrefix), ".svg")
		image, other, ok := PoseImages(pose, s.PerSide)
		switch {
		case !ok:
			bad("image", "no library picture %q", pose)
		case s.Image != image:
			bad("image", "is %q, want %q", s.Image, image)
		case s.ImageOther != other:
			bad("imageOther", "is %q, want %q", s.ImageOther, other)
		}
	default:
		bad("image", "is empty: pick a library picture or upload a photo")
	}
}
