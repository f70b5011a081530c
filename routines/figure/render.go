package figure

import (
	"bytes"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Camera looks at the body: Yaw 0 and Pitch 0 is a side view from +Z (X to
// the right, Y up); Yaw turns the body about the vertical (degrees; negative
// brings +X toward the viewer, −90 looks along −X) and Pitch raises the eye to
// look down on it.
type Camera struct{ Yaw, Pitch float64 }

// p2 is a projected point: screen x, y (down) and depth (larger is nearer).
type p2 struct{ x, y, depth float64 }

func (c Camera) project(v V) p2 {
	yaw, pitch := c.Yaw*math.Pi/180, c.Pitch*math.Pi/180
	x := v.X*math.Cos(yaw) + v.Z*math.Sin(yaw)
	z := -v.X*math.Sin(yaw) + v.Z*math.Cos(yaw)
	up := v.Y*math.Cos(pitch) - z*math.Sin(pitch)
	return p2{x, -up, v.Y*math.Sin(pitch) + z*math.Cos(pitch)}
}

// Box is a plain prop: a floor mat, a chair's seat, a step. Min and Max are
// opposite corners; Class is "mat", "prop" or "floor".
type Box struct {
	Min, Max V
	Class    string
}

// Strap is a strap, belt or towel held between the hands and looped round a
// foot: its path is worked out from each keyframe.
type Strap struct {
	Through func(p Pose) []V
	Key     float64 // drawing order, like a limb's
}

// Limb names a group of parts for drawing order.
type Limb int

// Limbs and the trunk; a Picture's Order may move any of them.
const (
	FarLeg Limb = iota
	FarArm
	Trunk
	NearLeg
	NearArm
)

var defaultOrder = map[Limb]float64{FarLeg: -2, FarArm: -1, Trunk: 0, NearLeg: 2, NearArm: 3}

// Picture is one stretch drawn in its start and held positions.
type Picture struct {
	Title       string
	Camera      Camera
	Start, Held Pose
	Root        Joint // the joint that stays put between keyframes (default Pelvis)
	Boxes       []Box
	Straps      []Strap
	Muscles     []Muscle         // what should feel the stretch
	Order       map[Limb]float64 // drawing order overrides (default FarLeg −2 … NearArm 3)
	Labels      [2]string        // for the side-by-side view; default "Start", "Hold"
}

// A part of the body as drawn: a thick round-capped stroke through joints.
type bodyPart struct {
	limb   Limb
	joints []Joint
	radius float64
	class  string // width class
}

var bodyParts = func() []bodyPart {
	var ps []bodyPart
	for _, s := range []Side{Far, Near} {
		leg, arm := FarLeg, FarArm
		if s == Near {
			leg, arm = NearLeg, NearArm
		}
		ps = append(ps,
			bodyPart{leg, []Joint{s.Hip(), s.Knee()}, 7.5, "t"},
			bodyPart{leg, []Joint{s.Knee(), s.Ankle()}, 5.5, "c"},
			bodyPart{leg, []Joint{s.Ankle(), s.Toe()}, 3.25, "o"},
			bodyPart{arm, []Joint{s.Shoulder(), s.Elbow()}, 5, "u"},
			bodyPart{arm, []Joint{s.Elbow(), s.Wrist()}, 4, "w"},
			bodyPart{arm, []Joint{s.Wrist(), s.Hand()}, 3.25, "d"},
		)
	}
	return append(ps,
		bodyPart{Trunk, []Joint{Neck, Head}, 5, "k"},
		bodyPart{Trunk, []Joint{Head}, headRadius, "hd"},
		bodyPart{Trunk, []Joint{Nose}, 3, "no"},
	)
}()

// shape is one drawn element in one keyframe, in projected centimetres.
type shape struct {
	pts    []p2
	smooth bool // a closed outline drawn as a smooth curve
	poly   bool // a closed straight-edged outline
}

// drawable is one element of the picture: its class, drawing order and how to
// draw it from a keyframe.
type drawable struct {
	class string
	key   float64
	draw  func(f *keyframe) shape
}

// keyframe is a pose seen through the camera.
type keyframe struct {
	pose Pose
	cam  Camera
	at   [numJoints]p2
}

func newKeyframe(p Pose, c Camera) *keyframe {
	k := &keyframe{pose: p, cam: c}
	for i, v := range p.j {
		k.at[i] = c.project(v)
	}
	return k
}

func (pic Picture) order(l Limb) float64 {
	if k, ok := pic.Order[l]; ok {
		return k
	}
	return defaultOrder[l]
}

// drawables lists every element, back to front.
func (pic Picture) drawables() []drawable {
	var ds []drawable
	for _, b := range pic.Boxes {
		ds = append(ds, b.drawables(pic.Camera)...)
	}
	tone := map[Limb]string{FarLeg: "f", FarArm: "f", NearLeg: "n", NearArm: "n", Trunk: "e"}
	for i, bp := range bodyParts {
		bp := bp
		if tone[bp.limb] == "n" {
			// A near limb is cut out of whatever lies behind it by a thin
			// outline in the background colour, so crossing limbs stay apart.
			ds = append(ds, drawable{
				class: "x " + bp.class,
				key:   pic.order(bp.limb) - 0.001 + float64(i)*1e-6, // all of a limb's outline before the limb
				draw: func(f *keyframe) shape {
					s := shape{}
					for _, j := range bp.joints {
						s.pts = append(s.pts, f.at[j])
					}
					return s
				},
			})
		}
		ds = append(ds, drawable{
			class: tone[bp.limb] + " " + bp.class,
			key:   pic.order(bp.limb) + float64(i)*1e-4,
			draw: func(f *keyframe) shape {
				s := shape{}
				for _, j := range bp.joints {
					s.pts = append(s.pts, f.at[j])
				}
				return s
			},
		})
	}
	ds = append(ds,
		drawable{class: "b", key: pic.order(Trunk) - 0.02, draw: torso},
		drawable{class: "v", key: pic.order(Trunk) - 0.01, draw: hips},
	)
	for _, st := range pic.Straps {
		st := st
		ds = append(ds, drawable{class: "s", key: st.Key, draw: func(f *keyframe) shape {
			s := shape{}
			for _, v := range st.Through(f.pose) {
				s.pts = append(s.pts, f.cam.project(v))
			}
			return s
		}})
	}
	for _, m := range pic.Muscles {
		ds = append(ds, m.drawable(pic))
	}
	slices.SortStableFunc(ds, func(a, b drawable) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	return ds
}

// Trunk outlines: cross-sections (half-width, half-depth) along the spine.
type section struct {
	at, left     V
	halfW, halfD float64
}

func trunkSections(p Pose, top bool) []section {
	pf := p.pelvisFrame()
	chestLeft := p.j[Near.Shoulder()].Sub(p.j[Far.Shoulder()]).Unit()
	waistLeft := pf.left.Add(chestLeft).Unit()
	if pf.left.Dot(chestLeft) < 0 { // pelvisFrame may have flipped left
		waistLeft = pf.left.Sub(chestLeft).Unit()
	}
	bottom := p.j[Pelvis].Sub(pf.up.Scale(buttockDrop - 1))
	ss := []section{
		{at: bottom, left: pf.left, halfW: 13.5, halfD: 9},
		{at: p.j[Pelvis], left: pf.left, halfW: 17, halfD: 11},
	}
	if !top {
		return append(ss, section{at: p.j[Pelvis].Lerp(p.j[Waist], 0.6), left: pf.left, halfW: 15.5, halfD: 10.5})
	}
	return append(ss,
		section{at: p.j[Waist], left: waistLeft, halfW: 14.5, halfD: 10},
		section{at: p.j[Chest], left: chestLeft, halfW: 16.5, halfD: 11.5},
		section{at: p.j[Neck].Sub(p.j[Neck].Sub(p.j[Chest]).Unit().Scale(2)), left: chestLeft, halfW: 17, halfD: 8.5},
	)
}

func torso(f *keyframe) shape { return tube(f, trunkSections(f.pose, true), 0.45) }
func hips(f *keyframe) shape  { return tube(f, trunkSections(f.pose, false), 0.25) }

// tube outlines a trunk through its cross-sections as the camera sees it.
func tube(f *keyframe, ss []section, topCap float64) shape {
	n := len(ss)
	pts := make([]p2, n)
	for i, s := range ss {
		pts[i] = f.cam.project(s.at)
	}
	var leftSide, rightSide []p2
	var ends [2]p2
	for i, s := range ss {
		a, b := pts[max(i-1, 0)], pts[min(i+1, n-1)]
		tx, ty := b.x-a.x, b.y-a.y
		l := math.Hypot(tx, ty)
		if l < 1e-6 {
			tx, ty, l = 0, -1, 1
		}
		tx, ty = tx/l, ty/l
		nx, ny := -ty, tx
		// The cross-section is an ellipse across the spine; its projected
		// extent along the screen normal sets the outline's half-width here.
		along := ss[min(i+1, n-1)].at.Sub(ss[max(i-1, 0)].at).Unit()
		left := s.left.Sub(along.Scale(s.left.Dot(along))).Unit()
		front := left.Cross(along)
		lp, fp := f.cam.project(left), f.cam.project(front)
		o := f.cam.project(V{})
		el := (lp.x-o.x)*nx + (lp.y-o.y)*ny
		ef := (fp.x-o.x)*nx + (fp.y-o.y)*ny
		w := math.Hypot(s.halfW*el, s.halfD*ef)
		c := pts[i]
		leftSide = append(leftSide, p2{c.x + nx*w, c.y + ny*w, c.depth})
		rightSide = append(rightSide, p2{c.x - nx*w, c.y - ny*w, c.depth})
		if i == 0 {
			ends[0] = p2{c.x - tx*w*0.7, c.y - ty*w*0.7, c.depth}
		}
		if i == n-1 {
			ends[1] = p2{c.x + tx*w*topCap, c.y + ty*w*topCap, c.depth}
		}
	}
	out := []p2{ends[0]}
	out = append(out, leftSide...)
	out = append(out, ends[1])
	for i := n - 1; i >= 0; i-- {
		out = append(out, rightSide[i])
	}
	return shape{pts: out, smooth: true}
}

// drawables of a box: the faces that face the camera.
func (b Box) drawables(c Camera) []drawable {
	lo, hi := b.Min, b.Max
	corner := func(i int) V {
		v := lo
		if i&1 != 0 {
			v.X = hi.X
		}
		if i&2 != 0 {
			v.Y = hi.Y
		}
		if i&4 != 0 {
			v.Z = hi.Z
		}
		return v
	}
	faces := []struct {
		n V
		c [4]int
	}{
		{V{0, 1, 0}, [4]int{2, 3, 7, 6}},
		{V{0, -1, 0}, [4]int{0, 1, 5, 4}},
		{V{0, 0, 1}, [4]int{4, 5, 7, 6}},
		{V{0, 0, -1}, [4]int{0, 1, 3, 2}},
		{V{1, 0, 0}, [4]int{1, 3, 7, 5}},
		{V{-1, 0, 0}, [4]int{0, 2, 6, 4}},
	}
	eye := c.toward()
	class := map[string]string{"mat": "m", "prop": "q", "floor": "g"}[b.Class]
	var ds []drawable
	for _, fc := range faces {
		if fc.n.Dot(eye) <= 1e-6 {
			continue
		}
		fc := fc
		ds = append(ds, drawable{class: class, key: -10 + c.project(lo.Lerp(hi, 0.5)).depth*1e-3, draw: func(*keyframe) shape {
			s := shape{poly: true}
			for _, i := range fc.c {
				s.pts = append(s.pts, c.project(corner(i)))
			}
			return s
		}})
	}
	return ds
}

// toward is the direction from the scene to the camera.
func (c Camera) toward() V {
	yaw, pitch := c.Yaw*math.Pi/180, c.Pitch*math.Pi/180
	return V{-math.Sin(yaw) * math.Cos(pitch), math.Sin(pitch), math.Cos(yaw) * math.Cos(pitch)}
}

// Layout of the 320 × 200 picture.
const (
	width    = 320.0
	height   = 200.0
	margin   = 6.0
	maxScale = 1.5
)

// Timeline of the moving picture, in seconds: it eases out of the held position
// into the start one (a release between repeats), rests, then eases into the
// held position and stays there. A player seeks to StartAt (the SVG's
// data-start) to begin from the start position.
const (
	ReleaseSeconds = 1.2
	StartAt        = ReleaseSeconds
	restSeconds    = 0.8
	moveSeconds    = 2.5
	totalSeconds   = ReleaseSeconds + restSeconds + moveSeconds
)

// steps of the eased move between keyframes (smoothstep at quarter times).
var steps = []float64{0, 0.15625, 0.5, 0.84375, 1}

type rect struct{ x, y, w, h float64 }

type box2 struct{ x0, y0, x1, y1 float64 }

func (b *box2) add(x, y, r float64) {
	b.x0, b.y0 = math.Min(b.x0, x-r), math.Min(b.y0, y-r)
	b.x1, b.y1 = math.Max(b.x1, x+r), math.Max(b.y1, y+r)
}

// fit maps bb into cell, centred, mirrored on request.
func fit(bb box2, cell rect, mirror bool) (scale, tx, ty float64) {
	scale = math.Min(maxScale, math.Min((cell.w-2*margin)/(bb.x1-bb.x0), (cell.h-2*margin)/(bb.y1-bb.y0)))
	cx, cy := (bb.x0+bb.x1)/2, (bb.y0+bb.y1)/2
	ty = cell.y + cell.h/2 - scale*cy
	if mirror {
		return scale, cell.x + cell.w/2 + scale*cx, ty
	}
	return scale, cell.x + cell.w/2 - scale*cx, ty
}

// radius of each class's stroke, for the bounding box.
var strokeRadius = map[string]float64{}

func init() {
	for _, bp := range bodyParts {
		strokeRadius[bp.class] = bp.radius
	}
}

// SVG draws the picture: a moving figure, plus the start and held positions
// side by side for reduced motion and print. mirror draws the other side.
func (pic Picture) SVG(mirror bool) []byte {
	if pic.Root == 0 {
		pic.Root = Pelvis
	}
	labels := pic.Labels
	if labels[0] == "" {
		labels = [2]string{"Start", "Hold"}
	}
	if !pic.Start.nearIsLeft() {
		// The first picture shows the body's left side working: draw a pose
		// built with its right side near as its mirror image.
		mirror = !mirror
	}
	ds := pic.drawables()
	// Keyframes: the start, the eased in-betweens, the held position.
	frames := make([]*keyframe, len(steps))
	for i, t := range steps {
		frames[i] = newKeyframe(Tween(pic.Start, pic.Held, t, pic.Root), pic.Camera)
	}
	shapes := make([][]shape, len(ds)) // [drawable][frame]
	bb := box2{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)}
	for i, d := range ds {
		r := 1.0
		for _, c := range strings.Fields(d.class) {
			r = math.Max(r, strokeRadius[c])
		}
		for _, f := range frames {
			s := d.draw(f)
			shapes[i] = append(shapes[i], s)
			for _, p := range s.pts {
				bb.add(p.x, p.y, r)
			}
		}
	}

	var w bytes.Buffer
	// data-start and data-held tell a player where on the timeline the start
	// and held positions are.
	fmt.Fprintf(&w, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" class="fig" role="img" data-start="%g" data-held="%g">`,
		width, height, StartAt, totalSeconds)
	fmt.Fprintf(&w, "<title>%s</title><style>%s</style>\n", html.EscapeString(pic.Title), CSS)

	// The moving picture.
	s, tx, ty := fit(bb, rect{0, 0, width, height}, mirror)
	w.WriteString(`<g class="fig-a">`)
	group(&w, s, tx, ty, mirror)
	values := timeline()
	for i, d := range ds {
		paths := make([]string, len(frames))
		for k := range frames {
			paths[k] = pathData(shapes[i][k])
		}
		fmt.Fprintf(&w, `<path class="%s" d="%s"`, d.class, paths[0])
		if slices.Equal(paths, slices.Repeat(paths[:1], len(paths))) {
			w.WriteString("/>")
			continue
		}
		seq := make([]string, len(values.frames))
		for k, fi := range values.frames {
			seq[k] = paths[fi]
		}
		fmt.Fprintf(&w, `><animate attributeName="d" values="%s" keyTimes="%s" dur="%gs" fill="freeze"/></path>`,
			strings.Join(seq, ";"), values.keyTimes, totalSeconds)
	}
	w.WriteString("</g></g>\n")

	// Start and held, side by side or one above the other, whichever draws them bigger.
	cells := [2]rect{{0, 18, width / 2, height - 18}, {width / 2, 18, width / 2, height - 18}}
	labelAt := [2][2]float64{{8, 14}, {width/2 + 8, 14}}
	stacked := [2]rect{{0, 14, width, height/2 - 14}, {0, height/2 + 14, width, height/2 - 14}}
	if s1, _, _ := fit(bb, stacked[0], false); s1 > func() float64 { s2, _, _ := fit(bb, cells[0], false); return s2 }() {
		cells = stacked
		labelAt = [2][2]float64{{8, 12}, {8, height/2 + 12}}
	}
	w.WriteString(`<g class="fig-p">`)
	for k, fi := range []int{0, len(frames) - 1} {
		s, tx, ty := fit(bb, cells[k], mirror)
		group(&w, s, tx, ty, mirror)
		for i, d := range ds {
			fmt.Fprintf(&w, `<path class="%s" d="%s"/>`, d.class, pathData(shapes[i][fi]))
		}
		w.WriteString("</g>")
	}
	for k, l := range labels {
		fmt.Fprintf(&w, `<text x="%g" y="%g" class="fig-l">%s</text>`, labelAt[k][0], labelAt[k][1], html.EscapeString(l))
	}
	if cells[1].y > cells[0].y {
		fmt.Fprintf(&w, `<path class="fig-r" d="M0 %gH%g"/>`, height/2, width)
	} else {
		fmt.Fprintf(&w, `<path class="fig-r" d="M%g 0V%g"/>`, width/2, height)
	}
	w.WriteString("</g></svg>\n")
	return w.Bytes()
}

func group(w *bytes.Buffer, s, tx, ty float64, mirror bool) {
	a := s
	if mirror {
		a = -s
	}
	fmt.Fprintf(w, `<g transform="matrix(%s 0 0 %s %s %s)">`, num3(a), num3(s), num3(tx), num3(ty))
}

// frameTimes is the sequence of keyframes the animation passes through.
type frameTimes struct {
	frames   []int
	keyTimes string
}

func timeline() frameTimes {
	last := len(steps) - 1
	var frames []int
	var times []float64
	// Release: held back to start.
	for i := last; i >= 0; i-- {
		frames = append(frames, i)
		times = append(times, ReleaseSeconds*float64(last-i)/float64(last))
	}
	// Rest, then the move into the held position.
	for i := 0; i <= last; i++ {
		frames = append(frames, i)
		times = append(times, ReleaseSeconds+restSeconds+moveSeconds*float64(i)/float64(last))
	}
	kt := make([]string, len(times))
	for i, t := range times {
		kt[i] = strconv.FormatFloat(math.Round(t/totalSeconds*1000)/1000, 'f', -1, 64)
	}
	return frameTimes{frames, strings.Join(kt, ";")}
}

// pathData writes a shape as SVG path data in whole centimetres.
func pathData(s shape) string {
	var b strings.Builder
	pt := func(p p2) string {
		return strconv.Itoa(int(math.Round(p.x))) + " " + strconv.Itoa(int(math.Round(p.y)))
	}
	mid := func(a, c p2) p2 { return p2{(a.x + c.x) / 2, (a.y + c.y) / 2, 0} }
	switch {
	case s.smooth:
		n := len(s.pts)
		b.WriteString("M" + pt(mid(s.pts[n-1], s.pts[0])))
		for i := range s.pts {
			b.WriteString("Q" + pt(s.pts[i]) + " " + pt(mid(s.pts[i], s.pts[(i+1)%n])))
		}
		b.WriteString("Z")
	case s.poly:
		b.WriteString("M" + pt(s.pts[0]))
		for _, p := range s.pts[1:] {
			b.WriteString(" " + pt(p))
		}
		b.WriteString("Z")
	case len(s.pts) == 1:
		b.WriteString("M" + pt(s.pts[0]) + "h0")
	default:
		b.WriteString("M" + pt(s.pts[0]))
		for _, p := range s.pts[1:] {
			b.WriteString(" " + pt(p))
		}
	}
	return b.String()
}

func num3(f float64) string {
	return strconv.FormatFloat(math.Round(f*1000)/1000, 'f', -1, 64)
}
