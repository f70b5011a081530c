package routines

import (
	"math"

	"github.com/aftercare/aftercare/routines/figure"
)

// pictures draws each stretch: its start and held positions as joint
// positions of one shared body (routines/figure), the props it uses and the
// muscle that should feel it. go generate renders them into illustrations/.
//
// Coordinates are centimetres: X along the floor, Y up, Z toward the viewer;
// the near side (+Z) is the working side. Poses built with the body's right
// side near are mirrored by the renderer, so a stretch's first picture always
// shows its left side.
var pictures = map[string]figure.Picture{
	"supine-hamstring-strap":     supineHamstringStrap(),
	"seated-hamstring-chair":     seatedHamstringChair(),
	"standing-hamstring-step":    standingHamstringStep(),
	"supine-figure-four":         supineFigureFour(),
	"seated-figure-four":         seatedFigureFour(),
	"knee-to-opposite-shoulder":  kneeToOppositeShoulder(),
	"single-knee-to-chest":       singleKneeToChest(),
	"double-knee-to-chest":       doubleKneeToChest(),
	"glute-bridge":               gluteBridge(),
	"cat-cow":                    catCow(),
	"childs-pose":                childsPose(),
	"lower-trunk-rotation":       lowerTrunkRotation(),
	"seated-sciatic-nerve-glide": seatedSciaticNerveGlide(),
	"pelvic-tilt":                pelvicTilt(),
	// Easier variations.
	"doorway-hamstring":        doorwayHamstring(),
	"seated-ankle-on-shin":     seatedAnkleOnShin(),
	"thigh-hold-knee-to-chest": thighHoldKneeToChest(),
	"supported-childs-pose":    supportedChildsPose(),
	"mini-bridge":              miniBridge(),
	"standing-pelvic-tilt":     standingPelvicTilt(),
	"seated-cat-cow":           seatedCatCow(),
	"small-trunk-rotation":     smallTrunkRotation(),
	"seated-knee-glide":        seatedKneeGlide(),
}

// pt is a point or direction in the pictures' centimetres.
func pt(x, y, z float64) figure.V { return figure.V{X: x, Y: y, Z: z} }

// Shorthands for the pose data below.
var (
	deg = figure.Deg
	dir = figure.Dir
)

const (
	near = figure.Near
	far  = figure.Far
)

const ankleY = 7 // the ankle joint above the floor when the foot is flat

// sideZ is a limb's usual distance from the midline, toward the near side for near.
func sideZ(s figure.Side, z float64) float64 {
	if s == far {
		return -z
	}
	return z
}

// Lying on the back, head toward −X; the back of the pelvis rests on the floor.
func supine() *figure.Body {
	return figure.Lie(pt(0, 11, 0), pt(0, 0, 1)).
		Spine(deg(180, 0), deg(180, 0), deg(182, 0), pt(0, 0, 1)).
		Head(deg(180, 0), pt(0, 1, 0))
}

// footFlat puts side's foot flat on the floor at x, the knee pointing up.
func footFlat(b *figure.Body, s figure.Side, x float64) *figure.Body {
	return b.LegTo(s, pt(x, ankleY, sideZ(s, 10)), pt(0, 1, 0), dir(1, -0.2, 0))
}

// legLong lays side's leg straight along the floor.
func legLong(b *figure.Body, s figure.Side) *figure.Body {
	return b.Leg(s, dir(1, -0.05, 0), dir(1, -0.02, 0), dir(0.35, 1, 0))
}

// armsBySides rests both arms on the floor beside a body lying on its back.
func armsBySides(b *figure.Body) *figure.Body {
	for _, s := range []figure.Side{near, far} {
		sh := b.At(s.Shoulder())
		b.ArmTo(s, pt(sh.X+50, 4, sideZ(s, 26)), pt(0, 1, sideZ(s, 0.4)), dir(1, -0.1, 0))
	}
	return b
}

func mat(x0, x1 float64) figure.Box {
	return figure.Box{Min: pt(x0, -1.5, -36), Max: pt(x1, 0, 36), Class: "mat"}
}

func floor(x0, x1 float64) figure.Box {
	return figure.Box{Min: pt(x0, -1, -40), Max: pt(x1, 0, 40), Class: "floor"}
}

