// Package studio is the studio's identity as clients meet it: its settings
// (name, accent colour, booking link, phone, address), the accent checked
// against WCAG AA contrast in the app's light and dark themes, and the logo
// with the home-screen icons made from it. No HTTP, no storage.
package studio

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The client app's own colours (pwa/static/app/style.css) that the accent
// meets: backgrounds it is text on, and the text on it as a button.
var (
	LightBackgrounds = []string{"#fbf7f2", "#fffcf7"} // --bg, --surface
	LightOnAccent    = "#ffffff"                      // --on-primary
	DarkBackgrounds  = []string{"#1b1917", "#262320"}
	DarkOnAccent     = "#0e231d"
)

// DefaultAccent is the app's own accent (--primary), used when the studio sets none.
const DefaultAccent = "#2f6f62"

// WCAG 2 AA: text (links, labels on the accent) needs 4.5:1; the accent as
// a user-interface part (a button's edge, the tab bar's marker) 3:1.
const (
	MinContrast   = 4.5
	MinUIContrast = 3.0
)

// softMix is how much accent the app's soft accent backgrounds (badges, the
// accent card) hold over the page background.
const softMix = 0.14

// RGB is an sRGB colour, each channel 0–255.
type RGB struct{ R, G, B uint8 }

// ParseHex reads "#rrggbb" (or "#rgb"), case-insensitive.
func ParseHex(s string) (RGB, error) {
	s = strings.TrimSpace(s)
	h, ok := strings.CutPrefix(s, "#")
	if ok && len(h) == 3 {
		h = string([]byte{h[0], h[0], h[1], h[1], h[2], h[2]})
	}
	if !ok || len(h) != 6 {
		return RGB{}, fmt.Errorf("must be a colour as #rrggbb, e.g. #2f6f62")
	}
	v, err := strconv.ParseUint(h, 16, 32)
	if err != nil {
		return RGB{}, fmt.Errorf("must be a colour as #rrggbb, e.g. #2f6f62")
	}
	return RGB{uint8(v >> 16), uint8(v >> 8), uint8(v)}, nil
}

func mustHex(s string) RGB {
	c, err := ParseHex(s)
	if err != nil {
		panic(err)
	}
	return c
}

// Hex is "#rrggbb", lower case.
func (c RGB) Hex() string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// Luminance is WCAG 2's relative luminance.
func (c RGB) Luminance() float64 {
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(c.R) + 0.7152*lin(c.G) + 0.0722*lin(c.B)
}

// Contrast is WCAG 2's contrast ratio of a and b, from 1 to 21.
func Contrast(a, b RGB) float64 {
	la, lb := a.Luminance(), b.Luminance()
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

// Mix is a·t + b·(1−t), per channel.
func Mix(a, b RGB, t float64) RGB {
	m := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*t + float64(y)*(1-t))) }
	return RGB{m(a.R, b.R), m(a.G, b.G), m(a.B, b.B)}
}

// Accent is the studio's accent as the app uses it in each theme: the colour
// of buttons and markers (Light, Dark), of accent text on the page and on the
// soft accent background (LightText, DarkText), and that soft background.
type Accent struct {
	Light     string `json:"accent"`
	LightText string `json:"accentText"`
	LightSoft string `json:"accentSoft"`
	Dark      string `json:"accentDark"`
	DarkText  string `json:"accentDarkText"`
	DarkSoft  string `json:"accentDarkSoft"`
	// Adjusted is set when the owner's colour failed on the light theme and was
	// darkened (hue and saturation kept); Message tells the owner.
	Adjusted bool   `json:"adjusted"`
	Message  string `json:"message,omitempty"`
	// Contrast is the owner's colour's contrast with the white button label, when Adjusted.
	Contrast float64 `json:"contrast,omitempty"`
}

// theme is one of the app's colour schemes as the accent meets it.
type theme struct {
	backgrounds []RGB
	onAccent    RGB
	step        float64 // which way lightness moves to gain contrast
}

var (
	lightTheme = theme{[]RGB{mustHex(LightBackgrounds[0]), mustHex(LightBackgrounds[1])}, mustHex(LightOnAccent), -0.005}
	darkTheme  = theme{[]RGB{mustHex(DarkBackgrounds[0]), mustHex(DarkBackgrounds[1])}, mustHex(DarkOnAccent), +0.005}
)

