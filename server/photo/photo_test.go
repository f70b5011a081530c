package photo

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/photo/phototest"
)

func process(t *testing.T, data []byte) (Photo, error) {
	t.Helper()
	return NewProcessor(1).Process(context.Background(), data)
}

// jpegSegments lists the markers of a JPEG's segments before its first scan.
func jpegSegments(t *testing.T, data []byte) []byte {
	t.Helper()
	var markers []byte
	for i := 2; i+4 <= len(data); {
		if data[i] != 0xFF {
			t.Fatalf("no marker at %d", i)
		}
		m := data[i+1]
		markers = append(markers, m)
		if m == 0xDA {
			break
		}
		i += 2 + int(binary.BigEndian.Uint16(data[i+2:]))
	}
	return markers
}

func TestEXIFAndGPSAreGone(t *testing.T) {
	in := phototest.JPEGWithEXIF(64, 48, 1)
	// The fixture really carries what a phone writes.
	for _, want := range [][]byte{[]byte("Exif\x00\x00"), phototest.GPSLatitude, []byte(phototest.CameraModel), []byte("taken at home")} {
		if !bytes.Contains(in, want) {
			t.Fatalf("fixture lacks %q", want)
		}
	}
	if info, err := Inspect(in); err != nil || info.Orientation != 1 {
		t.Fatalf("Inspect = %+v, %v; want orientation 1", info, err)
	}
	ph, err := process(t, in)
	if err != nil {
		t.Fatal(err)
	}
	if ph.Format != FormatJPEG || ph.ContentType() != "image/jpeg" || !strings.HasSuffix(ph.Name(), ".jpg") {
		t.Fatalf("format %s, name %s", ph.Format, ph.Name())
	}
	for _, gone := range [][]byte{[]byte("Exif"), phototest.GPSLatitude, []byte(phototest.CameraModel), []byte("taken at home")} {
		if bytes.Contains(ph.Data, gone) {
			t.Errorf("re-encoded picture still holds %q", gone)
		}
	}
	for _, m := range jpegSegments(t, ph.Data) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("re-encoded picture has an APP%d/COM segment (%#x)", m-0xE0, m)
		}
	}
	img, err := jpeg.Decode(bytes.NewReader(ph.Data))
	if err != nil || img.Bounds().Dx() != 64 || img.Bounds().Dy() != 48 {
		t.Fatalf("decoded %v, %v", img.Bounds(), err)
	}
}

func TestOrientationIsApplied(t *testing.T) {
	// TwoTone: left red, right blue. Orientation 6 means "turn 90° clockwise to show":
	// the left edge comes to the top.
	for _, c := range []struct {
		orientation int
		w, h        int
		redAt       image.Point // where red is after turning, in a 40×20 (or 20×40) picture
	}{
		{1, 40, 20, image.Pt(5, 10)},
		{3, 40, 20, image.Pt(35, 10)},
		{6, 20, 40, image.Pt(10, 5)},
		{8, 20, 40, image.Pt(10, 35)},
	} {
		ph, err := process(t, phototest.JPEGWithEXIF(40, 20, c.orientation))
		if err != nil {
			t.Fatal(err)
		}
		img, err := jpeg.Decode(bytes.NewReader(ph.Data))
		if err != nil {
			t.Fatal(err)
		}
		if b := img.Bounds(); b.Dx() != c.w || b.Dy() != c.h {
			t.Errorf("orientation %d: %d×%d, want %d×%d", c.orientation, b.Dx(), b.Dy(), c.w, c.h)
			continue
		}
		r, _, bl, _ := img.At(c.redAt.X, c.redAt.Y).RGBA()
		if r < bl {
			t.Errorf("orientation %d: not red at %v", c.orientation, c.redAt)
		}
	}
}

func TestLargePictureIsShrunk(t *testing.T) {
	ph, err := process(t, phototest.JPEG(phototest.TwoTone(3200, 1800)))
	if err != nil {
		t.Fatal(err)
	}
	if ph.Width != MaxOutputSide || ph.Height != 900 {
		t.Fatalf("%d×%d, want %d×900", ph.Width, ph.Height, MaxOutputSide)
	}
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(ph.Data))
	if err != nil || cfg.Width != 1600 || cfg.Height != 900 {
		t.Fatalf("stored file is %d×%d (%v)", cfg.Width, cfg.Height, err)
	}
}

func TestTransparencyKeepsPNG(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 20, 20))
	img.Set(3, 3, color.NRGBA{R: 255, A: 128})
	ph, err := process(t, phototest.PNG(img))
	if err != nil {
		t.Fatal(err)
	}
	if ph.Format != FormatPNG || ph.ContentType() != "image/png" || FormatOf(ph.Data) != FormatPNG {
		t.Fatalf("format %s", ph.Format)
	}
	out, err := png.Decode(bytes.NewReader(ph.Data))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, _, a := out.At(0, 0).RGBA(); a != 0 {
		t.Errorf("transparent pixel has alpha %d", a)
	}
	// An opaque PNG becomes a JPEG.
	ph, err = process(t, phototest.PNG(phototest.TwoTone(20, 20)))
	if err != nil || ph.Format != FormatJPEG || FormatOf(ph.Data) != FormatJPEG {
		t.Fatalf("opaque PNG: %s, %v", ph.Format, err)
	}
}

