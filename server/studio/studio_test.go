package studio

import (
	"bytes"
	"errors"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/model"
)

// The accent passes WCAG AA (4.5:1) against every colour it meets in both
// themes; a failing colour is darkened in the light theme and the owner told,
// one that passes is kept exactly.
func TestCheckAccentContrast(t *testing.T) {
	for _, tc := range []struct {
		in       string
		adjusted bool
		light    string // "" when only the checks matter
	}{
		{"#2f6f62", false, "#2f6f62"}, // the app's own
		{"#1D4FB8", false, "#1d4fb8"}, // upper case is read
		{"#000", false, "#000000"},
		{"#7fd3c0", true, ""}, // a pale mint: 1.7:1 on white
		{"#ffcc00", true, ""}, // yellow
		{"#ffffff", true, ""}, // white on white
		{"#e53935", true, ""}, // a bright red just short of 4.5:1
		{"#b00020", false, "#b00020"},
	} {
		a, err := CheckAccent(tc.in)
		if err != nil {
			t.Fatalf("%s: %v", tc.in, err)
		}
		if a.Adjusted != tc.adjusted || tc.light != "" && a.Light != tc.light {
			t.Errorf("%s: %+v, want adjusted %v light %q", tc.in, a, tc.adjusted, tc.light)
		}
		if tc.adjusted && (!strings.Contains(a.Message, a.Light) || !strings.Contains(a.Message, "4.5:1")) {
			t.Errorf("%s: message %q does not tell the owner what is used and why", tc.in, a.Message)
		}
		light, dark := mustHex(a.Light), mustHex(a.Dark)
		checks := []struct {
			what   string
			fg, bg string
			min    float64
		}{
			{"white label on the light button", LightOnAccent, a.Light, 4.5},
			{"light button edge on the page", a.Light, LightBackgrounds[0], 3},
			{"light button edge on a card", a.Light, LightBackgrounds[1], 3},
			{"light accent text on the page", a.LightText, LightBackgrounds[0], 4.5},
			{"light accent text on a card", a.LightText, LightBackgrounds[1], 4.5},
			{"light accent text on the soft accent", a.LightText, a.LightSoft, 4.5},
			{"dark label on the dark button", DarkOnAccent, a.Dark, 4.5},
			{"dark button edge on the page", a.Dark, DarkBackgrounds[0], 3},
			{"dark button edge on a card", a.Dark, DarkBackgrounds[1], 3},
			{"dark accent text on the page", a.DarkText, DarkBackgrounds[0], 4.5},
			{"dark accent text on a card", a.DarkText, DarkBackgrounds[1], 4.5},
			{"dark accent text on the soft accent", a.DarkText, a.DarkSoft, 4.5},
		}
		for _, c := range checks {
			if r := Contrast(mustHex(c.fg), mustHex(c.bg)); r < c.min {
				t.Errorf("%s: %s, %s on %s is %.2f:1, want %.1f:1", tc.in, c.what, c.fg, c.bg, r, c.min)
			}
		}
		_ = dark
		// Adjusting keeps the hue (greys have none).
		if h0, s0, _ := mustHex(strings.ToLower(expand(tc.in))).HSL(); s0 > 0.1 {
			if h1, _, _ := light.HSL(); abs(h1-h0) > 4 && abs(h1-h0) < 356 {
				t.Errorf("%s: hue moved from %.0f to %.0f", tc.in, h0, h1)
			}
		}
	}
	for _, bad := range []string{"", "2f6f62", "#2f6f6", "#gg0000", "red", "#2f6f62ff"} {
		if _, err := CheckAccent(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	// WCAG's own reference points.
	if c := Contrast(mustHex("#000000"), mustHex("#ffffff")); c < 20.99 || c > 21.01 {
		t.Errorf("black on white %.3f, want 21", c)
	}
	if c := Contrast(mustHex("#767676"), mustHex("#ffffff")); c < 4.5 || c > 4.6 {
		t.Errorf("#767676 on white %.3f, want 4.54", c)
	}
}

func expand(s string) string {
	c, _ := ParseHex(s)
	return c.Hex()
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}

// Settings are checked field by field: https booking links only, a phone
// number as people write it but bounded, names without bidi tricks.
func TestSettingsValidation(t *testing.T) {
	ok := Input{Name: " Harbour Massage ", Accent: "#2F6F62", BookingURL: "https://book.example.org/harbour?x=1",
		Phone: "+44 (0)20 7946-0018 ext 12", Address: "12 Quay Street, Bristol"}
	s, err := ok.Validate()
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "Harbour Massage" || s.Accent != "#2f6f62" || s.Phone != "+44 (0)20 7946-0018 ext 12" {
		t.Fatalf("cleaned: %+v", s)
	}
	if got := TelURI(s.Phone); got != "tel:+4402079460018;ext=12" {
		t.Errorf("tel: %q", got)
	}
	if s, err := (Input{}).Validate(); err != nil || s != (Settings{}) {
		t.Errorf("all empty: %+v %v", s, err)
	}
	for field, bad := range map[string][]Input{
		"bookingUrl": {
			{BookingURL: "http://book.example.org/"}, {BookingURL: "javascript:alert(1)"}, {BookingURL: "https://"},
			{BookingURL: "book.example.org"}, {BookingURL: "https://user:pw@book.example.org/"},
			{BookingURL: "https://book.example.org/a b"}, {BookingURL: "https://x.org/" + strings.Repeat("a", 500)},
			{BookingURL: "data:text/html,hi"}, {BookingURL: "//book.example.org/"},
		},
		"phone": {
			{Phone: "12"}, {Phone: "+1 " + strings.Repeat("5", 21)}, {Phone: "call me"}, {Phone: "555-CALL-NOW"},
			{Phone: "1+2345"}, {Phone: "<script>"}, {Phone: strings.Repeat("1 ", 17)},
		},
		"name": {
			{Name: "Harbour\u202eegassaM"}, {Name: strings.Repeat("x", 81)}, {Name: "Two\nlines"}, {Name: "bell\a"},
		},
		"address": {{Address: strings.Repeat("x", 161)}, {Address: "a\u2066b"}},
		"accent":  {{Accent: "teal"}, {Accent: "#12345"}},
	} {
		for _, in := range bad {
			_, err := in.Validate()
			var coded *model.Error
			if !errors.As(err, &coded) || coded.Code != model.Invalid || coded.Field != field {
				t.Errorf("%+v: %v, want a 400 naming %s", in, err, field)
			}
		}
	}
}

func disc(w, h int) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/2), float64(y-h/2)
			if dx*dx+dy*dy < float64(min(w, h)*min(w, h))/5 {
				img.Set(x, y, color.NRGBA{200, 30, 30, 255})
			}
		}
	}
	return img
}

