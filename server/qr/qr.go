// Package qr draws a plan link as a QR code, in SVG or PNG, sized to scan
// from a phone held across a massage table.
package qr

import (
	"fmt"
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// Medium error correction (15 %) keeps the code coarse enough to scan from a
// metre away on a small screen while tolerating glare.
const level = qrcode.Medium

// SVG returns the code as a scalable SVG with a quiet zone; each module is one user unit.
func SVG(content string) ([]byte, error) {
	code, err := qrcode.New(content, level)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	bits := code.Bitmap() // includes the 4-module quiet zone
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges" role="img" aria-label="QR code of the plan link">`, n, n, n*8, n*8)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}

// PNG returns the code as a PNG of size×size pixels (clamped to 128–1024).
func PNG(content string, size int) ([]byte, error) {
	size = min(max(size, 128), 1024)
	png, err := qrcode.Encode(content, level, size)
	if err != nil {
		return nil, fmt.Errorf("encode QR: %w", err)
	}
	return png, nil
}
