package photo

import (
	"image"

	"golang.org/x/image/draw"
)

// shrink resamples src into dst, which is no larger in either direction, by
// area averaging: each output pixel is the mean of the source area it covers,
// partly covered pixels weighted by their share. That is the filter that
// does not alias on large reductions, and it streams: src is read one row at
// a time (converted through draw.Draw's fast paths), so beyond dst it needs
// memory for a few rows only. x/image/draw's kernel scalers keep a float64
// buffer of dst's width × src's height (150 MB for a 12-megapixel photo).
// Values are premultiplied RGBA, so transparent pixels do not darken edges.
func shrink(dst *image.RGBA, src image.Image) {
	sb := src.Bounds()
	sw, sh := sb.Dx(), sb.Dy()
	dw, dh := dst.Bounds().Dx(), dst.Bounds().Dy()
	cols := areaWeights(sw, dw)
	row := image.NewRGBA(image.Rect(0, 0, sw, 1))
	hrow := make([]float32, 4*dw)
	acc := make([]float32, 4*dw)
	scaleY := float64(sh) / float64(dh)
	y := 0
	for j := 0; j < sh && y < dh; j++ {
		draw.Draw(row, row.Bounds(), src, image.Pt(sb.Min.X, sb.Min.Y+j), draw.Src)
		for x, c := range cols {
			var r, g, b, a float32
			for k, w := range c.weights {
				p := row.Pix[4*(c.first+k):]
				r += w * float32(p[0])
				g += w * float32(p[1])
				b += w * float32(p[2])
				a += w * float32(p[3])
			}
			hrow[4*x], hrow[4*x+1], hrow[4*x+2], hrow[4*x+3] = r, g, b, a
		}
		// Source row j spans [j, j+1); output row y spans [y·scaleY, (y+1)·scaleY).
		top, bottom := float64(j), float64(j+1)
		for top < bottom && y < dh {
			end := float64(y+1) * scaleY
			part := float32(min(bottom, end) - top)
			for i, v := range hrow {
				acc[i] += part * v
			}
			top += float64(part)
			if top >= end-1e-9 {
				out := dst.Pix[dst.PixOffset(0, y):]
				inv := float32(1 / scaleY)
				for i, v := range acc {
					out[i] = clamp8(v * inv)
					acc[i] = 0
				}
				y++
			}
		}
	}
}

// column is the source pixels one output column averages, from first on.
type column struct {
	first   int
	weights []float32 // sum to 1
}

// areaWeights gives each of n output columns its share of the m source columns.
func areaWeights(m, n int) []column {
	scale := float64(m) / float64(n)
	cols := make([]column, n)
	for x := range cols {
		start, end := float64(x)*scale, float64(x+1)*scale
		first := int(start)
		c := column{first: first}
		for i := first; i < m && float64(i) < end; i++ {
			lo, hi := max(start, float64(i)), min(end, float64(i+1))
			c.weights = append(c.weights, float32(max(hi-lo, 0)/scale))
		}
		cols[x] = c
	}
	return cols
}

func clamp8(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}
