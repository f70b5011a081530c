package photo

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"net/http"
)

var (
	jpegMagic = []byte{0xFF, 0xD8, 0xFF}
	pngMagic  = []byte("\x89PNG\r\n\x1a\n")
)

// Info is what Inspect learns of a file without decoding its pixels.
type Info struct {
	Format        string // "jpeg", "png" or "webp": the file's own type
	Width, Height int    // as the file declares them
	// Orientation is the JPEG's EXIF orientation (1–8), or 0 when it has none.
	Orientation int
}

// Inspect checks a file without decoding its pixels: its size; its type,
// sniffed from the bytes by http.DetectContentType and by magic bytes, which
// must agree; its structure (segments or chunks whole and in bounds, and
// nothing after the end of the picture but zero padding, so a picture that
// is also an archive or a page is refused); and the width and height it
// declares (image.DecodeConfig) against MaxSide, MaxPixels and
// MaxDecodedBytes. A refusal is a *RefusedError.
func Inspect(data []byte) (Info, error) {
	if len(data) == 0 {
		return Info{}, refuse(ErrUnsupported, "the file is empty: send a JPEG, PNG or WebP picture")
	}
	if len(data) > MaxUploadBytes {
		return Info{}, refuse(ErrTooLarge, "the picture is larger than %d MB", MaxUploadBytes>>20)
	}
	var info Info
	switch sniffed := http.DetectContentType(data); {
	case bytes.HasPrefix(data, jpegMagic) && sniffed == "image/jpeg":
		info.Format = "jpeg"
	case bytes.HasPrefix(data, pngMagic) && sniffed == "image/png":
		info.Format = "png"
	case isWebP(data) && sniffed == "image/webp":
		info.Format = "webp"
	default:
		return Info{}, refuse(ErrUnsupported, "this file is not a JPEG, PNG or WebP picture (it looks like %s)", sniffed)
	}
	var err error
	switch info.Format {
	case "jpeg":
		info.Orientation, err = walkJPEG(data)
	case "png":
		err = walkPNG(data)
	case "webp":
		err = walkWebP(data)
	}
	if err != nil {
		return Info{}, err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Info{}, refuse(ErrUnreadable, "the picture's header could not be read (%v): it may be damaged", err)
	}
	if format != info.Format {
		return Info{}, refuse(ErrUnsupported, "the file starts as %s but decodes as %s", info.Format, format)
	}
	info.Width, info.Height = cfg.Width, cfg.Height
	if err := checkSize(cfg); err != nil {
		return Info{}, err
	}
	return info, nil
}

// checkSize holds a declared size against the limits, before anything is decoded.
func checkSize(cfg image.Config) error {
	w, h := int64(cfg.Width), int64(cfg.Height)
	switch {
	case w <= 0 || h <= 0:
		return refuse(ErrUnreadable, "the picture declares no size: it may be damaged")
	case w > MaxSide || h > MaxSide:
		return refuse(ErrDimensions, "the picture is %d × %d pixels: at most %d pixels a side are accepted", w, h, MaxSide)
	case w*h > MaxPixels:
		return refuse(ErrDimensions, "the picture has %.1f megapixels: at most %d are accepted", float64(w*h)/1e6, MaxPixels/1_000_000)
	case w*h*bytesPerPixel(cfg.ColorModel) > MaxDecodedBytes:
		return refuse(ErrDimensions, "the picture is %d × %d pixels at 16 bits a channel: too large to decode, save it at 8 bits or smaller", w, h)
	}
	return nil
}