// asButton is c's lowest contrast as a button: its label on it (text), and its
// edge against the page (a user-interface part), as a fraction of what each needs.
func (th theme) asButton(c RGB) float64 {
	low := Contrast(c, th.onAccent) / MinContrast
	for _, bg := range th.backgrounds {
		low = min(low, Contrast(c, bg)/MinUIContrast)
	}
	return low
}

// soft is the soft accent background made from c.
func (th theme) soft(c RGB) RGB { return Mix(c, th.backgrounds[0], softMix) }

// asText is text colour t's lowest contrast on the page and on soft, as a fraction of 4.5:1.
func (th theme) asText(t, soft RGB) float64 {
	low := Contrast(t, soft)
	for _, bg := range th.backgrounds {
		low = min(low, Contrast(t, bg))
	}
	return low / MinContrast
}

// until moves c's lightness in the theme's direction until ok(c) holds.
func (th theme) until(c RGB, ok func(RGB) bool) RGB {
	h, s, l := c.HSL()
	for !ok(c) && (th.step < 0 && l > 0 || th.step > 0 && l < 1) {
		l = min(1, max(0, l+th.step))
		c = FromHSL(h, s, l)
	}
	return c
}

// CheckAccent checks colour (#rrggbb) against WCAG AA in both themes. A colour
// too light as a button on the light theme is darkened until it passes, and
// the message says so; the text colours and the dark theme's companion are
// derived from it (darker for text, lighter on dark) until each passes.
func CheckAccent(colour string) (Accent, error) {
	c, err := ParseHex(colour)
	if err != nil {
		return Accent{}, err
	}
	var out Accent
	light := c
	if before := lightTheme.asButton(c); before < 1 {
		light = lightTheme.until(c, func(x RGB) bool { return lightTheme.asButton(x) >= 1 })
		out.Adjusted = true
		out.Contrast = math.Floor(Contrast(c, lightTheme.onAccent)*10) / 10
		out.Message = fmt.Sprintf("%s is too light for buttons on the app's light background (white text on it: %.1f:1; WCAG AA needs %.1f:1): clients see %s instead.",
			c.Hex(), out.Contrast, MinContrast, light.Hex())
	}
	dark := darkTheme.until(light, func(x RGB) bool { return darkTheme.asButton(x) >= 1 })
	for _, t := range []struct {
		th                 theme
		accent             RGB
		hex, text, softHex *string
	}{{lightTheme, light, &out.Light, &out.LightText, &out.LightSoft}, {darkTheme, dark, &out.Dark, &out.DarkText, &out.DarkSoft}} {
		soft := t.th.soft(t.accent)
		text := t.th.until(t.accent, func(x RGB) bool { return t.th.asText(x, soft) >= 1 })
		*t.hex, *t.text, *t.softHex = t.accent.Hex(), text.Hex(), soft.Hex()
	}
	return out, nil
}

// HSL is c as hue (0–360), saturation and lightness (0–1).
func (c RGB) HSL() (h, s, l float64) {
	r, g, b := float64(c.R)/255, float64(c.G)/255, float64(c.B)/255
	mx, mn := max(r, g, b), min(r, g, b)
	l = (mx + mn) / 2
	if mx == mn {
		return 0, 0, l
	}
	d := mx - mn
	if l > 0.5 {
		s = d / (2 - mx - mn)
	} else {
		s = d / (mx + mn)
	}
	switch mx {
	case r:
		h = (g - b) / d
		if g < b {
			h += 6
		}
	case g:
		h = (b-r)/d + 2
	default:
		h = (r-g)/d + 4
	}
	return h * 60, s, l
}

// FromHSL is the sRGB colour of hue h (degrees), saturation s and lightness l.
func FromHSL(h, s, l float64) RGB {
	if s == 0 {
		v := uint8(math.Round(l * 255))
		return RGB{v, v, v}
	}
	q := l * (1 + s)
	if l >= 0.5 {
		q = l + s - l*s
	}
	p := 2*l - q
	hue := func(t float64) float64 {
		t = math.Mod(t+1, 1)
		switch {
		case t < 1.0/6:
			return p + (q-p)*6*t
		case t < 0.5:
			return q
		case t < 2.0/3:
			return p + (q-p)*(2.0/3-t)*6
		}
		return p
	}
	k := h / 360
	ch := func(v float64) uint8 { return uint8(math.Round(math.Max(0, math.Min(1, v)) * 255)) }
	return RGB{ch(hue(k + 1.0/3)), ch(hue(k)), ch(hue(k - 1.0/3))}
}
