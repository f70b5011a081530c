package figure

import "math"

// Joint names a point of the skeleton. The trunk joints are shared; limbs come
// in a near and a far copy (Side.Knee() and so on).
type Joint int

// Trunk joints, from the pelvis (the point midway between the hip joints) up.
const (
	Pelvis Joint = iota
	Waist
	Chest
	Neck // base of the neck, level with the shoulders
	Head // centre of the head
	Nose // tip of the nose: where the face points
	firstSided
)

// Side is the near side (toward the viewer of the first picture, drawn darker:
// the working side) or the far side.
type Side int

// The two sides of the body.
const (
	Near Side = iota
	Far
)

// Limb joints, per side.
const (
	shoulder = iota
	elbow
	wrist
	hand // knuckles
	hip
	knee
	ankle
	toe
	perSide
)

const numJoints = int(firstSided) + 2*perSide

func (s Side) j(k int) Joint { return firstSided + Joint(int(s)*perSide+k) }

// Shoulder and the other methods name the side's limb joints.
func (s Side) Shoulder() Joint { return s.j(shoulder) }
func (s Side) Elbow() Joint    { return s.j(elbow) }
func (s Side) Wrist() Joint    { return s.j(wrist) }
func (s Side) Hand() Joint     { return s.j(hand) }
func (s Side) Hip() Joint      { return s.j(hip) }
func (s Side) Knee() Joint     { return s.j(knee) }
func (s Side) Ankle() Joint    { return s.j(ankle) }
func (s Side) Toe() Joint      { return s.j(toe) }

// Other is the opposite side.
func (s Side) Other() Side { return 1 - s }

// Body proportions in centimetres, for an adult of about 172 cm.
const (
	pelvisToWaist  = 11.0
	waistToChest   = 17.0
	chestToNeck    = 20.0
	neckToHead     = 15.0
	headToNose     = 10
	halfShoulders  = 17.0
	shoulderDrop   = 4.0 // shoulder joints sit a little below the base of the neck
	halfHips       = 9.0
	upperArm       = 29.0
	forearm        = 25.0
	handLength     = 8.0
	thigh          = 43.0
	shin           = 42.0
	footLength     = 18.0
	headRadius     = 11.0
	ankleHeight    = 7.0   // ankle joint above the sole
	buttockDrop    = 9.0   // seat contact below the hip joints, sitting
	shoulderOffset = 17.46 // |(halfShoulders, shoulderDrop)|
)

// ThighLength is the thigh bone, hip to knee, for poses that place a knee.
const ThighLength = thigh

// bone is one rigid link of the skeleton.
type bone struct {
	from, to Joint
	length   float64
}

var bones = func() []bone {
	b := []bone{
		{Pelvis, Waist, pelvisToWaist},
		{Waist, Chest, waistToChest},
		{Chest, Neck, chestToNeck},
		{Neck, Head, neckToHead},
		{Head, Nose, headToNose},
	}
	for _, s := range []Side{Near, Far} {
		b = append(b,
			bone{Neck, s.Shoulder(), shoulderOffset},
			bone{s.Shoulder(), s.Elbow(), upperArm},
			bone{s.Elbow(), s.Wrist(), forearm},
			bone{s.Wrist(), s.Hand(), handLength},
			bone{Pelvis, s.Hip(), halfHips},
			bone{s.Hip(), s.Knee(), thigh},
			bone{s.Knee(), s.Ankle(), shin},
			bone{s.Ankle(), s.Toe(), footLength},
		)
	}
	return b
}()

// Pose is the position of every joint in one keyframe.
type Pose struct{ j [numJoints]V }

// At is the position of joint j.
func (p Pose) At(j Joint) V { return p.j[j] }

// Body builds a Pose bone by bone, so every bone keeps its length: place the
// pelvis, then the spine and head, then the legs and arms, either by the
// direction of each bone or by where the hand or foot goes (the elbow or knee
// then bends toward a hint).
type Body struct{ p Pose }

// Lie starts a body with its pelvis at pelvis and the near hip toward near.
func Lie(pelvis, near V) *Body {
	b := &Body{}
	b.p.j[Pelvis] = pelvis
	n := near.Unit()
	b.p.j[Near.Hip()] = pelvis.Add(n.Scale(halfHips))
	b.p.j[Far.Hip()] = pelvis.Sub(n.Scale(halfHips))
	return b
}

