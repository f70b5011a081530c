package studio

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"

	"golang.org/x/image/draw"

	"github.com/aftercare/aftercare/server/model"
)

// Logo limits. The upload itself goes through the stretch photos' pipeline
// (package photo: the type sniffed, the declared size checked before any
// pixel is decoded, the picture re-encoded); a logo must also be square-ish.
const (
	MinLogoSide = 64
	// LogoSide bounds the stored logo (larger ones scaled down).
	LogoSide = 512
)

// Logo is the studio's logo, re-encoded, with the icons made from it.
type Logo struct {
	PNG []byte // at most LogoSide on its longer side
	// Icons by name: "icon-192.png", "icon-512.png", "maskable-512.png".
	Icons map[string][]byte
	// Version is a digest of PNG, for cache-busting URLs.
	Version string
}

// IconNames are the icons made from the logo, as served under /studio/.
var IconNames = []string{"icon-192.png", "icon-512.png", "maskable-512.png"}

// CheckLogoShape refuses a picture too small for an icon, or too long and thin for one.
func CheckLogoShape(w, h int) error {
	if w < MinLogoSide || h < MinLogoSide {
		return &model.Error{Code: model.Unprocessable, Field: "logo", Message: "must be at least 64 pixels wide and high"}
	}
	if w > 4*h || h > 4*w {
		return &model.Error{Code: model.Unprocessable, Field: "logo", Message: "must be at most four times as wide as high (or high as wide)"}
	}
	return nil
}

// DecodeStored decodes a logo this package encoded (MakeLogo's PNG).
func DecodeStored(data []byte) (image.Image, error) {
	return png.Decode(bytes.NewReader(data))
}

// MakeLogo re-encodes img (scaled to at most LogoSide) and makes the icons:
// 192 and 512 pixels with the logo centred on white, and a maskable 512 with
// the logo inside the safe zone (the middle 80 %, a circle's inscribed square)
// on the accent colour, which launchers crop to their own shape.
func MakeLogo(img image.Image, accent string) (Logo, error) {
	bg, err := ParseHex(accent)
	if err != nil {
		bg = mustHex(DefaultAccent)
	}
	b := img.Bounds()
	side := max(b.Dx(), b.Dy())
	scale := min(1, float64(LogoSide)/float64(side))
	stored := fit(img, int(float64(b.Dx())*scale+0.5), int(float64(b.Dy())*scale+0.5))
	out := Logo{Icons: map[string][]byte{}}
	if out.PNG, err = encodePNG(stored); err != nil {
		return out, err
	}
	white := color.RGBA{255, 255, 255, 255}
	accentRGBA := color.RGBA{bg.R, bg.G, bg.B, 255}
	for name, icon := range map[string]*image.RGBA{
		"icon-192.png": square(img, 192, 0.86, white),
		"icon-512.png": square(img, 512, 0.86, white),
		// The safe zone is a circle of 40 % radius: a square inside it spans 0.8/√2 ≈ 57 %.
		"maskable-512.png": square(img, 512, 0.56, accentRGBA),
	} {
		if out.Icons[name], err = encodePNG(icon); err != nil {
			return out, err
		}
	}
	sum := sha256.Sum256(out.PNG)
	out.Version = hex.EncodeToString(sum[:6])
	return out, nil
}

// fit scales img to w×h.
func fit(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, max(1, w), max(1, h)))
	draw.CatmullRom.Scale(dst, dst.Bounds(), img, img.Bounds(), draw.Over, nil)
	return dst
}

// square is a side×side icon on bg with img centred, its longer side span·side.
func square(img image.Image, side int, span float64, bg color.RGBA) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, side, side))
	draw.Draw(dst, dst.Bounds(), image.NewUniform(bg), image.Point{}, draw.Src)
	b := img.Bounds()
	box := span * float64(side)
	scale := box / float64(max(b.Dx(), b.Dy()))
	w, h := int(float64(b.Dx())*scale+0.5), int(float64(b.Dy())*scale+0.5)
	x, y := (side-w)/2, (side-h)/2
	draw.CatmullRom.Scale(dst, image.Rect(x, y, x+w, y+h), img, b, draw.Over, nil)
	return dst
}

func encodePNG(img image.Image) ([]byte, error) {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
