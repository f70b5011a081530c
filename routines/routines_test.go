package routines

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/routines/figure"
)

func TestLibraryIsValid(t *testing.T) {
	if err := Validate(Stretches(), Routines(), nil); err != nil {
		t.Fatalf("embedded content is invalid:\n%v", err)
	}
}

// The design makes these non-negotiable, so check the real text directly too,
// not only through Validate's keyword rules.
func TestEveryStretchCarriesSafetyText(t *testing.T) {
	for _, s := range Stretches() {
		t.Run(s.ID, func(t *testing.T) {
			for _, c := range []struct{ field, text, want string }{
				{"feel", s.Feel, "never sharp or shooting pain"},
				{"stopIf", s.StopIf, "sharp or shooting pain down your leg"},
				{"stopIf", s.StopIf, "new numbness or tingling"},
				{"breathing", s.Breathing, "never hold your breath"},
			} {
				if !strings.Contains(strings.ToLower(c.text), c.want) {
					t.Errorf("%s = %q, want it to say %q", c.field, c.text, c.want)
				}
			}
			if strings.TrimSpace(s.Easier) == "" {
				t.Error("easier is empty")
			}
			if len(s.Steps) < 3 {
				t.Errorf("only %d steps; guide the client step by step", len(s.Steps))
			}
		})
	}
}

func TestLibraryCoverage(t *testing.T) {
	ss := Stretches()
	if len(ss) < 12 {
		t.Errorf("%d stretches, want at least 12", len(ss))
	}
	covered := map[string]int{}
	for _, s := range ss {
		for _, tg := range s.Targets {
			covered[tg]++
		}
	}
	for _, tg := range []string{TargetHamstrings, TargetGlutes, TargetPiriformis, TargetLowBack} {
		if covered[tg] < 2 {
			t.Errorf("target %q covered by %d stretches, want at least 2", tg, covered[tg])
		}
	}
	for _, id := range []string{"gentle-sciatica-aftercare", "piriformis-release", "desk-day-hamstrings", "low-back-unwind"} {
		r, ok := RoutineByID(id)
		if !ok {
			t.Errorf("routine %q missing", id)
			continue
		}
		if n := len(r.Steps); n < 4 || n > 7 {
			t.Errorf("routine %q has %d steps, want 4–7", id, n)
		}
	}
	// The desk-day routine promises no floor work.
	desk, _ := RoutineByID("desk-day-hamstrings")
	for _, st := range desk.Steps {
		if !strings.HasPrefix(st.StretchID, "seated-") && !strings.HasPrefix(st.StretchID, "standing-") {
			t.Errorf("desk-day-hamstrings includes %q, which is not done on a chair or standing", st.StretchID)
		}
	}
}

func TestStretchesAreCopies(t *testing.T) {
	a := Stretches()
	a[0].Name = "changed"
	a[0].Steps[0] = "changed"
	a[0].Targets[0] = "changed"
	b := Stretches()
	if b[0].Name == "changed" || b[0].Steps[0] == "changed" || b[0].Targets[0] == "changed" {
		t.Fatal("Stretches shares memory with the library")
	}
	s, _ := StretchByID(b[0].ID)
	s.Steps[0] = "changed"
	if again, _ := StretchByID(b[0].ID); again.Steps[0] == "changed" {
		t.Fatal("StretchByID shares memory with the library")
	}
}

func TestRoutinesAreCopies(t *testing.T) {
	a := Routines()
	a[0].Steps[0].HoldSeconds = 999
	if Routines()[0].Steps[0].HoldSeconds == 999 {
		t.Fatal("Routines shares memory with the templates")
	}
	r, _ := RoutineByID(a[0].ID)
	r.Steps[0].Reps = 99
	if again, _ := RoutineByID(a[0].ID); again.Steps[0].Reps == 99 {
		t.Fatal("RoutineByID shares memory with the templates")
	}
}