// FromNeck starts a body from the base of its neck: the trunk hangs back from
// neck along the spine's directions (pelvis→waist, waist→chest, chest→neck),
// for a pose whose shoulders are placed and whose pelvis follows.
func FromNeck(neck, near, lower, middle, upper V) *Body {
	pelvis := neck.Sub(upper.Unit().Scale(chestToNeck)).Sub(middle.Unit().Scale(waistToChest)).Sub(lower.Unit().Scale(pelvisToWaist))
	return Lie(pelvis, near).Spine(lower, middle, upper, near)
}

// Spine sets the trunk: the directions pelvis→waist, waist→chest and
// chest→neck, and the way the near shoulder points from the neck.
func (b *Body) Spine(lower, middle, upper, near V) *Body {
	p := &b.p
	p.j[Waist] = p.j[Pelvis].Add(lower.Unit().Scale(pelvisToWaist))
	p.j[Chest] = p.j[Waist].Add(middle.Unit().Scale(waistToChest))
	p.j[Neck] = p.j[Chest].Add(upper.Unit().Scale(chestToNeck))
	up := upper.Unit()
	side := near.Sub(up.Scale(near.Dot(up))).Unit() // square to the spine
	drop := up.Scale(-shoulderDrop)
	p.j[Near.Shoulder()] = p.j[Neck].Add(side.Scale(halfShoulders)).Add(drop)
	p.j[Far.Shoulder()] = p.j[Neck].Sub(side.Scale(halfShoulders)).Add(drop)
	return b
}

// Head points the neck toward dir and the face toward face.
func (b *Body) Head(dir, face V) *Body {
	p := &b.p
	p.j[Head] = p.j[Neck].Add(dir.Unit().Scale(neckToHead))
	p.j[Nose] = p.j[Head].Add(face.Unit().Scale(headToNose))
	return b
}

// Leg sets side's thigh, shin and foot by direction.
func (b *Body) Leg(s Side, thighDir, shinDir, footDir V) *Body {
	p := &b.p
	p.j[s.Knee()] = p.j[s.Hip()].Add(thighDir.Unit().Scale(thigh))
	p.j[s.Ankle()] = p.j[s.Knee()].Add(shinDir.Unit().Scale(shin))
	p.j[s.Toe()] = p.j[s.Ankle()].Add(footDir.Unit().Scale(footLength))
	return b
}

// LegTo puts side's ankle at (or as near as it reaches toward) ankleAt, the
// knee bending toward kneeHint, and points the foot along footDir.
func (b *Body) LegTo(s Side, ankleAt, kneeHint, footDir V) *Body {
	p := &b.p
	p.j[s.Knee()], p.j[s.Ankle()] = reach(p.j[s.Hip()], ankleAt, thigh, shin, kneeHint)
	p.j[s.Toe()] = p.j[s.Ankle()].Add(footDir.Unit().Scale(footLength))
	return b
}

// Arm sets side's upper arm, forearm and hand by direction.
func (b *Body) Arm(s Side, upper, fore, handDir V) *Body {
	p := &b.p
	p.j[s.Elbow()] = p.j[s.Shoulder()].Add(upper.Unit().Scale(upperArm))
	p.j[s.Wrist()] = p.j[s.Elbow()].Add(fore.Unit().Scale(forearm))
	p.j[s.Hand()] = p.j[s.Wrist()].Add(handDir.Unit().Scale(handLength))
	return b
}

// ArmTo puts side's wrist at (or toward) wristAt, the elbow bending toward
// elbowHint, and points the hand along handDir.
func (b *Body) ArmTo(s Side, wristAt, elbowHint, handDir V) *Body {
	p := &b.p
	p.j[s.Elbow()], p.j[s.Wrist()] = reach(p.j[s.Shoulder()], wristAt, upperArm, forearm, elbowHint)
	p.j[s.Hand()] = p.j[s.Wrist()].Add(handDir.Unit().Scale(handLength))
	return b
}

// At is where joint j is so far, to place a hand or foot against another part.
func (b *Body) At(j Joint) V { return b.p.j[j] }

// Copy returns an independent copy, to build two keyframes from one start.
func (b *Body) Copy() *Body { c := *b; return &c }

// Pose returns the finished keyframe.
func (b *Body) Pose() Pose { return b.p }