// chair is a plain chair whose seat's front edge is at x, facing +X.
func chair(x float64) []figure.Box {
	const seat, depth, half = 46.0, 42.0, 22.0
	boxes := []figure.Box{
		{Min: pt(x-depth, seat-4, -half), Max: pt(x, seat, half), Class: "prop"},
		{Min: pt(x-depth, seat, -half), Max: pt(x-depth+3, seat+44, half), Class: "prop"},
	}
	for _, lx := range []float64{x - depth, x - 3} {
		for _, lz := range []float64{-half, half - 3} {
			boxes = append(boxes, figure.Box{Min: pt(lx, 0, lz), Max: pt(lx+3, seat-4, lz+3), Class: "prop"})
		}
	}
	return boxes
}

// seated sits a body on a chair seat 46 cm high, facing +X, trunk leaning
// lean degrees forward from upright.
func seated(hipX, lean float64) *figure.Body {
	return figure.Lie(pt(hipX, 46+9, 0), pt(0, 0, 1)).
		Spine(deg(90-lean+6, 0), deg(90-lean, 0), deg(90-lean-3, 0), pt(0, 0, 1)).
		Head(deg(90-lean*0.8, 0), deg(-lean*0.8, 0))
}

// strapRound runs a strap from the near hand round the ball of foot to the far hand.
func strapRound(foot figure.Side) func(p figure.Pose) []figure.V {
	return func(p figure.Pose) []figure.V {
		a, t, k := p.At(foot.Ankle()), p.At(foot.Toe()), p.At(foot.Knee())
		ball := a.Lerp(t, 0.62).Add(a.Sub(k).Unit().Scale(4))
		return []figure.V{p.At(near.Hand()), ball, p.At(far.Hand())}
	}
}

