package photo

import (
	"image"
	"image/color"
	"testing"
)

// A fine checkerboard shrunk by an odd ratio must come out an even grey: a
// resampler that picks pixels instead of averaging them shows moiré.
func TestShrinkDoesNotAlias(t *testing.T) {
	src := image.NewGray(image.Rect(0, 0, 3333, 2111))
	for y := 0; y < 2111; y++ {
		for x := 0; x < 3333; x++ {
			if (x+y)%2 == 0 {
				src.SetGray(x, y, color.Gray{255})
			}
		}
	}
	w, h := fit(3333, 2111, MaxOutputSide)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	shrink(dst, src)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if v := dst.RGBAAt(x, y).R; v < 110 || v > 146 {
				t.Fatalf("pixel (%d,%d) = %d, want about 128", x, y, v)
			}
		}
	}
}

func TestShrinkKeepsFlatColour(t *testing.T) {
	src := image.NewRGBA(image.Rect(0, 0, 1999, 1001))
	for i := 0; i < len(src.Pix); i += 4 {
		src.Pix[i], src.Pix[i+1], src.Pix[i+2], src.Pix[i+3] = 10, 200, 77, 255
	}
	dst := image.NewRGBA(image.Rect(0, 0, 1600, 801))
	shrink(dst, src)
	for i := 0; i < len(dst.Pix); i += 4 {
		if p := dst.Pix[i : i+4]; p[0] != 10 || p[1] != 200 || p[2] != 77 || p[3] != 255 {
			t.Fatalf("pixel %d = %v", i/4, p)
		}
	}
}
