package clinic

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

func sore(n int) func(*CheckIn)        { return func(c *CheckIn) { c.Soreness = n } }
func leg(n int) func(*CheckIn)         { return func(c *CheckIn) { c.LegPain = n } }
func moved(l LegChange) func(*CheckIn) { return func(c *CheckIn) { c.LegChange = l } }
func sit(m int) func(*CheckIn)         { return func(c *CheckIn) { c.SitMinutes = ptr(m) } }
func woke(v bool) func(*CheckIn)       { return func(c *CheckIn) { c.WokeAtNight = ptr(v) } }

func adviceIDs(items []AdviceItem) []string {
	ids := make([]string, len(items))
	for i, a := range items {
		ids[i] = a.ID
	}
	return ids
}

func TestAdviceRules(t *testing.T) {
	cases := []struct {
		name    string
		ci      CheckIn
		history []CheckIn
		want    []string
	}{
		// Soreness after the massage: normal within 48 h, the therapist at 48 h, stronger at 72 h.
		{"sore the next day is normal", checkIn("c-000001", 24, sore(8)), nil, []string{AdviceSorenessNorm}},
		{"just before 48 h is still normal", checkIn("c-000001", 47.99, sore(9)), nil, []string{AdviceSorenessNorm}},
		{"no soreness, nothing to say", checkIn("c-000001", 24, sore(0)), nil, []string{}},
		{"before the session: no soreness rule", checkIn("c-000001", -2, sore(5)), nil, []string{}},
		{"7 at 48 h: contact the therapist", checkIn("c-000001", 48, sore(7)), nil, []string{AdviceSoreness48h}},
		{"6 at 48 h: below the threshold", checkIn("c-000001", 50, sore(6)), nil, []string{}},
		{"9 just before 72 h: the 48 h advice", checkIn("c-000001", 71.99, sore(9)), nil, []string{AdviceSoreness48h}},
		{"7 at 72 h: the stronger advice", checkIn("c-000001", 72, sore(7)), nil, []string{AdviceSoreness72h}},
		{"10 after five days: the stronger advice", checkIn("c-000001", 120, sore(10)), nil, []string{AdviceSoreness72h}},
		{"6 at 72 h: below the threshold", checkIn("c-000001", 80, sore(6)), nil, []string{}},

		// Where the leg symptoms went.
		{"moving down the leg", checkIn("c-000001", 30, moved(LegDown)), nil, []string{AdviceLegMovingDown}},
		{"moving up toward the back", checkIn("c-000001", 30, moved(LegUp)), nil, []string{AdviceLegMovingUp}},
		{"same place", checkIn("c-000001", 30, moved(LegSame)), nil, []string{}},
		{"not sure", checkIn("c-000001", 30, moved(LegUnknown)), nil, []string{}},

		// Leg pain rising across the last three check-ins.
		{"leg pain 3, 4, 5 is rising", checkIn("c-000003", 72, leg(5)),
			[]CheckIn{checkIn("c-000001", 24, leg(3)), checkIn("c-000002", 48, leg(4))}, []string{AdviceLegPainRising}},
		{"leg pain 2, 2, 4 is rising", checkIn("c-000003", 72, leg(4)),
			[]CheckIn{checkIn("c-000001", 24, leg(2)), checkIn("c-000002", 48, leg(2))}, []string{AdviceLegPainRising}},
		{"leg pain 3, 3, 4 is one point: not rising", checkIn("c-000003", 72, leg(4)),
			[]CheckIn{checkIn("c-000001", 24, leg(3)), checkIn("c-000002", 48, leg(3))}, []string{}},
		{"leg pain 2, 5, 4 dipped: not rising", checkIn("c-000003", 72, leg(4)),
			[]CheckIn{checkIn("c-000001", 24, leg(2)), checkIn("c-000002", 48, leg(5))}, []string{}},
		{"two readings are not a trend", checkIn("c-000002", 48, leg(6)),
			[]CheckIn{checkIn("c-000001", 24, leg(2))}, []string{}},
		{"only the last three count", checkIn("c-000004", 96, leg(5)),
			[]CheckIn{checkIn("c-000001", 24, leg(1)), checkIn("c-000002", 48, leg(4)), checkIn("c-000003", 72, leg(4))}, []string{}},
		{"a reading older than 14 days does not count", checkIn("c-000003", 24*16, leg(5)),
			[]CheckIn{checkIn("c-000001", 24, leg(2)), checkIn("c-000002", 24*15, leg(4))}, []string{}},
		{"later check-ins in the history are ignored", checkIn("c-000002", 48, leg(5)),
			[]CheckIn{checkIn("c-000001", 24, leg(3)), checkIn("c-000003", 72, leg(4))}, []string{}},
		{"history given newest first", checkIn("c-000003", 72, leg(6)),
			[]CheckIn{checkIn("c-000002", 48, leg(5)), checkIn("c-000001", 24, leg(4))}, []string{AdviceLegPainRising}},
		{"many, shuffled: the two just before count", checkIn("c-000006", 144, leg(5)),
			[]CheckIn{checkIn("c-000005", 120, leg(4)), checkIn("c-000001", 24, leg(9)), checkIn("c-000003", 72, leg(1)),
				checkIn("c-000007", 150, leg(0)), checkIn("c-000004", 96, leg(3)), checkIn("c-000002", 48, leg(8))}, []string{AdviceLegPainRising}},
		{"many, shuffled: a dip just before", checkIn("c-000006", 144, leg(5)),
			[]CheckIn{checkIn("c-000005", 120, leg(2)), checkIn("c-000001", 24, leg(1)), checkIn("c-000003", 72, leg(2)),
				checkIn("c-000004", 96, leg(3)), checkIn("c-000002", 48, leg(2))}, []string{}},
		{"same time: the id orders them", checkIn("c-000003", 72, leg(5)),
			[]CheckIn{checkIn("c-000004", 72, leg(0)), checkIn("c-000002", 72, leg(4)), checkIn("c-000001", 72, leg(3))}, []string{AdviceLegPainRising}},
		{"the check-in itself in the history", checkIn("c-000003", 72, leg(6)),
			[]CheckIn{checkIn("c-000003", 72, leg(6)), checkIn("c-000002", 48, leg(5)), checkIn("c-000001", 24, leg(4))}, []string{AdviceLegPainRising}},

		// Night waking.
		{"pain woke me", checkIn("c-000001", 30, woke(true)), nil, []string{AdviceNightWaking}},
		{"slept through", checkIn("c-000001", 30, woke(false)), nil, []string{}},

		// Sitting tolerance against the previous answer: at least 10 minutes and a quarter.
		{"sitting 20 → 30 is better", checkIn("c-000002", 50, sit(30)), []CheckIn{checkIn("c-000001", 26, sit(20))}, []string{AdviceSittingBetter}},
		{"sitting 20 → 29 is the same", checkIn("c-000002", 50, sit(29)), []CheckIn{checkIn("c-000001", 26, sit(20))}, []string{}},
		{"sitting 60 → 74 is under a quarter", checkIn("c-000002", 50, sit(74)), []CheckIn{checkIn("c-000001", 26, sit(60))}, []string{}},
		{"sitting 60 → 75 is better", checkIn("c-000002", 50, sit(75)), []CheckIn{checkIn("c-000001", 26, sit(60))}, []string{AdviceSittingBetter}},
		{"sitting 30 → 20 is worse", checkIn("c-000002", 50, sit(20)), []CheckIn{checkIn("c-000001", 26, sit(30))}, []string{AdviceSittingWorse}},
		{"sitting compares with the last answer given", checkIn("c-000003", 74, sit(20)),
			[]CheckIn{checkIn("c-000001", 26, sit(45)), checkIn("c-000002", 50)}, []string{AdviceSittingWorse}},
		{"sitting answer older than 14 days is not compared", checkIn("c-000002", 24*16, sit(90)),
			[]CheckIn{checkIn("c-000001", 26, sit(20))}, []string{}},
		{"many, shuffled: the latest sitting answer counts", checkIn("c-000005", 98, sit(30)),
			[]CheckIn{checkIn("c-000001", 2, sit(10)), checkIn("c-000003", 50, sit(60)), checkIn("c-000004", 74),
				checkIn("c-000006", 120, sit(5)), checkIn("c-000002", 26, sit(15))}, []string{AdviceSittingWorse}},
		{"first sitting answer: nothing to compare", checkIn("c-000001", 26, sit(20)), nil, []string{}},

		// Several at once, most pressing first.
		{"order: contact, caution, good, reassure", checkIn("c-000002", 30, sore(5), moved(LegUp), woke(true), sit(40)),
			[]CheckIn{checkIn("c-000001", 20, sit(20))}, []string{AdviceNightWaking, AdviceLegMovingUp, AdviceSittingBetter, AdviceSorenessNorm}},
		{"order: still sore and moving down", checkIn("c-000001", 49, sore(8), moved(LegDown), woke(true)),
			nil, []string{AdviceSoreness48h, AdviceLegMovingDown, AdviceNightWaking}},

		// A warning sign changes what else is said.
		{"emergency: the screen says it all", checkIn("c-000001", 49, sore(8), moved(LegDown), yes(FlagSaddleNumbness)), nil, []string{}},
		{"see a doctor: no reassurance or good news", checkIn("c-000002", 30, sore(5), moved(LegUp), woke(true), sit(40), yes(FlagFever)),
			[]CheckIn{checkIn("c-000001", 20, sit(20))}, []string{AdviceNightWaking}},
		{"see a doctor: contact advice stays", checkIn("c-000001", 73, sore(8), moved(LegDown), yes(FlagWeightLoss)),
			nil, []string{AdviceSoreness72h, AdviceLegMovingDown}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Advice(tc.ci, tc.history, session)
			if ids := adviceIDs(got); !slices.Equal(ids, tc.want) {
				t.Fatalf("advice = %v, want %v", ids, tc.want)
			}
			for _, a := range got {
				if a.Text == "" || a.Kind == "" {
					t.Fatalf("advice %q has no text or kind: %+v", a.ID, a)
				}
			}
		})
	}
}

