package routines

import (
	"strings"
	"testing"

	"golang.org/x/text/language"
)

// ownStretch is a valid therapist's stretch in English, shown with a library pose.
func ownStretch() Stretch {
	img, other, _ := PoseImages("seated-figure-four", true)
	return Stretch{
		ID: "c-towel-glute", Name: "Towel glute stretch", Targets: []string{TargetGlutes, TargetPiriformis},
		Summary:     "A seated glute stretch with a rolled towel under the hip.",
		Steps:       []string{"Sit on a firm chair with a rolled towel under your right hip.", "Cross your ankle over the other knee and lean forward a little."},
		HoldSeconds: 30, Reps: 2, PerSide: true,
		Feel:      "A gentle stretch in the buttock, never sharp or shooting pain.",
		StopIf:    stopCore,
		Breathing: "Breathe slowly in and out; never hold your breath.",
		Easier:    "Lean forward less, or keep the foot on the floor.",
		EasierID:  "seated-ankle-on-shin",
		Image:     img, ImageOther: other,
	}
}

func TestValidateCustomAcceptsAGoodStretch(t *testing.T) {
	s := ownStretch()
	if err := ValidateCustom(English, s, StretchByID); err != nil {
		t.Fatal(err)
	}
	s.Image, s.ImageOther = PhotoURL(strings.Repeat("ab", 32)+".jpg"), ""
	s.EasierID = ""
	if err := ValidateCustom(English, s, StretchByID); err != nil {
		t.Fatalf("with a photo and no easier link: %v", err)
	}
}

func TestValidateCustomRejects(t *testing.T) {
	lookup := func(own ...Stretch) func(string) (Stretch, bool) {
		return func(id string) (Stretch, bool) {
			for _, s := range own {
				if s.ID == id {
					return s, true
				}
			}
			return StretchByID(id)
		}
	}
	for _, c := range []struct {
		name, field string
		change      func(*Stretch)
		find        func(string) (Stretch, bool)
	}{
		{"library id", "id", func(s *Stretch) { s.ID = "towel-glute" }, nil},
		{"not kebab", "id", func(s *Stretch) { s.ID = "c-Towel" }, nil},
		{"no name", "name", func(s *Stretch) { s.Name = " " }, nil},
		{"no summary", "summary", func(s *Stretch) { s.Summary = "" }, nil},
		{"no easier text", "easier", func(s *Stretch) { s.Easier = "" }, nil},
		{"feel without sharp", "feel", func(s *Stretch) { s.Feel = "A gentle stretch." }, nil},
		{"stop without tingling", "stopIf", func(s *Stretch) { s.StopIf = "Stop for shooting pain or numbness." }, nil},
		{"breathing without the warning", "breathing", func(s *Stretch) { s.Breathing = "Breathe slowly." }, nil},
		{"no steps", "steps", func(s *Stretch) { s.Steps = nil }, nil},
		{"empty step", "steps[1]", func(s *Stretch) { s.Steps[1] = "" }, nil},
		{"no targets", "targets", func(s *Stretch) { s.Targets = nil }, nil},
		{"unknown target", "targets[0]", func(s *Stretch) { s.Targets = []string{"neck"} }, nil},
		{"hold too short", "holdSeconds", func(s *Stretch) { s.HoldSeconds = 2 }, nil},
		{"hold too long", "holdSeconds", func(s *Stretch) { s.HoldSeconds = 600 }, nil},
		{"no reps", "reps", func(s *Stretch) { s.Reps = 0 }, nil},
		{"too many reps", "reps", func(s *Stretch) { s.Reps = 11 }, nil},
		{"no picture", "image", func(s *Stretch) { s.Image, s.ImageOther = "", "" }, nil},
		{"unknown pose", "image", func(s *Stretch) { s.Image = ImagePathPrefix + "handstand.svg" }, nil},
		{"pose without its version", "image", func(s *Stretch) { s.Image = ImagePath("seated-figure-four") }, nil},
		{"wrong other side", "imageOther", func(s *Stretch) { s.ImageOther = ImageURL("cat-cow") }, nil},
		{"photo URL not a hash", "image", func(s *Stretch) { s.Image, s.ImageOther = PhotoURL("../../etc/passwd"), "" }, nil},
		{"photo with another side", "imageOther", func(s *Stretch) { s.Image = PhotoURL(strings.Repeat("0", 64) + ".png") }, nil},
		{"outside picture", "image", func(s *Stretch) { s.Image, s.ImageOther = "https://example.org/x.jpg", "" }, nil},
		{"easier unknown", "easierId", func(s *Stretch) { s.EasierID = "c-missing" }, nil},
		{"easier is itself", "easierId", func(s *Stretch) { s.EasierID = s.ID }, nil},
		{"easier for other areas", "easierId", func(s *Stretch) { s.EasierID = "cat-cow" }, nil},
		{"harder same as easier", "harderId", func(s *Stretch) { s.HarderID = s.EasierID }, nil},
		{"links in a circle", "easierId", func(s *Stretch) { s.EasierID = "c-b" },
			lookup(Stretch{ID: "c-b", Targets: []string{TargetGlutes, TargetPiriformis}, Feel: "f", StopIf: "s", Breathing: "b", Steps: []string{"x"}, EasierID: "c-towel-glute"})},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := ownStretch()
			c.change(&s)
			find := c.find
			if find == nil {
				find = StretchByID
			}
			assertFieldError(t, ValidateCustom(English, s, find), "stretch", s.ID, c.field)
		})
	}
}

func TestValidateCustomInTheTherapistsLanguage(t *testing.T) {
	de := SafetyPhrasesIn(language.German)
	s := ownStretch()
	s.Name, s.Summary, s.Easier = "Gesäßdehnung mit Handtuch", "Im Sitzen, mit einem Handtuch unter der Hüfte.", "Weniger weit nach vorn lehnen."
	s.Steps = []string{"Setzen Sie sich auf einen festen Stuhl.", "Legen Sie den Knöchel auf das andere Knie."}
	s.Feel = "Ein sanftes Ziehen im Gesäß, " + de.NeverSharpPain + "."
	s.StopIf = de.StopCore
	s.Breathing = "Atmen Sie ruhig; " + de.NeverHoldBreath + "."
	if err := ValidateCustom(language.German, s, StretchByID); err != nil {
		t.Fatal(err)
	}
	// The English words are not the German warnings.
	err := ValidateCustom(language.German, ownStretch(), StretchByID)
	fe := assertFieldError(t, err, "stretch", "c-towel-glute", "stopIf")
	if fe.Lang != "de" {
		t.Errorf("problem names language %q, want de", fe.Lang)
	}
}

func TestLibraryIDsNeverLookCustom(t *testing.T) {
	s := Stretches()
	s[0].ID = CustomIDPrefix + "x"
	assertFieldError(t, Validate(s, Routines(), func(string) bool { return true }), "stretch", s[0].ID, "id")
}
