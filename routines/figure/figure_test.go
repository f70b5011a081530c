package figure

import (
	"bytes"
	"math"
	"regexp"
	"strconv"
	"testing"
)

func TestReachKeepsBoneLengths(t *testing.T) {
	root := V{0, 50, 0}
	for _, target := range []V{{30, 10, 5}, {0, 0, 0}, {60, 40, -10}} {
		mid, end := reach(root, target, 43, 42, V{1, 0, 0})
		if d := mid.Sub(root).Len(); math.Abs(d-43) > 1e-9 {
			t.Errorf("upper bone %.3f, want 43", d)
		}
		if d := end.Sub(mid).Len(); math.Abs(d-42) > 1e-9 {
			t.Errorf("lower bone %.3f, want 42", d)
		}
		if d := end.Sub(target).Len(); d > 1e-6 {
			t.Errorf("end misses reachable target %v by %.3f", target, d)
		}
		if mid.Sub(root.Lerp(end, 0.5)).Dot(V{1, 0, 0}) < 0 {
			t.Errorf("middle joint bends away from the hint")
		}
	}
	// Out of reach: straight, pointing at it.
	_, end := reach(root, V{0, -200, 0}, 43, 42, V{1, 0, 0})
	if math.Abs(end.Y-(50-85)) > 0.01 {
		t.Errorf("out-of-reach end at %v, want straight down 85 cm", end)
	}
}

// lying returns a body on its back with feet flat, and the same body with one
// leg raised: the far foot stays where it is.
func lying() (Pose, Pose) {
	b := func() *Body {
		return Lie(V{0, 11, 0}, V{0, 0, 1}).
			Spine(Deg(180, 0), Deg(180, 0), Deg(180, 0), V{0, 0, 1}).
			Head(Deg(180, 0), V{0, 1, 0}).
			Arm(Near, Deg(0, 0), Deg(0, 0), Deg(0, 0)).
			Arm(Far, Deg(0, 0), Deg(0, 0), Deg(0, 0)).
			LegTo(Far, V{40, 7, -10}, V{0, 1, 0}, Deg(-10, 0))
	}
	start := b().LegTo(Near, V{40, 7, 10}, V{0, 1, 0}, Deg(-10, 0)).Pose()
	held := b().Leg(Near, Deg(70, 0), Deg(70, 0), Deg(160, 0)).Pose()
	return start, held
}

func TestTweenKeepsBonesAndPlantsFeet(t *testing.T) {
	start, held := lying()
	for _, tt := range []float64{0.25, 0.5, 0.75} {
		p := Tween(start, held, tt, Pelvis)
		if e := p.BoneError(); e > 1e-6 {
			t.Errorf("t=%.2f: a bone is %.4f cm off", tt, e)
		}
		if d := p.At(Far.Ankle()).Sub(start.At(Far.Ankle())).Len(); d > 0.01 {
			t.Errorf("t=%.2f: the planted foot slid %.2f cm", tt, d)
		}
		if y := p.At(Near.Ankle()).Y; y <= start.At(Near.Ankle()).Y || y >= held.At(Near.Ankle()).Y {
			t.Errorf("t=%.2f: the moving foot at height %.1f is not between the keyframes", tt, y)
		}
	}
}

var matrixAttr = regexp.MustCompile(`transform="matrix\(([-\d.]+) `)

func scales(t *testing.T, svg []byte) []float64 {
	t.Helper()
	var out []float64
	for _, m := range matrixAttr.FindAllSubmatch(svg, -1) {
		f, err := strconv.ParseFloat(string(m[1]), 64)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f)
	}
	if len(out) != 3 {
		t.Fatalf("want 3 drawing layers, got %d", len(out))
	}
	return out
}

func TestMirrorAndLeftSideFirst(t *testing.T) {
	start, held := lying()
	// Head toward −X, face up, near side +Z: the near side is the body's right.
	pic := Picture{Title: "t", Camera: Camera{}, Start: start, Held: held, Muscles: []Muscle{Hamstring(Near)}}
	if start.nearIsLeft() {
		t.Fatal("test pose should have its right side near")
	}
	first, other := scales(t, pic.SVG(false)), scales(t, pic.SVG(true))
	for i := range first {
		if first[i] >= 0 || other[i] <= 0 {
			t.Errorf("layer %d: first side scale %v (want mirrored, < 0), other side %v (want > 0)", i, first[i], other[i])
		}
	}
}

func TestOnlyWhatMovesIsAnimated(t *testing.T) {
	start, held := lying()
	still := Picture{Title: "t", Start: start, Held: start}
	if bytes.Contains(still.SVG(false), []byte("<animate")) {
		t.Error("a picture whose keyframes are equal animates")
	}
	moving := Picture{Title: "t", Start: start, Held: held}
	svg := moving.SVG(false)
	if n := bytes.Count(svg, []byte("<animate")); n == 0 || n >= bytes.Count(svg, []byte("<path")) {
		t.Errorf("%d animations; want the moving parts only", n)
	}
}