func TestWebP(t *testing.T) {
	for name, want := range map[string]string{
		"testdata/blue-purple-pink.lossy.webp":         FormatJPEG,
		"testdata/gopher-doc.with-alpha.lossless.webp": FormatPNG,
	} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		ph, err := process(t, data)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ph.Format != want {
			t.Errorf("%s: stored as %s, want %s", name, ph.Format, want)
		}
	}
}

func TestHostileFilesAreRefused(t *testing.T) {
	jpg := phototest.JPEG(phototest.TwoTone(64, 64))
	pngData := phototest.PNG(phototest.TwoTone(64, 64))
	webp, err := os.ReadFile("testdata/blue-purple-pink.lossy.webp")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		data    []byte
		want    error
		mention string
	}{
		{"empty", nil, ErrUnsupported, "empty"},
		{"too large a file", append(bytes.Clone(jpg), make([]byte, MaxUploadBytes)...), ErrTooLarge, "8 MB"},
		{"PNG bomb 100000×100000", phototest.PNGBomb(100_000, 100_000), ErrDimensions, "12000 pixels a side"},
		{"PNG bomb 10000×10000", phototest.PNGBomb(10_000, 10_000), ErrDimensions, "megapixels"},
		{"JPEG declaring 65000×65000", phototest.JPEGHugeDims(65_000, 65_000), ErrDimensions, "a side"},
		{"JPEG declaring 9000×9000", phototest.JPEGHugeDims(9000, 9000), ErrDimensions, "megapixels"},
		{"truncated JPEG", jpg[:len(jpg)/2], ErrUnreadable, "incomplete"},
		{"truncated PNG", pngData[:len(pngData)-20], ErrUnreadable, "incomplete"},
		{"truncated WebP", webp[:len(webp)-100], ErrUnreadable, "incomplete"},
		{"JPEG + ZIP polyglot", phototest.JPEGThenZIP(), ErrUnreadable, "other data"},
		{"PNG + trailing script", append(bytes.Clone(pngData), "<script>alert(1)</script>"...), ErrUnreadable, "other data"},
		{"WebP + trailing data", append(bytes.Clone(webp), "PK\x03\x04rest"...), ErrUnreadable, "other data"},
		{"HTML holding a JPEG", phototest.HTMLWithJPEG(), ErrUnsupported, "text/html"},
		{"GIF", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), ErrUnsupported, "image/gif"},
		{"SVG", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), ErrUnsupported, "not a JPEG"},
		{"PNG magic, then a page", append(bytes.Clone(pngMagic), "<html><script>alert(1)</script></html>"...), ErrUnreadable, ""},
		{"JPEG magic, then nothing", []byte{0xFF, 0xD8, 0xFF}, ErrUnreadable, ""},
	} {
		_, err := process(t, c.data)
		var re *RefusedError
		if !errors.Is(err, c.want) || !errors.As(err, &re) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %q does not mention %q", c.name, err, c.mention)
		}
	}
}

func TestSixteenBitPNGBoundByMemory(t *testing.T) {
	// 5000×5000 is 25 megapixels, allowed at 8 bits; at 16 bits a channel it
	// would take 200 MB decoded.
	cfg := image.Config{ColorModel: color.NRGBA64Model, Width: 5000, Height: 5000}
	if err := checkSize(cfg); !errors.Is(err, ErrDimensions) {
		t.Fatalf("16-bit 25 MP: %v", err)
	}
	cfg.ColorModel = color.NRGBAModel
	if err := checkSize(cfg); err != nil {
		t.Fatalf("8-bit 25 MP: %v", err)
	}
}

func TestBusyDecoderRefuses(t *testing.T) {
	p := NewProcessor(1)
	p.Wait = 20 * time.Millisecond
	p.slots <- struct{}{} // another decode holds the only slot
	_, err := p.Process(context.Background(), phototest.JPEG(phototest.TwoTone(8, 8)))
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("%v, want ErrBusy", err)
	}
	<-p.slots
	if _, err := p.Process(context.Background(), phototest.JPEG(phototest.TwoTone(8, 8))); err != nil {
		t.Fatal(err)
	}
}

func TestExifOrientationMalformed(t *testing.T) {
	for _, tiff := range [][]byte{
		nil, []byte("MM\x00*"), []byte("MM\x00*\xff\xff\xff\xff"), []byte("II*\x00\x08\x00\x00\x00\xff\xff"),
	} {
		if o := exifOrientation(tiff); o != 0 {
			t.Errorf("%q: %d", tiff, o)
		}
	}
}