// The texts the client reads say what each rule means.
func TestAdviceSaysWhatToDo(t *testing.T) {
	cases := []struct {
		ci        CheckIn
		id        string
		words     []string
		tellTher  bool
		wantKind  Kind
		forbidden []string
	}{
		{checkIn("c-000001", 24, sore(6)), AdviceSorenessNorm, []string{"normal", "48 hours"}, false, KindReassure, nil},
		{checkIn("c-000001", 50, sore(7)), AdviceSoreness48h, []string{"therapist"}, true, KindContact, nil},
		{checkIn("c-000001", 80, sore(7)), AdviceSoreness72h, []string{"call your therapist today", "see a doctor"}, true, KindContact, nil},
		{checkIn("c-000001", 30, moved(LegDown)), AdviceLegMovingDown, []string{"tell your therapist", "rest any stretch"}, true, KindContact, nil},
		{checkIn("c-000001", 30, moved(LegUp)), AdviceLegMovingUp, []string{"good sign"}, false, KindGood, nil},
	}
	for _, tc := range cases {
		got := Advice(tc.ci, nil, session)
		if len(got) != 1 || got[0].ID != tc.id {
			t.Fatalf("advice = %v, want [%s]", adviceIDs(got), tc.id)
		}
		a := got[0]
		for _, w := range tc.words {
			if !strings.Contains(strings.ToLower(a.Text), w) {
				t.Errorf("%s: %q does not say %q", a.ID, a.Text, w)
			}
		}
		if a.TellTherapist != tc.tellTher || a.Kind != tc.wantKind {
			t.Errorf("%s: tellTherapist %v kind %q, want %v %q", a.ID, a.TellTherapist, a.Kind, tc.tellTher, tc.wantKind)
		}
	}
}