func TestByIDAndOrder(t *testing.T) {
	ss := Stretches()
	for i, s := range Stretches() {
		if ss[i].ID != s.ID {
			t.Fatal("Stretches order is not stable")
		}
		got, ok := StretchByID(s.ID)
		if !ok || got.ID != s.ID {
			t.Errorf("StretchByID(%q) = %q, %v", s.ID, got.ID, ok)
		}
		if !strings.HasPrefix(s.Image, "/img/stretches/"+s.ID+".svg?v=") {
			t.Errorf("%s: image = %q", s.ID, s.Image)
		}
		if other := "/img/stretches/" + s.ID + "-other.svg?v="; s.PerSide && !strings.HasPrefix(s.ImageOther, other) || !s.PerSide && s.ImageOther != "" {
			t.Errorf("%s (per side: %v): imageOther = %q", s.ID, s.PerSide, s.ImageOther)
		}
	}
	for _, r := range Routines() {
		if got, ok := RoutineByID(r.ID); !ok || got.ID != r.ID {
			t.Errorf("RoutineByID(%q) = %q, %v", r.ID, got.ID, ok)
		}
	}
	if _, ok := StretchByID("no-such-stretch"); ok {
		t.Error("StretchByID found an unknown id")
	}
	if _, ok := RoutineByID(""); ok {
		t.Error("RoutineByID found an empty id")
	}
}

var eventAttr = regexp.MustCompile(`\son[a-z]+\s*=`)