func supineHamstringStrap() figure.Picture {
	// Start: the strap looped round the foot with the knee bent up; held: the leg straightened.
	start := footFlat(supine(), far, 42).Leg(near, deg(92, 0), deg(8, 0), deg(100, 0))
	held := footFlat(supine(), far, 42).Leg(near, deg(68, 0), deg(60, 0), deg(150, 0))
	arms := func(b *figure.Body, lift float64) figure.Pose {
		for _, s := range []figure.Side{near, far} {
			b.ArmTo(s, pt(-22+lift*0.2, 34+lift, sideZ(s, 12)), pt(0.3, -0.5, sideZ(s, 1)), dir(0.6, 0.8, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 8, Pitch: 14},
		Start:   arms(start, 0),
		Held:    arms(held, 14),
		Boxes:   []figure.Box{mat(-90, 95)},
		Straps:  []figure.Strap{{Through: strapRound(near), Key: 2.5}},
		Muscles: []figure.Muscle{figure.Hamstring(near)},
	}
}

func seatedHamstringChair() figure.Picture {
	pose := func(lean float64) figure.Pose {
		b := seated(-18, lean)
		b.LegTo(far, pt(b.At(far.Hip()).X+46, ankleY, -10), pt(0, 1, 0), dir(1, -0.25, 0))
		b.LegTo(near, pt(b.At(near.Hip()).X+80, ankleY, 11), pt(0, 1, 0), deg(78, 0))
		knee := b.At(far.Knee())
		thighAt := b.At(far.Hip()).Lerp(knee, 0.55+lean/100)
		for _, s := range []figure.Side{near, far} {
			b.ArmTo(s, thighAt.Add(pt(0, 7, sideZ(s, 4)-4)), pt(-0.3, 0, sideZ(s, 1)), dir(1, -0.6, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 12, Pitch: 10},
		Start:   pose(0),
		Held:    pose(38),
		Boxes:   append([]figure.Box{floor(-70, 90)}, chair(-2)...),
		Muscles: []figure.Muscle{figure.Hamstring(near)},
	}
}

func standingHamstringStep() figure.Picture {
	pose := func(lean float64) figure.Pose {
		b := figure.Lie(pt(-4, 90, 0), pt(0, 0, 1)).
			Spine(deg(90-lean+4, 0), deg(90-lean, 0), deg(90-lean-2, 0), pt(0, 0, 1)).
			Head(deg(90-lean*0.9, 0), deg(-lean*0.9-5, 0))
		b.LegTo(far, pt(-2, ankleY, -10), pt(1, 0, 0), dir(1, -0.22, 0))
		b.LegTo(near, pt(44, 22+ankleY, 10), pt(1, 0.3, 0), deg(80, 0))
		pf := b.At(figure.Waist).Sub(b.At(figure.Pelvis)).Unit()
		for _, s := range []figure.Side{near, far} {
			hipSide := b.At(figure.Pelvis).Add(pf.Scale(9)).Add(pt(0, 0, sideZ(s, 17)))
			b.ArmTo(s, hipSide, pt(-1, 0, sideZ(s, 0.8)), dir(0.8, -0.8, sideZ(s, -0.3)))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera: figure.Camera{Yaw: 14, Pitch: 8},
		Start:  pose(0),
		Held:   pose(32),
		Boxes: []figure.Box{floor(-40, 80),
			{Min: pt(28, 0, -30), Max: pt(70, 22, 30), Class: "prop"}},
		Muscles: []figure.Muscle{figure.Hamstring(near)},
	}
}

func supineFigureFour() figure.Picture {
	cross := func(b *figure.Body) *figure.Body {
		k, h := b.At(far.Knee()), b.At(far.Hip())
		onThigh := k.Add(h.Sub(k).Unit().Scale(6)).Add(pt(0, 8, 4))
		return b.LegTo(near, onThigh, pt(0.2, 0.8, 1), dir(0.2, 0.2, -1))
	}
	start := footFlat(supine(), far, 32)
	cross(start)
	armsBySides(start)
	held := supine().Leg(far, deg(100, 0), deg(10, 0), dir(0.5, 1, 0))
	cross(held)
	k := held.At(far.Knee()).Lerp(held.At(far.Hip()), 0.3)
	for _, s := range []figure.Side{near, far} {
		held.ArmTo(s, k.Add(pt(0, 0, sideZ(s, 9))), pt(0.2, -1, sideZ(s, 1)), dir(0, -1, 0))
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: -60, Pitch: 35},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.Buttock(near)},
		Order:   map[figure.Limb]float64{figure.FarLeg: 1, figure.NearLeg: 2},
	}
}

func seatedFigureFour() figure.Picture {
	pose := func(lean float64) figure.Pose {
		b := seated(-20, lean)
		b.LegTo(far, pt(b.At(far.Hip()).X+46, ankleY, -9), pt(0, 1, 0), dir(1, -0.25, 0))
		k, h := b.At(far.Knee()), b.At(far.Hip())
		onThigh := k.Add(h.Sub(k).Unit().Scale(7)).Add(pt(0, 9, 0))
		b.LegTo(near, onThigh, pt(0.5, -0.2, 1), dir(0.3, 0, -1))
		nk := b.At(near.Knee())
		b.ArmTo(near, nk.Add(pt(-2, 8, 0)), pt(0, -0.5, 1), dir(0.4, -0.6, 0.2))
		b.ArmTo(far, b.At(near.Ankle()).Add(pt(-3, 7, 0)), pt(0, -0.6, -1), dir(0.6, -0.6, 0))
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: -38, Pitch: 12},
		Start:   pose(0),
		Held:    pose(28),
		Boxes:   append([]figure.Box{floor(-70, 70)}, chair(-2)...),
		Muscles: []figure.Muscle{figure.Buttock(near)},
	}
}

func kneeToOppositeShoulder() figure.Picture {
	base := func() *figure.Body {
		b := supine()
		legLong(b, far)
		b.ArmTo(near, b.At(near.Shoulder()).Add(pt(30, 0, 36)).Sub(pt(0, b.At(near.Shoulder()).Y-4, 0)), pt(0, 1, 0), dir(1, -0.1, 0.3))
		return b
	}
	start := base().Leg(near, deg(98, 0), dir(1, -0.35, -0.1), dir(0.5, -0.6, 0))
	held := base().Leg(near, dir(-25, 24, -21), dir(35, -19, -8), dir(0.6, -0.5, -0.3))
	hold := func(b *figure.Body) figure.Pose {
		k := b.At(near.Knee())
		b.ArmTo(far, k.Add(pt(2, 6, 4)), pt(0.3, -1, -1), dir(0.4, -0.2, 1))
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: -80, Pitch: 65},
		Start:   hold(start),
		Held:    hold(held),
		Boxes:   []figure.Box{mat(-90, 90)},
		Muscles: []figure.Muscle{figure.Buttock(near)},
		Order:   map[figure.Limb]float64{figure.FarArm: 4},
	}
}

// hug holds the knee of each side in sides with both hands.
func hug(b *figure.Body, sides ...figure.Side) *figure.Body {
	for _, s := range []figure.Side{near, far} {
		leg := sides[0]
		if len(sides) > 1 {
			leg = s
		}
		k := b.At(leg.Knee()).Lerp(b.At(leg.Ankle()), 0.22)
		b.ArmTo(s, k.Add(pt(0, 6.5, sideZ(s, 7))), pt(-0.3, -0.4, sideZ(s, 1)), dir(0.5, -0.9, 0))
	}
	return b
}

func singleKneeToChest() figure.Picture {
	start := footFlat(footFlat(supine(), near, 42), far, 42)
	armsBySides(start)
	held := footFlat(supine(), far, 42).Leg(near, deg(136, 0.1), deg(-28, 0.05), deg(-70, 0))
	hug(held, near)
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 8, Pitch: 14},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.LowBack(), figure.Buttock(near)},
	}
}

