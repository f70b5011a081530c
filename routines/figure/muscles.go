package figure

// Muscle is what should feel the stretch, drawn in the warm highlight colour
// over the part of the body it lies in.
type Muscle struct {
	kind muscleKind
	side Side
}

type muscleKind int

const (
	hamstring muscleKind = iota
	buttock
	lowBack
	sciaticNerve
	outerHip
)

// Hamstring is the back of side's thigh.
func Hamstring(s Side) Muscle { return Muscle{hamstring, s} }

// Buttock is side's gluteal muscles and, deep under them, the piriformis.
func Buttock(s Side) Muscle { return Muscle{buttock, s} }

// LowBack is the muscles either side of the lower spine.
func LowBack() Muscle { return Muscle{lowBack, Near} }

// SciaticNerve runs from side's buttock down the back of the thigh and calf.
func SciaticNerve(s Side) Muscle { return Muscle{sciaticNerve, s} }

// OuterHip is the side of side's hip.
func OuterHip(s Side) Muscle { return Muscle{outerHip, s} }

func (m Muscle) drawable(pic Picture) drawable {
	s := m.side
	leg := NearLeg
	if s == Far {
		leg = FarLeg
	}
	at := func(f *keyframe, vs ...V) shape {
		sh := shape{}
		for _, v := range vs {
			sh.pts = append(sh.pts, f.cam.project(v))
		}
		return sh
	}
	switch m.kind {
	case hamstring:
		return drawable{class: "h hm", key: pic.order(leg) + 0.5, draw: func(f *keyframe) shape {
			p := f.pose
			hip, knee := p.j[s.Hip()], p.j[s.Knee()]
			back := p.pelvisFrame().left.Cross(knee.Sub(hip)).Unit().Scale(2.5)
			return at(f, hip.Lerp(knee, 0.2).Add(back), hip.Lerp(knee, 0.85).Add(back))
		}}
	case buttock:
		return drawable{class: "h gl", key: pic.order(leg) + 0.5, draw: func(f *keyframe) shape {
			p := f.pose
			pf := p.pelvisFrame()
			return at(f, p.j[Pelvis].Add(pf.front.Scale(-7)).Add(p.sideVector(s).Scale(8)).Add(pf.up.Scale(-2)))
		}}
	case lowBack:
		return drawable{class: "h lb", key: pic.order(Trunk) + 0.5, draw: func(f *keyframe) shape {
			p := f.pose
			pf := p.pelvisFrame()
			chestUp := p.j[Chest].Sub(p.j[Waist]).Unit()
			back := func(v, up V, d float64) V {
				return v.Sub(pf.left.Cross(up).Unit().Scale(d))
			}
			return at(f,
				back(p.j[Pelvis].Add(pf.up.Scale(3)), pf.up, 7.5),
				back(p.j[Waist], pf.up.Add(chestUp).Unit(), 7),
				back(p.j[Waist].Lerp(p.j[Chest], 0.35), chestUp, 7.5))
		}}
	case sciaticNerve:
		return drawable{class: "h sn", key: pic.order(leg) + 0.5, draw: func(f *keyframe) shape {
			p := f.pose
			pf := p.pelvisFrame()
			hip, knee, ankle := p.j[s.Hip()], p.j[s.Knee()], p.j[s.Ankle()]
			backOf := func(a, b V, d float64) V { return pf.left.Cross(b.Sub(a)).Unit().Scale(d) }
			seat := p.j[Pelvis].Add(pf.front.Scale(-6)).Add(p.sideVector(s).Scale(7)).Add(pf.up.Scale(-1))
			return at(f, seat,
				hip.Lerp(knee, 0.5).Add(backOf(hip, knee, 4)),
				knee.Add(backOf(hip, ankle, 4)),
				knee.Lerp(ankle, 0.55).Add(backOf(knee, ankle, 3)))
		}}
	default: // outerHip
		return drawable{class: "h oh", key: pic.order(leg) + 0.5, draw: func(f *keyframe) shape {
			p := f.pose
			return at(f, p.j[s.Hip()].Add(p.sideVector(s).Scale(5)))
		}}
	}
}