// A logo too small for an icon, or too long and thin for one, is refused (the
// photo pipeline checks the file itself).
func TestCheckLogoShape(t *testing.T) {
	for _, ok := range [][2]int{{64, 64}, {300, 200}, {400, 100}, {100, 400}, {1600, 1600}} {
		if err := CheckLogoShape(ok[0], ok[1]); err != nil {
			t.Errorf("%v refused: %v", ok, err)
		}
	}
	for _, bad := range [][2]int{{32, 32}, {63, 200}, {1000, 100}, {100, 401}} {
		var coded *model.Error
		if err := CheckLogoShape(bad[0], bad[1]); !errors.As(err, &coded) || coded.Field != "logo" || coded.Code != model.Unprocessable {
			t.Errorf("%v: %v, want a 422 naming logo", bad, err)
		}
	}
}

// The icons are 192 and 512 pixels; the maskable one carries the logo inside
// the safe zone on the accent colour, corners included (launchers crop them).
func TestMakeLogoIcons(t *testing.T) {
	var img image.Image = disc(900, 600)
	logo, err := MakeLogo(img, "#1d4fb8")
	if err != nil {
		t.Fatal(err)
	}
	stored, err := DecodeStored(logo.PNG)
	if err != nil || stored.Bounds().Dx() != LogoSide || stored.Bounds().Dy() != 341 {
		t.Fatalf("stored logo %v %v, want 512×341", stored.Bounds(), err)
	}
	for name, side := range map[string]int{"icon-192.png": 192, "icon-512.png": 512, "maskable-512.png": 512} {
		icon, err := png.Decode(bytes.NewReader(logo.Icons[name]))
		if err != nil || icon.Bounds().Dx() != side || icon.Bounds().Dy() != side {
			t.Fatalf("%s: %v %v", name, icon.Bounds(), err)
		}
		r, g, b, _ := icon.At(side/2, side/2).RGBA()
		if r>>8 < 150 || g>>8 > 80 {
			t.Errorf("%s: centre is %d,%d,%d, not the logo's red", name, r>>8, g>>8, b>>8)
		}
	}
	mask, _ := png.Decode(bytes.NewReader(logo.Icons["maskable-512.png"]))
	for _, p := range []image.Point{{2, 2}, {509, 2}, {2, 509}, {509, 509}, {256, 40}, {40, 256}} {
		if c := color.RGBAModel.Convert(mask.At(p.X, p.Y)).(color.RGBA); c != (color.RGBA{0x1d, 0x4f, 0xb8, 255}) {
			t.Errorf("maskable at %v is %v, want the accent", p, c)
		}
	}
	// Outside the safe zone's circle (radius 40 %) nothing of the logo may reach.
	for y := range 512 {
		for x := range 512 {
			dx, dy := float64(x)-255.5, float64(y)-255.5
			if dx*dx+dy*dy > 0.4*512*0.4*512 {
				if c := color.RGBAModel.Convert(mask.At(x, y)).(color.RGBA); c != (color.RGBA{0x1d, 0x4f, 0xb8, 255}) {
					t.Fatalf("maskable at %d,%d is %v: the logo leaves the safe zone", x, y, c)
				}
			}
		}
	}
	if other, _ := MakeLogo(img, "#1d4fb8"); other.Version != logo.Version || len(logo.Version) != 12 {
		t.Errorf("version %q is not a stable digest", logo.Version)
	}
}
