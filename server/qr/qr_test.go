package qr

import (
	"bytes"
	"image/png"
	"strings"
	"testing"
)

func TestSVGIsASquareCodeWithQuietZone(t *testing.T) {
	svg, err := SVG("https://care.example.org/p/" + strings.Repeat("A", 32))
	if err != nil {
		t.Fatal(err)
	}
	s := string(svg)
	if !strings.HasPrefix(s, "<svg") || !strings.Contains(s, `viewBox="0 0 `) || !strings.HasSuffix(s, "</svg>") {
		t.Fatalf("not an svg: %.120s", s)
	}
	if strings.Contains(s, "<script") {
		t.Fatal("script in svg")
	}
}

func TestPNGDecodes(t *testing.T) {
	b, err := PNG("https://care.example.org/p/x", 10)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if img.Bounds().Dx() != 128 {
		t.Fatalf("size %d, want clamped to 128", img.Bounds().Dx())
	}
}
