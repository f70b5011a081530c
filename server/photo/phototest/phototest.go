// Package phototest makes the pictures the photo pipeline's tests need:
// real photographs' traits (EXIF with a GPS position and an orientation) and
// hostile files (declared sizes far beyond the limits, truncation, polyglots).
package phototest

import (
	"archive/zip"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
)

// GPS is the position written into JPEGWithEXIF, as its EXIF stores it; a
// file that still holds these bytes still tells where it was taken.
var (
	GPSLatitudeRef = []byte("N\x00")
	// GPSLatitude is 52° 31' 12.3456" as three unsigned rationals (big-endian).
	GPSLatitude = []byte{0, 0, 0, 52, 0, 0, 0, 1, 0, 0, 0, 31, 0, 0, 0, 1, 0, 0x01, 0xE2, 0x40, 0, 0, 0x27, 0x10}
	// CameraModel is written as the EXIF Model tag.
	CameraModel = "PhotoTest Camera 3000"
)

// TwoTone is a w×h picture whose left half is red and right half blue, so a
// test can tell how it was turned.
func TwoTone(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			c := color.RGBA{R: 220, G: 30, B: 30, A: 255}
			if x >= w/2 {
				c = color.RGBA{R: 30, G: 30, B: 220, A: 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// JPEG encodes img as a plain JPEG.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// PNG encodes img as a PNG.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEGWithEXIF is a w×h TwoTone JPEG carrying an APP1 EXIF block with the
// camera model, the given orientation (1–8) and a GPS position (GPSLatitude,
// GPSLatitudeRef), as a phone writes them, plus a COM comment.
func JPEGWithEXIF(w, h, orientation int) []byte {
	plain := JPEG(TwoTone(w, h))
	return InsertAfterSOI(plain, app1EXIF(orientation), comment("taken at home"))
}

// InsertAfterSOI puts segments (each starting with its marker) right after a
// JPEG's start-of-image marker.
func InsertAfterSOI(jpg []byte, segments ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segments {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func comment(text string) []byte {
	seg := []byte{0xFF, 0xFE, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(text)+2))
	return append(seg, text...)
}

// app1EXIF builds "Exif\0\0" + a big-endian TIFF: IFD0 with Model,
// Orientation and a GPS IFD pointer; the GPS IFD with latitude and its ref.
func app1EXIF(orientation int) []byte {
	be := binary.BigEndian
	model := append([]byte(CameraModel), 0)
	// Layout: header(8) | IFD0: 2 + 3*12 + 4 = 42 | GPS IFD: 2 + 2*12 + 4 = 30 | model | latitude.
	const ifd0 = 8
	const gpsIFD = ifd0 + 42
	modelAt := gpsIFD + 30
	latAt := modelAt + len(model)
	tiff := make([]byte, latAt+len(GPSLatitude))
	copy(tiff, "MM\x00*")
	be.PutUint32(tiff[4:], ifd0)
	entry := func(at int, tag, typ uint16, count, value uint32) {
		be.PutUint16(tiff[at:], tag)
		be.PutUint16(tiff[at+2:], typ)
		be.PutUint32(tiff[at+4:], count)
		be.PutUint32(tiff[at+8:], value)
	}
	be.PutUint16(tiff[ifd0:], 3)
	entry(ifd0+2, 0x0110, 2, uint32(len(model)), uint32(modelAt)) // Model, ASCII
	entry(ifd0+14, 0x0112, 3, 1, uint32(orientation)<<16)         // Orientation, SHORT (left-justified)
	entry(ifd0+26, 0x8825, 4, 1, gpsIFD)                          // GPS IFD pointer
	be.PutUint16(tiff[gpsIFD:], 2)
	entry(gpsIFD+2, 0x0001, 2, 2, uint32(be.Uint16(GPSLatitudeRef))<<16) // GPSLatitudeRef "N\0", inline
	entry(gpsIFD+14, 0x0002, 5, 3, uint32(latAt))                        // GPSLatitude, 3 RATIONAL
	copy(tiff[modelAt:], model)
	copy(tiff[latAt:], GPSLatitude)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// PNGBomb is a PNG of a few hundred bytes whose header declares w×h pixels
// (e.g. 100,000 × 100,000: 40 GB of pixels once decoded).
func PNGBomb(w, h uint32) []byte {
	var out bytes.Buffer
	out.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr, w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6 // 8-bit RGBA
	writeChunk(&out, "IHDR", ihdr)
	// A zlib stream of zeros: the start of rows that would inflate to the declared size.
	var idat bytes.Buffer
	zw := zlib.NewWriter(&idat)
	_, _ = zw.Write(make([]byte, 64<<10))
	_ = zw.Close()
	writeChunk(&out, "IDAT", idat.Bytes())
	writeChunk(&out, "IEND", nil)
	return out.Bytes()
}

func writeChunk(w *bytes.Buffer, typ string, data []byte) {
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], uint32(len(data)))
	w.Write(n[:])
	w.WriteString(typ)
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write([]byte(typ))
	crc.Write(data)
	binary.BigEndian.PutUint32(n[:], crc.Sum32())
	w.Write(n[:])
}

// JPEGHugeDims is a small real JPEG whose frame header is rewritten to
// declare w×h pixels.
func JPEGHugeDims(w, h uint16) []byte {
	jpg := JPEG(TwoTone(16, 16))
	for i := 2; i+9 < len(jpg); {
		marker, size := jpg[i+1], int(binary.BigEndian.Uint16(jpg[i+2:]))
		if marker == 0xC0 || marker == 0xC2 { // SOF0 / SOF2: length, precision, height, width
			binary.BigEndian.PutUint16(jpg[i+5:], h)
			binary.BigEndian.PutUint16(jpg[i+7:], w)
			return jpg
		}
		i += 2 + size
	}
	panic("phototest: no frame header")
}

// JPEGThenZIP is a JPEG with a ZIP archive appended: a file that is both a
// picture and an archive (a "GIFAR"-style polyglot).
func JPEGThenZIP() []byte {
	var buf bytes.Buffer
	buf.Write(JPEG(TwoTone(32, 32)))
	zw := zip.NewWriter(&buf)
	f, err := zw.Create("payload.html")
	if err != nil {
		panic(err)
	}
	_, _ = f.Write([]byte(ZIPPayload))
	if err := zw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// ZIPPayload is the file inside JPEGThenZIP's archive.
const ZIPPayload = "<script>alert('polyglot')</script>"

// HTMLWithJPEG is a web page with a JPEG's bytes inside it.
func HTMLWithJPEG() []byte {
	return append([]byte("<!DOCTYPE html><html><body><script>alert(1)</script><!--"), JPEG(TwoTone(16, 16))...)
}
