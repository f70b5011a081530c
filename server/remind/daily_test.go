package remind

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/robfig/cron/v3"
)

// TestDailyMatchesRobfig: the daily fast path answers as robfig's schedule does.
func TestDailyMatchesRobfig(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for _, spec := range []string{"0 19 * * *", "30 7 * * *", "59 23 * * *", "0 0 * * *", "5 12 * * *"} {
		s, err := parseSpec(spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := s.(daily); !ok {
			t.Fatalf("%s: not the daily fast path", spec)
		}
		ref, _ := cron.ParseStandard(spec)
		base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for range 20000 {
			at := base.Add(time.Duration(rng.Int64N(int64(800 * 24 * time.Hour))))
			switch rng.IntN(3) {
			case 0:
				at = at.Truncate(time.Minute)
			case 1:
				at = at.Truncate(time.Second)
			}
			if got, want := s.Next(at), ref.Next(at); !got.Equal(want) {
				t.Fatalf("%s Next(%s) = %s, robfig %s", spec, at, got, want)
			}
		}
	}
	for _, spec := range []string{"*/5 19 * * *", "0 19 * * 1", "0 19,20 * * *"} {
		if s, err := parseSpec(spec); err != nil {
			t.Fatal(err)
		} else if _, ok := s.(daily); ok {
			t.Fatalf("%s taken for daily", spec)
		}
	}
}

// TestFormatLocal: the fast formatter agrees with time.Format.
func TestFormatLocal(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	loc := mustLoc(t, "America/New_York")
	for range 10000 {
		at := time.Unix(rng.Int64N(4e9), 0).In(loc)
		if got, want := formatLocal(at), at.Format(LocalLayout); got != want {
			t.Fatalf("formatLocal(%s) = %s, want %s", at, got, want)
		}
	}
}
