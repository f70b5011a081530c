package photo

import "image"

// orient returns src turned as EXIF orientation o asks, so the picture
// stands upright once its metadata is gone; 0 and 1 leave it as it is.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Bounds().Dx(), src.Bounds().Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := 0; dy < dh; dy++ {
		for dx := 0; dx < dw; dx++ {
			var sx, sy int
			switch o {
			case 2: // mirrored
				sx, sy = w-1-dx, dy
			case 3: // upside down
				sx, sy = w-1-dx, h-1-dy
			case 4: // mirrored upside down
				sx, sy = dx, h-1-dy
			case 5: // mirrored, on its side
				sx, sy = dy, dx
			case 6: // turned: rotate 90° clockwise to show
				sx, sy = dy, h-1-dx
			case 7: // mirrored, on its other side
				sx, sy = w-1-dy, h-1-dx
			case 8: // turned: rotate 90° anticlockwise to show
				sx, sy = w-1-dy, dx
			}
			si := src.PixOffset(sx+src.Rect.Min.X, sy+src.Rect.Min.Y)
			di := dst.PixOffset(dx, dy)
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}