func doubleKneeToChest() figure.Picture {
	start := footFlat(footFlat(supine(), near, 42), far, 42)
	armsBySides(start)
	held := supine().Leg(near, deg(134, 0.05), deg(-28, 0.02), deg(-70, 0)).Leg(far, deg(134, -0.05), deg(-28, -0.02), deg(-70, 0))
	hug(held, near, far)
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 8, Pitch: 14},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.LowBack()},
	}
}

func gluteBridge() figure.Picture { return bridge(24) }

// miniBridge lifts the hips a finger's width: a little more than one, so it shows.
func miniBridge() figure.Picture { return bridge(6) }

// bridge lifts the hips up centimetres off the floor, shoulders and feet down.
func bridge(up float64) figure.Picture {
	start := footFlat(footFlat(supine(), near, 40), far, 40)
	armsBySides(start)
	// Lifted: shoulders stay down, hips rise toward a line from shoulders to knees.
	held := figure.Lie(pt(0, 11+up, 0), pt(0, 0, 1))
	neck := start.At(figure.Neck)
	spine := neck.Sub(held.At(figure.Pelvis)).Unit()
	held.Spine(spine, spine, spine.Add(pt(-0.4, -0.2*up/24, 0)), pt(0, 0, 1)).Head(deg(182, 0), pt(0, 1, 0))
	footFlat(footFlat(held, near, 40), far, 40)
	armsBySides(held)
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 8, Pitch: 14},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Root:    figure.Head,
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.Buttock(near)},
		Labels:  [2]string{"Start", "Lift"},
	}
}

// allFours kneels on hands and knees facing +X, hands under the shoulders and
// knees under the hips. round bends the spine in degrees: positive rounds the
// back up (cat), negative lets it dip (cow); the shoulders stay over the hands
// and the hips over the knees, so the pelvis slides a little as the back bends.
func allFours(round, head, face float64) *figure.Body {
	neck := pt(47, 61, 0)
	trunk := func(phi float64) *figure.Body {
		return figure.FromNeck(neck, pt(0, 0, 1), deg(phi+round, 0), deg(phi+round*0.15, 0), deg(phi-round, 0))
	}
	lo, hi := -30.0, 60.0 // the pelvis drops as the slope phi grows
	for range 40 {
		if m := (lo + hi) / 2; trunk(m).At(figure.Pelvis).Y > 50.5 {
			lo = m
		} else {
			hi = m
		}
	}
	b := trunk(lo).Head(deg(head, 0), deg(face, 0))
	for _, s := range []figure.Side{near, far} {
		kneel(b, s, sideZ(s, 10), pt(-40, 5.5, sideZ(s, 10)))
		b.ArmTo(s, pt(49, 4.5, sideZ(s, 15)), pt(-1, 0, sideZ(s, 0.3)), dir(1, -0.3, 0))
	}
	return b
}