// StillSore is the product's existing rule, so the clients list, the
// therapist alert and the 48 h banner can move here without changing.
func TestStillSoreIsTheExistingRule(t *testing.T) {
	for soreness := 0; soreness <= 10; soreness++ {
		for _, h := range []float64{-1, 0, 24, 47.9, 48, 48.1, 71.9, 72, 200} {
			at := session.Add(time.Duration(h * float64(time.Hour)))
			old := model.CheckIn{Soreness: soreness, At: at}.StillSoreAfter48h(session)
			if got := StillSore(soreness, at, session); got != old {
				t.Fatalf("soreness %d at %v h: StillSore %v, model %v", soreness, h, got, old)
			}
		}
	}
}

func TestAssessTellsTheTherapist(t *testing.T) {
	cases := []struct {
		name string
		ci   CheckIn
		want bool
	}{
		{"normal soreness", checkIn("c-000001", 24, sore(6)), false},
		{"good news", checkIn("c-000001", 30, moved(LegUp)), false},
		{"night waking alone", checkIn("c-000001", 30, woke(true)), false},
		{"still sore at 48 h", checkIn("c-000001", 50, sore(8)), true},
		{"moving down the leg", checkIn("c-000001", 30, moved(LegDown)), true},
		{"see a doctor", checkIn("c-000001", 30, yes(FlagNightPain)), true},
		{"emergency", checkIn("c-000001", 30, yes(FlagBladderBowel)), true},
	}
	for _, tc := range cases {
		a := Assess(tc.ci, nil, session)
		if a.TellTherapist() != tc.want {
			t.Errorf("%s: TellTherapist = %v, want %v (%+v)", tc.name, a.TellTherapist(), tc.want, a)
		}
		if a.Tier != tc.ci.Tier() || !slices.Equal(a.Flags, tc.ci.Flags()) {
			t.Errorf("%s: assessment tier/flags %v %v", tc.name, a.Tier, a.Flags)
		}
	}
}
