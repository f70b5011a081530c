package figure

import "math"

// V is a point or direction in centimetres: X along the floor (screen right in
// a side view), Y up, Z toward the viewer of a side view.
type V struct{ X, Y, Z float64 }

// Add returns v + w.
func (v V) Add(w V) V { return V{v.X + w.X, v.Y + w.Y, v.Z + w.Z} }

// Sub returns v − w.
func (v V) Sub(w V) V { return V{v.X - w.X, v.Y - w.Y, v.Z - w.Z} }

// Scale returns v·k.
func (v V) Scale(k float64) V { return V{v.X * k, v.Y * k, v.Z * k} }

// Dot is the scalar product.
func (v V) Dot(w V) float64 { return v.X*w.X + v.Y*w.Y + v.Z*w.Z }

// Cross is the vector product.
func (v V) Cross(w V) V {
	return V{v.Y*w.Z - v.Z*w.Y, v.Z*w.X - v.X*w.Z, v.X*w.Y - v.Y*w.X}
}

// Len is the length of v.
func (v V) Len() float64 { return math.Sqrt(v.Dot(v)) }

// Unit returns v scaled to length 1 (the zero vector stays zero).
func (v V) Unit() V {
	if l := v.Len(); l > 1e-9 {
		return v.Scale(1 / l)
	}
	return V{}
}

// Lerp goes from v (t=0) to w (t=1) in a straight line.
func (v V) Lerp(w V, t float64) V { return v.Add(w.Sub(v).Scale(t)) }

// Dir is the unit vector pointing the way of (x, y, z): a readable way to
// write a bone's direction, e.g. Dir(1, 1, 0) for forward and up at 45°.
func Dir(x, y, z float64) V { return V{x, y, z}.Unit() }

// Deg returns the unit vector at angle a degrees in the side-view plane:
// 0 = +X (screen right), 90 = up, 180 = screen left, 270 = down; z tilts it
// toward the viewer (+) or away (−) before normalising.
func Deg(a, z float64) V {
	r := a * math.Pi / 180
	return V{math.Cos(r), math.Sin(r), z}.Unit()
}

// slerp turns unit vector a toward unit vector b by fraction t along the
// shorter arc, so a bone keeps its length while it moves.
func slerp(a, b V, t float64) V {
	dot := math.Max(-1, math.Min(1, a.Dot(b)))
	theta := math.Acos(dot)
	if theta < 1e-4 {
		return a.Lerp(b, t).Unit()
	}
	s := math.Sin(theta)
	return a.Scale(math.Sin((1-t)*theta) / s).Add(b.Scale(math.Sin(t*theta) / s))
}
