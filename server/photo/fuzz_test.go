package photo

import (
	"errors"
	"os"
	"testing"

	"github.com/aftercare/aftercare/server/photo/phototest"
)

// FuzzInspect feeds arbitrary bytes to the sniffing and header path: it must
// never panic, refuse with a *RefusedError only, and whatever it accepts
// must declare a size within the limits.
func FuzzInspect(f *testing.F) {
	f.Add(phototest.JPEGWithEXIF(8, 8, 6))
	f.Add(phototest.PNG(phototest.TwoTone(4, 4)))
	f.Add(phototest.PNGBomb(100_000, 100_000))
	f.Add(phototest.JPEGHugeDims(65_000, 65_000))
	f.Add(phototest.JPEGThenZIP())
	if webp, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp"); err == nil {
		f.Add(webp)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := Inspect(data)
		if err != nil {
			var re *RefusedError
			if !errors.As(err, &re) {
				t.Fatalf("refusal %v is not a *RefusedError", err)
			}
			return
		}
		if info.Width <= 0 || info.Height <= 0 || info.Width > MaxSide || info.Height > MaxSide ||
			int64(info.Width)*int64(info.Height) > MaxPixels {
			t.Fatalf("accepted %d×%d", info.Width, info.Height)
		}
		if info.Orientation < 0 || info.Orientation > 8 {
			t.Fatalf("orientation %d", info.Orientation)
		}
	})
}