// reach solves a two-bone limb from root toward target: the middle joint bends
// toward hint; a target out of reach leaves the limb straight, pointing at it.
func reach(root, target V, l1, l2 float64, hint V) (mid, end V) {
	d := target.Sub(root)
	dist := d.Len()
	u := d.Unit()
	dist = math.Max(math.Abs(l1-l2)+0.01, math.Min(dist, l1+l2-0.001))
	cosA := (l1*l1 + dist*dist - l2*l2) / (2 * l1 * dist)
	sinA := math.Sqrt(math.Max(0, 1-cosA*cosA))
	bend := hint.Sub(u.Scale(hint.Dot(u))).Unit()
	mid = root.Add(u.Scale(l1 * cosA)).Add(bend.Scale(l1 * sinA))
	end = root.Add(u.Scale(dist))
	return mid, end
}

// BoneError is the largest difference, in centimetres, between a bone's length
// in p and the skeleton's: a check that a hand-built pose is a real body.
func (p Pose) BoneError() float64 {
	worst := 0.0
	for _, b := range bones {
		worst = math.Max(worst, math.Abs(p.j[b.to].Sub(p.j[b.from]).Len()-b.length))
	}
	return worst
}

// Lowest is the lowest point of the body's surface (the floor is y = 0).
func (p Pose) Lowest() float64 {
	low := math.Inf(1)
	for _, part := range bodyParts {
		for _, j := range part.joints {
			low = math.Min(low, p.j[j].Y-part.radius)
		}
	}
	return low
}

// nearIsLeft reports whether the near side is the body's left: true when the
// face points to the front of a body whose left is the near side.
func (p Pose) nearIsLeft() bool {
	left := p.j[Near.Shoulder()].Sub(p.j[Far.Shoulder()])
	up := p.j[Neck].Sub(p.j[Chest])
	front := left.Cross(up)
	return front.Dot(p.j[Nose].Sub(p.j[Head])) > 0
}

// frame is a body segment's anatomical axes: up along the spine, left, front.
type frame struct{ up, left, front V }

// pelvisFrame is the pelvis's axes.
func (p Pose) pelvisFrame() frame {
	up := p.j[Waist].Sub(p.j[Pelvis]).Unit()
	left := p.j[Near.Hip()].Sub(p.j[Far.Hip()]).Unit()
	if !p.nearIsLeft() {
		left = left.Scale(-1)
	}
	return frame{up, left, left.Cross(up).Unit()}
}

// sideVector points from the body's midline toward side s.
func (p Pose) sideVector(s Side) V {
	v := p.j[Near.Hip()].Sub(p.j[Far.Hip()]).Unit()
	if s == Far {
		v = v.Scale(-1)
	}
	return v
}

// Tween is the pose a fraction t of the way from a to b: bones turn about
// their joints (so none stretches), starting from a's and b's root joint; a
// hand or foot that stays put in both keyframes stays planted on the way.
func Tween(a, b Pose, t float64, root Joint) Pose {
	if t <= 0 {
		return a
	}
	if t >= 1 {
		return b
	}
	var out Pose
	out.j[root] = a.j[root].Lerp(b.j[root], t)
	done := map[Joint]bool{root: true}
	// Walk the skeleton outward from the root, turning each bone.
	for len(done) < numJoints {
		for _, bn := range bones {
			from, to := bn.from, bn.to
			if done[to] && !done[from] {
				from, to = to, from
			}
			if !done[from] || done[to] {
				continue
			}
			da := a.j[to].Sub(a.j[from]).Unit()
			db := b.j[to].Sub(b.j[from]).Unit()
			out.j[to] = out.j[from].Add(slerp(da, db, t).Scale(bn.length))
			done[to] = true
		}
	}
	// Planted hands and feet: solve the limb toward the in-between target.
	type limb struct {
		root, mid, end, tip Joint
		l1, l2              float64
	}
	for _, s := range []Side{Near, Far} {
		for _, l := range []limb{
			{s.Hip(), s.Knee(), s.Ankle(), s.Toe(), thigh, shin},
			{s.Shoulder(), s.Elbow(), s.Wrist(), s.Hand(), upperArm, forearm},
		} {
			if a.j[l.end].Sub(b.j[l.end]).Len() > 6 || l.root == root {
				continue
			}
			target := a.j[l.end].Lerp(b.j[l.end], t)
			hint := out.j[l.mid].Sub(out.j[l.root])
			tip := out.j[l.tip].Sub(out.j[l.end])
			out.j[l.mid], out.j[l.end] = reach(out.j[l.root], target, l.l1, l.l2, hint)
			out.j[l.tip] = out.j[l.end].Add(tip)
		}
	}
	return out
}
