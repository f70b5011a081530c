package server

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"testing"
)

// testLogo is a w×h PNG: a dark disc on a transparent ground.
func testLogo(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			dx, dy := float64(x-w/2), float64(y-h/2)
			if dx*dx+dy*dy < float64(min(w, h)*min(w, h))/5 {
				img.Set(x, y, color.NRGBA{20, 60, 120, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