// bytesPerPixel is how much memory one decoded pixel takes in the colour model.
func bytesPerPixel(m color.Model) int64 {
	switch m {
	case color.GrayModel, color.AlphaModel:
		return 1
	case color.Gray16Model, color.Alpha16Model:
		return 2
	case color.YCbCrModel:
		return 3 // 4:4:4 at worst
	case color.NYCbCrAModel:
		return 4
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	if _, ok := m.(color.Palette); ok {
		return 1
	}
	return 4 // RGBA, NRGBA, CMYK
}

// trailing reports whether rest holds anything but zero padding.
func trailing(rest []byte) bool {
	for _, c := range rest {
		if c != 0 {
			return true
		}
	}
	return false
}

func truncated() error {
	return refuse(ErrUnreadable, "the picture is incomplete (the file was cut short)")
}

func extraData() error {
	return refuse(ErrUnreadable, "the file carries other data after the picture: save the picture again (or take a screenshot of it) and send that")
}

// walkJPEG follows a JPEG's segments from SOI to EOI, through the
// entropy-coded data after each SOS, and returns the EXIF orientation.
func walkJPEG(data []byte) (orientation int, err error) {
	n := len(data)
	i := 2
	for {
		if i >= n || data[i] != 0xFF {
			if i >= n {
				return 0, truncated()
			}
			return 0, refuse(ErrUnreadable, "the picture's structure is damaged (no marker at byte %d)", i)
		}
		for i < n && data[i] == 0xFF { // fill bytes
			i++
		}
		if i >= n {
			return 0, truncated()
		}
		marker := data[i]
		i++
		switch {
		case marker == 0xD9: // EOI
			if trailing(data[i:]) {
				return 0, extraData()
			}
			return orientation, nil
		case marker >= 0xD0 && marker <= 0xD7, marker == 0x01: // no length
			continue
		case marker == 0xD8 || marker == 0x00:
			return 0, refuse(ErrUnreadable, "the picture's structure is damaged (marker %#x at byte %d)", marker, i-1)
		}
		if i+2 > n {
			return 0, truncated()
		}
		size := int(binary.BigEndian.Uint16(data[i:]))
		if size < 2 || i+size > n {
			return 0, truncated()
		}
		seg := data[i+2 : i+size]
		if marker == 0xE1 && orientation == 0 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			orientation = exifOrientation(seg[6:])
		}
		i += size
		if marker != 0xDA { // not SOS
			continue
		}
		// Entropy-coded data runs to the next marker that is not a stuffed
		// 0xFF00 or a restart marker.
		for {
			j := bytes.IndexByte(data[i:], 0xFF)
			if j < 0 || i+j+1 >= n {
				return 0, truncated()
			}
			i += j
			m := data[i+1]
			if m == 0x00 || (m >= 0xD0 && m <= 0xD7) {
				i += 2
				continue
			}
			if m == 0xFF {
				i++
				continue
			}
			break
		}
	}
}

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF-structured EXIF
// block; 0 when it is missing or malformed.
func exifOrientation(tiff []byte) int {
	if len(tiff) < 8 {
		return 0
	}
	var bo binary.ByteOrder
	switch string(tiff[:4]) {
	case "II*\x00":
		bo = binary.LittleEndian
	case "MM\x00*":
		bo = binary.BigEndian
	default:
		return 0
	}
	off := int64(bo.Uint32(tiff[4:]))
	if off < 8 || off+2 > int64(len(tiff)) {
		return 0
	}
	count := int64(bo.Uint16(tiff[off:]))
	for k := int64(0); k < count; k++ {
		e := off + 2 + 12*k
		if e+12 > int64(len(tiff)) {
			return 0
		}
		if bo.Uint16(tiff[e:]) != 0x0112 {
			continue
		}
		if typ := bo.Uint16(tiff[e+2:]); typ != 3 { // SHORT
			return 0
		}
		if v := int(bo.Uint16(tiff[e+8:])); v >= 1 && v <= 8 {
			return v
		}
		return 0
	}
	return 0
}

// walkPNG follows a PNG's chunks to IEND.
func walkPNG(data []byte) error {
	i := len(pngMagic)
	for first := true; ; first = false {
		if i+8 > len(data) {
			return truncated()
		}
		size := int64(binary.BigEndian.Uint32(data[i:]))
		typ := string(data[i+4 : i+8])
		if first && typ != "IHDR" {
			return refuse(ErrUnreadable, "the picture's structure is damaged (it does not start with a header)")
		}
		end := int64(i) + 12 + size // length, type, data, CRC
		if end > int64(len(data)) {
			return truncated()
		}
		i = int(end)
		if typ == "IEND" {
			if trailing(data[i:]) {
				return extraData()
			}
			return nil
		}
	}
}

func isWebP(data []byte) bool {
	return len(data) >= 12 && string(data[:4]) == "RIFF" && string(data[8:12]) == "WEBP"
}

// walkWebP checks the RIFF container's length against the file.
func walkWebP(data []byte) error {
	end := 8 + int64(binary.LittleEndian.Uint32(data[4:]))
	switch {
	case end > int64(len(data)):
		return truncated()
	case trailing(data[end:]):
		return extraData()
	}
	return nil
}