// kneel rests side's knee on the floor, kneeZ from the midline and in front of
// the hip, and lays the shin along the floor to ankle, the foot pointing back.
func kneel(b *figure.Body, s figure.Side, kneeZ float64, ankle figure.V) {
	const kneeY = 7.5 // the kneecap on the floor
	hip := b.At(s.Hip())
	dy, dz := kneeY-hip.Y, kneeZ-hip.Z
	knee := pt(hip.X+math.Sqrt(max(0, figure.ThighLength*figure.ThighLength-dy*dy-dz*dz)), kneeY, kneeZ)
	b.Leg(s, knee.Sub(hip), ankle.Sub(knee), dir(-1, -0.12, 0))
}

func catCow() figure.Picture {
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 5, Pitch: 5},
		Start:   allFours(34, -65, -105).Pose(),
		Held:    allFours(-18, 18, 5).Pose(),
		Boxes:   []figure.Box{mat(-70, 90)},
		Muscles: []figure.Muscle{figure.LowBack()},
		Labels:  [2]string{"Round", "Dip"},
	}
}

func childsPose() figure.Picture {
	b := figure.Lie(pt(-38, 22, 0), pt(0, 0, 1)).
		Spine(deg(18, 0), deg(-6, 0), deg(-16, 0), pt(0, 0, 1)).
		Head(deg(-28, 0), deg(-150, 0))
	for _, s := range []figure.Side{near, far} {
		kneel(b, s, sideZ(s, 15), pt(-40, 5.5, sideZ(s, 8)))
		b.ArmTo(s, pt(52, 4, sideZ(s, 20)), pt(0, 1, 0), dir(1, -0.2, 0))
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 10, Pitch: 26},
		Start:   allFours(0, -20, -70).Pose(),
		Held:    b.Pose(),
		Boxes:   []figure.Box{mat(-70, 90)},
		Muscles: []figure.Muscle{figure.LowBack()},
	}
}

func lowerTrunkRotation() figure.Picture { return trunkRotation(10, 0.7, 9, 2) }

func smallTrunkRotation() figure.Picture { return trunkRotation(22, 0.3, 3, 0.45) }

// trunkRotation tips both knees toward the near side: feet apart from the
// midline, the pelvis rolling by roll, the feet rolling over by shift, the
// knees leaning tip times as far sideways as up.
func trunkRotation(apart, roll, shift, tip float64) figure.Picture {
	arms := func(b *figure.Body) *figure.Body {
		for _, s := range []figure.Side{near, far} {
			sh := b.At(s.Shoulder())
			b.ArmTo(s, sh.Add(pt(6, -4, sideZ(s, 50))), pt(0, 1, 0), dir(0.2, -0.1, sideZ(s, 1)))
		}
		return b
	}
	start := supine()
	for _, s := range []figure.Side{near, far} {
		start.LegTo(s, pt(40, ankleY, sideZ(s, apart)), pt(0, 1, 0), dir(1, -0.2, 0))
	}
	arms(start)
	// Knees tipped toward the near side: the pelvis rolls with them, the shoulders stay flat.
	held := figure.Lie(pt(0, 11+roll*1.4, roll*1.4), pt(0, -roll, 1)).
		Spine(deg(180, 0), deg(180, 0), deg(182, 0), pt(0, 0, 1)).
		Head(deg(180, 0), pt(0, 1, 0))
	for _, s := range []figure.Side{near, far} {
		held.LegTo(s, pt(40, ankleY+shift/3, sideZ(s, apart)+shift), pt(0, 1, tip), dir(1, -0.2, 0.3))
	}
	arms(held)
	return figure.Picture{
		Camera:  figure.Camera{Yaw: -80, Pitch: 35},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.LowBack(), figure.OuterHip(far)},
		Order:   map[figure.Limb]float64{figure.FarLeg: 2.2, figure.NearLeg: 1},
	}
}

func seatedSciaticNerveGlide() figure.Picture { return kneeGlide(true, deg(-20, 0)) }

func seatedKneeGlide() figure.Picture { return kneeGlide(false, deg(-52, 0)) }