// svgDoc is the part of an illustration the checks below look at.
type svgDoc struct {
	XMLName xml.Name `xml:"svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Role    string   `xml:"role,attr"`
	Class   string   `xml:"class,attr"`
	Title   string   `xml:"title"`
	Groups  []struct {
		Class  string `xml:"class,attr"`
		Layers []struct {
			Transform string `xml:"transform,attr"`
			Paths     []struct {
				Class   string `xml:"class,attr"`
				D       string `xml:"d,attr"`
				Animate []struct {
					Attr   string `xml:"attributeName,attr"`
					Values string `xml:"values,attr"`
				} `xml:"animate"`
			} `xml:"path"`
		} `xml:"g"`
		Texts []string `xml:"text"`
	} `xml:"g"`
}

// pictureNames lists every picture a stretch has: its id and, done on both
// sides, the other side's.
func pictureNames(s Stretch) []string {
	if s.PerSide {
		return []string{s.ID, s.ID + OtherSide}
	}
	return []string{s.ID}
}

func TestIllustrations(t *testing.T) {
	for _, s := range Stretches() {
		for _, name := range pictureNames(s) {
			t.Run(name, func(t *testing.T) {
				b, ok := Illustration(name)
				if !ok {
					t.Fatal("no illustration")
				}
				var gz bytes.Buffer
				w, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
				w.Write(b)
				w.Close()
				if gz.Len() > 4096 {
					t.Errorf("%d bytes gzipped, keep every picture within 4 KB", gz.Len())
				}
				if err := wellFormed(b); err != nil {
					t.Fatalf("not well-formed XML: %v", err)
				}
				var doc svgDoc
				if err := xml.Unmarshal(b, &doc); err != nil {
					t.Fatal(err)
				}
				if doc.ViewBox != "0 0 320 200" || doc.Role != "img" || doc.Class != "fig" {
					t.Errorf("viewBox=%q role=%q class=%q", doc.ViewBox, doc.Role, doc.Class)
				}
				if doc.Title != s.Name {
					t.Errorf("title %q, want the stretch name %q", doc.Title, s.Name)
				}
				text := strings.ToLower(string(b))
				for _, banned := range []string{"<script", "href", "url(", "<image", "<foreignobject", "@import", "<use"} {
					if strings.Contains(text, banned) {
						t.Errorf("contains %q; illustrations must be self-contained and inert", banned)
					}
				}
				if eventAttr.MatchString(text) {
					t.Error("contains an event-handler attribute")
				}
				checkLayers(t, doc)
			})
		}
	}
}

// checkLayers wants a moving figure that passes from the start position to
// the held one, plus both positions drawn still, labelled, with the muscle
// that should feel the stretch highlighted.
func checkLayers(t *testing.T, doc svgDoc) {
	t.Helper()
	if len(doc.Groups) != 2 || doc.Groups[0].Class != "fig-a" || doc.Groups[1].Class != "fig-p" {
		t.Fatalf("want a moving layer (fig-a) and a still one (fig-p), got %d groups", len(doc.Groups))
	}
	moving, still := doc.Groups[0], doc.Groups[1]
	if len(moving.Layers) != 1 || len(still.Layers) != 2 {
		t.Fatalf("want one moving figure and two still ones, got %d and %d", len(moving.Layers), len(still.Layers))
	}
	if len(still.Texts) != 2 || still.Texts[0] == "" || still.Texts[1] == "" {
		t.Errorf("still positions want two labels, got %q", still.Texts)
	}
	animated, highlighted := 0, 0
	for i, p := range moving.Layers[0].Paths {
		if strings.HasPrefix(p.Class, "h ") {
			highlighted++
		}
		if len(p.Animate) == 0 {
			continue
		}
		animated++
		a := p.Animate[0]
		frames := strings.Split(a.Values, ";")
		if a.Attr != "d" || len(frames) < 3 {
			t.Errorf("path %d animates %q through %d frames", i, a.Attr, len(frames))
			continue
		}
		// The still pictures are the moving one's start and end.
		start, held := still.Layers[0].Paths[i].D, still.Layers[1].Paths[i].D
		if start != p.D || !slices.Contains(frames, start) || frames[len(frames)-1] != held {
			t.Errorf("path %d: still start/held %q / %q do not match the animation %q", i, start, held, a.Values)
		}
	}
	if animated == 0 {
		t.Error("nothing moves between the start and held positions")
	}
	if highlighted == 0 {
		t.Error("no muscle highlighted")
	}
}

// The committed files must be what the pose model draws today.
func TestIllustrationsAreCurrent(t *testing.T) {
	drawn := DrawIllustrations()
	files, err := fs.Glob(illustrations, "illustrations/*.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimPrefix(f, "illustrations/")
		b, _ := fs.ReadFile(illustrations, f)
		want, ok := drawn[name]
		switch {
		case !ok:
			t.Errorf("%s is not drawn by any stretch's pose model: remove it (go generate ./routines)", name)
		case !bytes.Equal(b, want):
			t.Errorf("%s is stale: run go generate ./routines", name)
		}
		delete(drawn, name)
	}
	for name := range drawn {
		t.Errorf("%s is drawn but not committed: run go generate ./routines", name)
	}
	for _, s := range Stretches() {
		for _, name := range pictureNames(s) {
			if _, ok := DrawIllustrations()[name+".svg"]; !ok {
				t.Errorf("stretch %s has no pose model for %s", s.ID, name)
			}
		}
	}
}

// The other side is the same drawing, flipped left to right, with its labels
// left unflipped.
func TestOtherSideIsTheMirror(t *testing.T) {
	for _, s := range Stretches() {
		if !s.PerSide {
			continue
		}
		first, _ := Illustration(s.ID)
		other, _ := Illustration(s.ID + OtherSide)
		var a, b svgDoc
		if err := errors.Join(xml.Unmarshal(first, &a), xml.Unmarshal(other, &b)); err != nil {
			t.Fatal(err)
		}
		for gi := range a.Groups {
			if !slices.Equal(a.Groups[gi].Texts, b.Groups[gi].Texts) {
				t.Errorf("%s: labels differ between sides", s.ID)
			}
			for li, la := range a.Groups[gi].Layers {
				lb := b.Groups[gi].Layers[li]
				ma, mb := matrix(t, la.Transform), matrix(t, lb.Transform)
				if ma[0] != -mb[0] || ma[3] != mb[3] || ma[5] != mb[5] {
					t.Errorf("%s: layer %d.%d transforms %v and %v are not mirror images", s.ID, gi, li, ma, mb)
				}
				if !slices.EqualFunc(la.Paths, lb.Paths, func(x, y struct {
					Class   string `xml:"class,attr"`
					D       string `xml:"d,attr"`
					Animate []struct {
						Attr   string `xml:"attributeName,attr"`
						Values string `xml:"values,attr"`
					} `xml:"animate"`
				}) bool {
					return x.D == y.D && x.Class == y.Class
				}) {
					t.Errorf("%s: layer %d.%d draws a different figure on the other side", s.ID, gi, li)
				}
			}
		}
	}
}

func matrix(t *testing.T, tr string) [6]float64 {
	t.Helper()
	var m [6]float64
	if _, err := fmt.Sscanf(tr, "matrix(%g %g %g %g %g %g)", &m[0], &m[1], &m[2], &m[3], &m[4], &m[5]); err != nil {
		t.Fatalf("transform %q: %v", tr, err)
	}
	return m
}

// Every keyframe is a real body: bones keep their lengths and nothing sinks
// into the floor.
func TestPicturesAreRealBodies(t *testing.T) {
	for id, pic := range pictures {
		for name, p := range map[string]figure.Pose{"start": pic.Start, "held": pic.Held} {
			if e := p.BoneError(); e > 0.01 {
				t.Errorf("%s %s: a bone is %.2f cm off its length", id, name, e)
			}
			if low := p.Lowest(); low < -1.5 {
				t.Errorf("%s %s: the body reaches %.1f cm below the floor", id, name, -low)
			}
		}
	}
}

// The picture shows the props the steps ask for.
func TestPicturesShowTheirProps(t *testing.T) {
	for _, s := range Stretches() {
		pic := pictures[s.ID]
		steps := strings.ToLower(strings.Join(s.Steps, " "))
		has := map[string]bool{}
		for _, b := range pic.Boxes {
			has[b.Class] = true
		}
		if strings.Contains(steps, "strap") != (len(pic.Straps) > 0) {
			t.Errorf("%s: steps mention a strap: %v, picture has one: %v", s.ID, strings.Contains(steps, "strap"), len(pic.Straps) > 0)
		}
		onFloor := strings.Contains(steps, "lie on your back") || strings.Contains(steps, "kneel")
		if onFloor != has["mat"] {
			t.Errorf("%s: done on the floor: %v, picture has a mat: %v", s.ID, onFloor, has["mat"])
		}
		if strings.Contains(steps, "chair") || strings.Contains(steps, "step") {
			if !has["prop"] {
				t.Errorf("%s: steps use a chair or step the picture does not show", s.ID)
			}
		}
	}
}

func TestNoOrphanIllustrations(t *testing.T) {
	files, err := fs.Glob(illustrations, "illustrations/*.svg")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(strings.TrimPrefix(f, "illustrations/"), ".svg")
		s, ok := StretchByID(name)
		if id, other := strings.CutSuffix(name, OtherSide); !ok && other {
			s, ok = StretchByID(id)
			ok = ok && s.PerSide
		}
		if !ok {
			t.Errorf("%s belongs to no stretch (or to one done on one side only)", f)
		}
	}
}

func TestIllustrationRejectsBadIDs(t *testing.T) {
	for _, id := range []string{"", "../routines", "cat-cow.svg", "Cat-Cow", "no-such-stretch", "illustrations/cat-cow", "-cat-cow"} {
		if b, ok := Illustration(id); ok || b != nil {
			t.Errorf("Illustration(%q) = %d bytes, %v", id, len(b), ok)
		}
	}
}

func TestEstimatedMinutes(t *testing.T) {
	tests := []struct {
		name  string
		steps []Step
		want  int
	}{
		{"empty", nil, 0},
		// one side: 20*2 + 10 = 50 s
		{"one-sided", []Step{{"double-knee-to-chest", 20, 2}}, 1},
		// per side: 2 * (30*2 + 10) = 140 s
		{"per side doubles", []Step{{"supine-hamstring-strap", 30, 2}}, 3},
		// 140 + 2*(30*2+10) + (5*10+10) = 140 + 140 + 60 = 340 s
		{"sum", []Step{{"supine-hamstring-strap", 30, 2}, {"supine-figure-four", 30, 2}, {"pelvic-tilt", 5, 10}}, 6},
		// unknown stretch counts one side: 60*2 + 10 = 130 s
		{"unknown stretch", []Step{{"no-such-stretch", 60, 2}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EstimatedMinutes(Routine{Steps: tt.steps}); got != tt.want {
				t.Errorf("EstimatedMinutes = %d, want %d", got, tt.want)
			}
		})
	}
	for _, r := range Routines() {
		if m := EstimatedMinutes(r); m < 3 || m > 15 {
			t.Errorf("routine %q takes %d min; a daily aftercare routine should take 3–15", r.ID, m)
		}
	}
}

func TestCheckHoldAndReps(t *testing.T) {
	for _, tt := range []struct {
		hold, reps int
		ok         bool
	}{
		{MinHoldSeconds, MinReps, true},
		{MaxHoldSeconds, MaxReps, true},
		{MinHoldSeconds - 1, MinReps, false},
		{MaxHoldSeconds + 1, MinReps, false},
		{MinHoldSeconds, MinReps - 1, false},
		{MinHoldSeconds, MaxReps + 1, false},
	} {
		err := errors.Join(CheckHold(tt.hold), CheckReps(tt.reps))
		if (err == nil) != tt.ok {
			t.Errorf("hold %d reps %d: err = %v, want ok=%v", tt.hold, tt.reps, err, tt.ok)
		}
	}
}

func TestValidateRoutine(t *testing.T) {
	r, _ := RoutineByID("low-back-unwind")
	if err := ValidateRoutine(r); err != nil {
		t.Fatal(err)
	}
	r.Steps[0].StretchID = "made-up"
	assertFieldError(t, ValidateRoutine(r), "routine", "low-back-unwind", "steps[0].stretchId")
}

// fixture returns one valid stretch and one valid routine using it.
func fixture() ([]Stretch, []Routine) {
	s := Stretch{
		ID:          "test-stretch",
		Name:        "Test stretch",
		Targets:     []string{TargetHamstrings},
		Summary:     "A stretch for tests.",
		Steps:       []string{"Lie down.", "Stretch gently.", "Get up slowly."},
		HoldSeconds: 30,
		Reps:        2,
		Feel:        "A gentle pull, never sharp.",
		StopIf:      stopCore,
		Breathing:   breatheSlowly,
		Easier:      "Do less.",
		EasierID:    "test-easier",
		Image:       ImagePath("test-stretch"),
	}
	easier := s
	easier.ID, easier.Name, easier.Image, easier.EasierID, easier.HarderID = "test-easier", "Easier test stretch", ImagePath("test-easier"), "", "test-stretch"
	easier.Steps = slices.Clone(s.Steps)
	r := Routine{
		ID:      "test-routine",
		Name:    "Test routine",
		Summary: "A routine for tests.",
		ForWhom: "Tests.",
		Steps:   []Step{{StretchID: "test-stretch", HoldSeconds: 20, Reps: 2}},
	}
	return []Stretch{s, easier}, []Routine{r}
}

func TestValidateRejects(t *testing.T) {
	yes := func(string) bool { return true }
	tests := []struct {
		name       string
		stretch    func(*Stretch) // edits the fixture's stretch
		routine    func(*Routine) // edits the fixture's routine
		dupStretch bool           // appends a second copy of the stretch
		dupRoutine bool           // appends a second copy of the routine
		noImage    bool
		hasImage   func(string) bool // overrides yes
		kind, id   string
		field      string
		problemHas string
	}{
		{name: "missing feel", stretch: func(s *Stretch) { s.Feel = "" }, kind: "stretch", field: "feel"},
		{name: "missing stopIf", stretch: func(s *Stretch) { s.StopIf = "  " }, kind: "stretch", field: "stopIf"},
		{name: "missing breathing", stretch: func(s *Stretch) { s.Breathing = "" }, kind: "stretch", field: "breathing"},
		{name: "missing easier", stretch: func(s *Stretch) { s.Easier = "" }, kind: "stretch", field: "easier"},
		{name: "missing steps", stretch: func(s *Stretch) { s.Steps = nil }, kind: "stretch", field: "steps"},
		{name: "blank step", stretch: func(s *Stretch) { s.Steps[1] = "" }, kind: "stretch", field: "steps[1]"},
		{name: "stopIf without numbness", stretch: func(s *Stretch) { s.StopIf = "Stop if you feel sharp or shooting pain down your leg." },
			kind: "stretch", field: "stopIf", problemHas: "numbness"},
		{name: "feel without sharp", stretch: func(s *Stretch) { s.Feel = "A nice pull." }, kind: "stretch", field: "feel", problemHas: "sharp"},
		{name: "breathing allows holding", stretch: func(s *Stretch) { s.Breathing = "Breathe." }, kind: "stretch", field: "breathing"},
		{name: "missing name", stretch: func(s *Stretch) { s.Name = "" }, kind: "stretch", field: "name"},
		{name: "no targets", stretch: func(s *Stretch) { s.Targets = nil }, kind: "stretch", field: "targets"},
		{name: "unknown target", stretch: func(s *Stretch) { s.Targets = []string{"elbow"} }, kind: "stretch", field: "targets[0]"},
		{name: "stretch hold 0", stretch: func(s *Stretch) { s.HoldSeconds = 0 }, kind: "stretch", field: "holdSeconds"},
		{name: "stretch hold 600", stretch: func(s *Stretch) { s.HoldSeconds = 600 }, kind: "stretch", field: "holdSeconds"},
		{name: "stretch reps 0", stretch: func(s *Stretch) { s.Reps = 0 }, kind: "stretch", field: "reps"},
		{name: "stretch reps 50", stretch: func(s *Stretch) { s.Reps = 50 }, kind: "stretch", field: "reps"},
		{name: "id not kebab-case", stretch: func(s *Stretch) { s.ID, s.Image = "Test_Stretch", ImagePath("Test_Stretch") },
			kind: "stretch", id: "Test_Stretch", field: "id"},
		{name: "missing id", stretch: func(s *Stretch) { s.ID = "" }, kind: "stretch", id: "#0", field: "id"},
		{name: "wrong image path", stretch: func(s *Stretch) { s.Image = "/img/other.svg" }, kind: "stretch", field: "image"},
		{name: "no illustration", noImage: true, kind: "stretch", field: "image", problemHas: "illustration"},
		{name: "per side without other picture path", stretch: func(s *Stretch) { s.PerSide = true }, kind: "stretch", field: "imageOther"},
		{name: "one side with other picture", stretch: func(s *Stretch) { s.ImageOther = ImageURL(s.ID + OtherSide) }, kind: "stretch", field: "imageOther"},
		{name: "id names an other side", stretch: func(s *Stretch) { s.ID, s.Image = "test-other", ImagePath("test-other") },
			kind: "stretch", id: "test-other", field: "id", problemHas: "other side"},
		{name: "no picture of the other side", stretch: func(s *Stretch) { s.PerSide, s.ImageOther = true, ImageURL(s.ID+OtherSide) },
			hasImage: func(id string) bool { return !strings.HasSuffix(id, OtherSide) }, kind: "stretch", field: "imageOther", problemHas: "other side"},
		{name: "duplicate stretch id", dupStretch: true, kind: "stretch", field: "id", problemHas: "duplicate"},
		{name: "duplicate routine id", dupRoutine: true, kind: "routine", field: "id", problemHas: "duplicate"},
		{name: "unknown stretch in routine", routine: func(r *Routine) { r.Steps[0].StretchID = "made-up" },
			kind: "routine", field: "steps[0].stretchId", problemHas: "made-up"},
		{name: "routine hold 0", routine: func(r *Routine) { r.Steps[0].HoldSeconds = 0 }, kind: "routine", field: "steps[0].holdSeconds"},
		{name: "routine hold 600", routine: func(r *Routine) { r.Steps[0].HoldSeconds = 600 }, kind: "routine", field: "steps[0].holdSeconds"},
		{name: "routine reps 0", routine: func(r *Routine) { r.Steps[0].Reps = 0 }, kind: "routine", field: "steps[0].reps"},
		{name: "routine reps 50", routine: func(r *Routine) { r.Steps[0].Reps = 50 }, kind: "routine", field: "steps[0].reps"},
		{name: "empty routine", routine: func(r *Routine) { r.Steps = nil }, kind: "routine", field: "steps"},
		{name: "routine without forWhom", routine: func(r *Routine) { r.ForWhom = "" }, kind: "routine", field: "forWhom"},
	}
	ss, rs := fixture()
	if err := Validate(ss, rs, yes); err != nil {
		t.Fatalf("fixture is invalid: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ss, rs := fixture()
			if tt.stretch != nil {
				tt.stretch(&ss[0])
			}
			if tt.routine != nil {
				tt.routine(&rs[0])
			}
			if tt.dupStretch {
				ss = append(ss, ss[0])
			}
			if tt.dupRoutine {
				rs = append(rs, rs[0])
			}
			id := tt.id
			if id == "" {
				id = map[string]string{"stretch": "test-stretch", "routine": "test-routine"}[tt.kind]
			}
			has := yes
			if tt.noImage {
				has = func(string) bool { return false }
			}
			if tt.hasImage != nil {
				has = tt.hasImage
			}
			fe := assertFieldError(t, Validate(ss, rs, has), tt.kind, id, tt.field)
			if fe != nil && !strings.Contains(fe.Problem, tt.problemHas) {
				t.Errorf("problem %q does not mention %q", fe.Problem, tt.problemHas)
			}
		})
	}
}

// Easier and harder variations are real stretches: the link must name one,
// for the same body areas, with its safety text, and the links must lead
// somewhere rather than round in a circle.
func TestValidateProgressions(t *testing.T) {
	yes := func(string) bool { return true }
	// test-stretch: easier test-easier, harder test-harder.
	ladder := func() []Stretch {
		ss, _ := fixture()
		ss[0].HarderID = "test-harder"
		harder := ss[0]
		harder.ID, harder.Name, harder.Image, harder.EasierID, harder.HarderID = "test-harder", "Harder test stretch", ImagePath("test-harder"), "test-stretch", ""
		harder.Steps = slices.Clone(ss[0].Steps)
		harder.Targets = slices.Clone(ss[0].Targets)
		return append(ss, harder)
	}
	if err := Validate(ladder(), nil, yes); err != nil {
		t.Fatalf("ladder fixture is invalid: %v", err)
	}
	for _, tt := range []struct {
		name, id, field, problemHas string
		edit                        func(ss []Stretch)
	}{
		{"no easier variation", "test-stretch", "easierId", "is empty", func(ss []Stretch) { ss[0].EasierID, ss[1].HarderID, ss[2].EasierID = "", "", "" }},
		{"unknown easier", "test-stretch", "easierId", "unknown", func(ss []Stretch) { ss[0].EasierID = "made-up" }},
		{"unknown harder", "test-stretch", "harderId", "unknown", func(ss []Stretch) { ss[0].HarderID = "made-up" }},
		{"easier is itself", "test-stretch", "easierId", "itself", func(ss []Stretch) { ss[0].EasierID = "test-stretch" }},
		{"easier for other body areas", "test-stretch", "easierId", "targets", func(ss []Stretch) { ss[1].Targets = []string{TargetLowBack} }},
		{"harder for more body areas", "test-stretch", "harderId", "targets", func(ss []Stretch) { ss[2].Targets = []string{TargetHamstrings, TargetGlutes} }},
		{"easier lacks its stop signs", "test-stretch", "easierId", "stopIf", func(ss []Stretch) { ss[1].StopIf = "" }},
		{"harder lacks its feel", "test-stretch", "harderId", "feel", func(ss []Stretch) { ss[2].Feel = " " }},
		{"easier and harder the same", "test-stretch", "harderId", "same", func(ss []Stretch) { ss[0].HarderID = "test-easier" }},
		{"easier links go round", "test-easier", "easierId", "circle", func(ss []Stretch) { ss[1].EasierID = "test-harder"; ss[2].EasierID = "test-stretch" }},
		{"harder links go round", "test-harder", "harderId", "circle", func(ss []Stretch) { ss[2].HarderID = "test-easier" }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ss := ladder()
			tt.edit(ss)
			fe := assertFieldError(t, Validate(ss, nil, yes), "stretch", tt.id, tt.field)
			if !strings.Contains(fe.Problem, tt.problemHas) {
				t.Errorf("problem %q does not mention %q", fe.Problem, tt.problemHas)
			}
		})
	}
}

// Every stretch in the library offers an easier variation, unless it is the
// easiest of its kind, and each variation is a real entry with a picture.
func TestLibraryProgressions(t *testing.T) {
	easiest := map[string]bool{}
	for _, s := range Stretches() {
		easiest[s.EasierID] = true
	}
	for _, s := range Stretches() {
		if s.EasierID == "" && !easiest[s.ID] {
			t.Errorf("%s has no easier variation", s.ID)
		}
		for _, id := range []string{s.EasierID, s.HarderID} {
			if id == "" {
				continue
			}
			v, ok := StretchByID(id)
			if !ok {
				t.Errorf("%s links to unknown %s", s.ID, id)
				continue
			}
			if _, ok := Illustration(v.ID); !ok {
				t.Errorf("%s: variation %s has no picture", s.ID, id)
			}
		}
	}
}

func TestValidateNilHasImageUsesEmbedded(t *testing.T) {
	ss, rs := fixture() // "test-stretch" has no embedded illustration
	assertFieldError(t, Validate(ss, rs, nil), "stretch", "test-stretch", "image")
}

// assertFieldError fails t unless err holds a *FieldError for kind, id and
// field whose message names both, and returns it.
func assertFieldError(t *testing.T, err error, kind, id, field string) *FieldError {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s %q field %s rejected", kind, id, field)
	}
	var all []error
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		all = j.Unwrap()
	} else {
		all = []error{err}
	}
	i := slices.IndexFunc(all, func(e error) bool {
		var fe *FieldError
		return errors.As(e, &fe) && fe.Kind == kind && fe.ID == id && fe.Field == field
	})
	if i < 0 {
		t.Fatalf("want %s %q field %s rejected, got:\n%v", kind, id, field, err)
	}
	var fe *FieldError
	errors.As(all[i], &fe)
	if msg := fe.Error(); !strings.Contains(msg, id) || !strings.Contains(msg, field) {
		t.Errorf("message %q does not name %q and %q", msg, id, field)
	}
	return fe
}

func wellFormed(b []byte) error {
	d := xml.NewDecoder(bytes.NewReader(b))
	for {
		if _, err := d.Token(); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// A redrawn picture gets a new URL, so phones that keep pictures for offline
// use fetch it instead of showing the old one for ever.
func TestImageURLCarriesThePicturesVersion(t *testing.T) {
	for _, s := range Stretches() {
		for i, name := range pictureNames(s) {
			b, _ := Illustration(name)
			sum := sha256.Sum256(b)
			want := "/img/stretches/" + name + ".svg?v=" + hex.EncodeToString(sum[:5])
			if got := []string{s.Image, s.ImageOther}[i]; got != want {
				t.Errorf("%s: url %q, want %q", name, got, want)
			}
		}
	}
	if ImageURL("no-such-stretch") != "/img/stretches/no-such-stretch.svg" {
		t.Error("a picture that does not exist has a version")
	}
}
