// Package photo turns an uploaded picture into one that is safe to keep and
// serve: the type is sniffed from the bytes (never taken from the request),
// the file's structure and declared size are checked before any pixel is
// decoded, and the picture is decoded, turned upright, shrunk and encoded
// afresh, so nothing of the original file survives but its pixels: no EXIF,
// no GPS position, no comments, no colour profile, no trailing payload.
package photo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"time"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp" // registers the WebP decoder with image.Decode
)

// Limits of the pipeline.
const (
	// MaxUploadBytes is the largest file accepted.
	MaxUploadBytes = 8 << 20
	// MaxSide is the longest side, in pixels, a file may declare.
	MaxSide = 12_000
	// MaxPixels is the most pixels a file may declare (40 megapixels).
	MaxPixels = 40_000_000
	// MaxDecodedBytes bounds the memory a decoded picture may take, from its
	// declared size and colour model: 40 megapixels at 8 bits per channel,
	// or fewer at 16.
	MaxDecodedBytes = 160_000_000
	// MaxOutputSide is the longest side of a stored picture.
	MaxOutputSide = 1600
	// JPEGQuality is the quality stored JPEGs are encoded with.
	JPEGQuality = 82
)

// Sentinel errors; every refusal wraps one of them in a *RefusedError whose
// message says what was wrong in words a therapist understands.
var (
	// ErrUnsupported: not a JPEG, PNG or WebP file (or it claims one type and is another).
	ErrUnsupported = errors.New("unsupported picture type")
	// ErrTooLarge: the file is larger than MaxUploadBytes.
	ErrTooLarge = errors.New("picture file too large")
	// ErrDimensions: the picture declares more pixels than the limits allow.
	ErrDimensions = errors.New("picture dimensions too large")
	// ErrUnreadable: the file is truncated, damaged or carries data after the picture.
	ErrUnreadable = errors.New("picture unreadable")
	// ErrBusy: other pictures are being decoded and none finished in time.
	ErrBusy = errors.New("busy decoding other pictures")
)

// RefusedError is a picture the pipeline will not take.
type RefusedError struct {
	Err    error  // one of the sentinels above
	Reason string // the whole message
}

func (e *RefusedError) Error() string { return e.Reason }
func (e *RefusedError) Unwrap() error { return e.Err }

func refuse(sentinel error, format string, args ...any) error {
	return &RefusedError{Err: sentinel, Reason: fmt.Sprintf(format, args...)}
}

// Formats a stored picture is encoded in.
const (
	FormatJPEG = "jpeg"
	FormatPNG  = "png"
)

// Photo is a re-encoded picture ready to store.
type Photo struct {
	Data          []byte
	Format        string // FormatJPEG, or FormatPNG for a picture with transparency
	Width, Height int
	Sum           [sha256.Size]byte // of Data
}

// Ext is the file name extension of p's format, without the dot.
func (p Photo) Ext() string { return Ext(p.Format) }

// Name is the file name the picture is served under: its content hash and extension.
func (p Photo) Name() string { return hex.EncodeToString(p.Sum[:]) + "." + p.Ext() }

// ContentType is the MIME type of p's format.
func (p Photo) ContentType() string { return ContentType(p.Format) }

// Ext is the file name extension of a stored format.
func Ext(format string) string {
	if format == FormatPNG {
		return "png"
	}
	return "jpg"
}

// ContentType is the MIME type of a stored format.
func ContentType(format string) string {
	if format == FormatPNG {
		return "image/png"
	}
	return "image/jpeg"
}

// FormatOf returns the stored format of data, a picture this package
// encoded, from its first bytes.
func FormatOf(data []byte) string {
	if bytes.HasPrefix(data, pngMagic) {
		return FormatPNG
	}
	return FormatJPEG
}

// Processor runs the pipeline with a bound on concurrent decodes: a decode
// may take up to MaxDecodedBytes of memory and a core for a second or two.
type Processor struct {
	slots chan struct{}
	// Wait is how long a picture waits for a free decoder before ErrBusy.
	Wait time.Duration
}

// NewProcessor returns a Processor that decodes at most concurrent pictures at once.
func NewProcessor(concurrent int) *Processor {
	return &Processor{slots: make(chan struct{}, max(concurrent, 1)), Wait: 20 * time.Second}
}

// Process checks data and, when it passes, decodes it, applies its EXIF
// orientation, shrinks it to at most MaxOutputSide a side and re-encodes it:
// as a JPEG of JPEGQuality, or as a PNG when it has transparency.
func (p *Processor) Process(ctx context.Context, data []byte) (Photo, error) {
	info, err := Inspect(data)
	if err != nil {
		return Photo{}, err
	}
	wait := time.NewTimer(p.Wait)
	defer wait.Stop()
	select {
	case p.slots <- struct{}{}:
	case <-wait.C:
		return Photo{}, refuse(ErrBusy, "the server is busy with other pictures: try again in a minute")
	case <-ctx.Done():
		return Photo{}, ctx.Err()
	}
	defer func() { <-p.slots }()
	return convert(data, info)
}

// convert decodes, orients, shrinks and encodes a picture Inspect passed.
func convert(data []byte, info Info) (Photo, error) {
	src, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		return Photo{}, refuse(ErrUnreadable, "the picture could not be read (%v): it may be damaged", err)
	}
	b := src.Bounds()
	if b.Dx() != info.Width || b.Dy() != info.Height {
		return Photo{}, refuse(ErrUnreadable, "the picture's size does not match its header: it may be damaged")
	}
	w, h := fit(b.Dx(), b.Dy(), MaxOutputSide)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if w == b.Dx() && h == b.Dy() {
		draw.Draw(dst, dst.Bounds(), src, b.Min, draw.Src)
	} else {
		shrink(dst, src)
	}
	out := orient(dst, info.Orientation)
	ph := Photo{Width: out.Bounds().Dx(), Height: out.Bounds().Dy(), Format: FormatJPEG}
	var buf bytes.Buffer
	if opaque(src) {
		err = jpeg.Encode(&buf, out, &jpeg.Options{Quality: JPEGQuality})
	} else {
		ph.Format = FormatPNG
		err = (&png.Encoder{CompressionLevel: png.DefaultCompression}).Encode(&buf, out)
	}
	if err != nil {
		return Photo{}, fmt.Errorf("encode picture: %w", err)
	}
	ph.Data = buf.Bytes()
	ph.Sum = sha256.Sum256(ph.Data)
	return ph, nil
}

// fit scales w×h down, keeping its shape, so neither side exceeds limit.
func fit(w, h, limit int) (int, int) {
	if w <= limit && h <= limit {
		return w, h
	}
	if w >= h {
		return limit, max(1, (h*limit+w/2)/w)
	}
	return max(1, (w*limit+h/2)/h), limit
}

// opaque reports whether img has no transparent or translucent pixel. Formats
// without alpha are opaque by their colour model.
func opaque(img image.Image) bool {
	switch img.ColorModel() {
	case color.YCbCrModel, color.GrayModel, color.Gray16Model, color.CMYKModel:
		return true
	}
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if _, _, _, a := img.At(x, y).RGBA(); a != 0xffff {
				return false
			}
		}
	}
	return true
}