// kneeGlide straightens the near knee from sitting until the shin points
// along shin, looking up as it goes when lookUp is set.
func kneeGlide(lookUp bool, shin figure.V) figure.Picture {
	pose := func(glide float64) figure.Pose {
		b := seated(-16, -2)
		if lookUp {
			b.Head(deg(92+glide*18, 0), deg(glide*35, 0))
		}
		b.LegTo(far, pt(b.At(far.Hip()).X+46, ankleY, -10), pt(0, 1, 0), dir(1, -0.25, 0))
		if glide == 0 {
			b.LegTo(near, pt(b.At(near.Hip()).X+46, ankleY, 10), pt(0, 1, 0), dir(1, -0.25, 0))
		} else {
			b.Leg(near, deg(-6, 0), shin, shin.Add(deg(90, 0).Scale(1.8)))
		}
		for _, s := range []figure.Side{near, far} {
			h := b.At(s.Hip())
			b.ArmTo(s, pt(h.X+4, 48, sideZ(s, 22)), pt(-1, 0, sideZ(s, 0.3)), dir(0.4, -1, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 12, Pitch: 10},
		Start:   pose(0),
		Held:    pose(1),
		Boxes:   append([]figure.Box{floor(-70, 90)}, chair(-2)...),
		Muscles: []figure.Muscle{figure.SciaticNerve(near)},
		Labels:  [2]string{"Start", "Glide"},
	}
}

func pelvicTilt() figure.Picture {
	pose := func(tilt float64) figure.Pose {
		b := figure.Lie(pt(0, 11, 0), pt(0, 0, 1)).
			Spine(deg(164+tilt*18, 0), deg(186-tilt*5, 0), deg(182, 0), pt(0, 0, 1)).
			Head(deg(180, 0), pt(0, 1, 0))
		footFlat(footFlat(b, near, 40), far, 40)
		armsBySides(b)
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 8, Pitch: 14},
		Start:   pose(0),
		Held:    pose(1),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.LowBack()},
	}
}

func doorwayHamstring() figure.Picture {
	start := footFlat(footFlat(supine(), near, 42), far, 42)
	armsBySides(start)
	// The leg rests straight up against the door frame; the frame stands behind the calf.
	held := footFlat(supine(), far, 42).Leg(near, deg(72, 0), deg(68, 0), deg(160, 0))
	armsBySides(held)
	heel := held.At(near.Ankle()).X + 5.5
	return figure.Picture{
		Camera: figure.Camera{Yaw: 8, Pitch: 14},
		Start:  start.Pose(),
		Held:   held.Pose(),
		Boxes: []figure.Box{mat(-90, 80),
			{Min: pt(heel, 0, -2), Max: pt(heel+9, 140, 20), Class: "prop"}},
		Muscles: []figure.Muscle{figure.Hamstring(near)},
	}
}

func seatedAnkleOnShin() figure.Picture {
	pose := func(crossed bool) figure.Pose {
		b := seated(-20, 0)
		b.LegTo(far, pt(b.At(far.Hip()).X+46, ankleY, -9), pt(0, 1, 0), dir(1, -0.25, 0))
		if crossed {
			a := b.At(far.Ankle())
			b.LegTo(near, a.Add(pt(2, 13, 5)), pt(0.3, 0.1, 1), dir(0.3, 0, -1))
		} else {
			b.LegTo(near, pt(b.At(near.Hip()).X+46, ankleY, 9), pt(0, 1, 0), dir(1, -0.25, 0))
		}
		for _, s := range []figure.Side{near, far} {
			k, h := b.At(s.Knee()), b.At(s.Hip())
			b.ArmTo(s, h.Lerp(k, 0.6).Add(pt(0, 8, 0)), pt(-0.3, -0.3, sideZ(s, 1)), dir(1, -0.5, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: -38, Pitch: 12},
		Start:   pose(false),
		Held:    pose(true),
		Boxes:   append([]figure.Box{floor(-70, 70)}, chair(-2)...),
		Muscles: []figure.Muscle{figure.Buttock(near)},
	}
}

func thighHoldKneeToChest() figure.Picture {
	start := footFlat(footFlat(supine(), near, 42), far, 42)
	armsBySides(start)
	held := footFlat(supine(), far, 42).Leg(near, deg(104, 0.05), deg(-5, 0), deg(-55, 0))
	k, h := held.At(near.Knee()), held.At(near.Hip())
	for _, s := range []figure.Side{near, far} {
		// Hands behind the thigh, just behind the knee (the back of the thigh faces the feet).
		held.ArmTo(s, h.Lerp(k, 0.72).Add(pt(7, 0, sideZ(s, 6))), pt(-0.2, -1, sideZ(s, 1)), dir(0.6, -0.2, sideZ(s, -0.6)))
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 10, Pitch: 16},
		Start:   start.Pose(),
		Held:    held.Pose(),
		Boxes:   []figure.Box{mat(-90, 80)},
		Muscles: []figure.Muscle{figure.LowBack(), figure.Buttock(near)},
	}
}

func supportedChildsPose() figure.Picture {
	b := figure.Lie(pt(-34, 30, 0), pt(0, 0, 1)).
		Spine(deg(20, 0), deg(-2, 0), deg(-8, 0), pt(0, 0, 1)).
		Head(deg(-12, 0), dir(0.2, -0.4, 1)) // resting on one cheek
	for _, s := range []figure.Side{near, far} {
		kneel(b, s, sideZ(s, 16), pt(-40, 5.5, sideZ(s, 8)))
		b.ArmTo(s, pt(18, 4, sideZ(s, 26)), pt(0, 1, 0), dir(1, -0.2, 0))
	}
	return figure.Picture{
		Camera: figure.Camera{Yaw: 10, Pitch: 26},
		Start:  allFours(0, -20, -70).Pose(),
		Held:   b.Pose(),
		Boxes: []figure.Box{mat(-70, 90),
			{Min: pt(-22, 0, -13), Max: pt(40, 17, 13), Class: "prop"}},
		Muscles: []figure.Muscle{figure.LowBack()},
	}
}

func standingPelvicTilt() figure.Picture {
	const wall = -24.0 // the wall's face, behind the body
	pose := func(tilt float64) figure.Pose {
		b := figure.FromNeck(pt(wall+9, 145, 0), pt(0, 0, 1), deg(80+tilt*16, 0), deg(97-tilt*4, 0), deg(92, 0)).
			Head(deg(91, 0), deg(0, 0))
		for _, s := range []figure.Side{near, far} {
			b.LegTo(s, pt(wall+32, ankleY, sideZ(s, 10)), pt(1, 0, 0), dir(1, -0.22, 0))
			b.Arm(s, dir(0.05, -1, sideZ(s, 0.12)), dir(0.15, -1, sideZ(s, 0.05)), dir(0.1, -1, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera: figure.Camera{Yaw: 14, Pitch: 8},
		Start:  pose(0),
		Held:   pose(1),
		Root:   figure.Neck,
		Boxes: []figure.Box{floor(-40, 70),
			{Min: pt(wall-8, 0, -40), Max: pt(wall, 180, 40), Class: "prop"}},
		Muscles: []figure.Muscle{figure.LowBack()},
	}
}

func seatedCatCow() figure.Picture {
	pose := func(round float64) figure.Pose {
		b := figure.Lie(pt(-14, 55, 0), pt(0, 0, 1)).
			Spine(deg(92-round*0.4, 0), deg(88-round*0.9, 0), deg(92-round*1.4, 0), pt(0, 0, 1)).
			Head(deg(92-round*1.9, 0), deg(-round*1.4, 0))
		for _, s := range []figure.Side{near, far} {
			b.LegTo(s, pt(b.At(s.Hip()).X+46, ankleY, sideZ(s, 11)), pt(0, 1, 0), dir(1, -0.25, 0))
			b.ArmTo(s, b.At(s.Knee()).Add(pt(-3, 7, 0)), pt(-0.3, 0, sideZ(s, 1)), dir(1, -0.5, 0))
		}
		return b.Pose()
	}
	return figure.Picture{
		Camera:  figure.Camera{Yaw: 12, Pitch: 10},
		Start:   pose(38),
		Held:    pose(-6),
		Boxes:   append([]figure.Box{floor(-70, 90)}, chair(-2)...),
		Muscles: []figure.Muscle{figure.LowBack()},
		Labels:  [2]string{"Round", "Tall"},
	}
}

// DrawIllustrations renders every stretch's pictures from its pose model, by
// file name: "<id>.svg" (the left side, or the only one) and, for stretches
// done on both sides, "<id>-other.svg" (its mirror image).
func DrawIllustrations() map[string][]byte {
	out := map[string][]byte{}
	for _, s := range stretchLibrary {
		pic, ok := pictures[s.ID]
		if !ok {
			continue
		}
		pic.Title = s.Name
		out[s.ID+".svg"] = pic.SVG(false)
		if s.PerSide {
			out[s.ID+"-other.svg"] = pic.SVG(true)
		}
	}
	return out
}
