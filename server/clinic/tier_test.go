package clinic

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

var session = time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)

// calm answers every required emergency question no and skips the optional one.
func calm() EmergencyAnswers {
	f := ptr(false)
	return EmergencyAnswers{SaddleNumbness: f, BladderBowel: f, LegWeakness: f, BothLegs: f, FootDrop: f}
}

// checkIn is a check-in hours after the session with no warning signs, changed by mods.
func checkIn(id string, hours float64, mods ...func(*CheckIn)) CheckIn {
	c := CheckIn{ID: id, At: session.Add(time.Duration(hours * float64(time.Hour))), Areas: []Place{}, Feelings: []string{},
		LegChange: LegUnknown, Emergency: calm()}
	c.ReceivedAt = c.At
	for _, m := range mods {
		m(&c)
	}
	return c
}

// setTo sets the question f to v.
func setTo(f Flag, v *bool) func(*CheckIn) {
	if f.Tier() == None {
		panic("no question " + f)
	}
	return func(c *CheckIn) { setAnswer(c, f, v) }
}

func setAnswer(c *CheckIn, f Flag, v *bool) {
	switch f {
	case FlagSaddleNumbness:
		c.Emergency.SaddleNumbness = v
	case FlagBladderBowel:
		c.Emergency.BladderBowel = v
	case FlagLegWeakness:
		c.Emergency.LegWeakness = v
	case FlagBothLegs:
		c.Emergency.BothLegs = v
	case FlagFootDrop:
		c.Emergency.FootDrop = v
	case FlagSexualFunction:
		c.Emergency.SexualFunction = v
	case FlagWorseOverWeek:
		c.SeeDoctor.WorseOverWeek = v
	case FlagNightPain:
		c.SeeDoctor.NightPain = v
	case FlagFever:
		c.SeeDoctor.Fever = v
	case FlagWeightLoss:
		c.SeeDoctor.WeightLoss = v
	case FlagCancerHistory:
		c.SeeDoctor.CancerHistory = v
	}
}

func yes(f Flag) func(*CheckIn) { return setTo(f, ptr(true)) }
func no(f Flag) func(*CheckIn)  { return setTo(f, ptr(false)) }

func TestTier(t *testing.T) {
	cases := []struct {
		name  string
		mods  []func(*CheckIn)
		tier  Tier
		flags []Flag
	}{
		{"nothing", nil, None, nil},
		{"saddle numbness", []func(*CheckIn){yes(FlagSaddleNumbness)}, EmergencyNow, []Flag{FlagSaddleNumbness}},
		{"bladder or bowel", []func(*CheckIn){yes(FlagBladderBowel)}, EmergencyNow, []Flag{FlagBladderBowel}},
		{"leg weakness severe or worse", []func(*CheckIn){yes(FlagLegWeakness)}, EmergencyNow, []Flag{FlagLegWeakness}},
		{"both legs", []func(*CheckIn){yes(FlagBothLegs)}, EmergencyNow, []Flag{FlagBothLegs}},
		{"foot slaps or catches", []func(*CheckIn){yes(FlagFootDrop)}, EmergencyNow, []Flag{FlagFootDrop}},
		{"sexual function", []func(*CheckIn){yes(FlagSexualFunction)}, EmergencyNow, []Flag{FlagSexualFunction}},
		{"sexual function answered no", []func(*CheckIn){no(FlagSexualFunction)}, None, nil},
		{"worse over a week", []func(*CheckIn){yes(FlagWorseOverWeek)}, SeeDoctorSoon, []Flag{FlagWorseOverWeek}},
		{"night pain rest does not ease", []func(*CheckIn){yes(FlagNightPain)}, SeeDoctorSoon, []Flag{FlagNightPain}},
		{"fever", []func(*CheckIn){yes(FlagFever)}, SeeDoctorSoon, []Flag{FlagFever}},
		{"weight loss", []func(*CheckIn){yes(FlagWeightLoss)}, SeeDoctorSoon, []Flag{FlagWeightLoss}},
		{"cancer history", []func(*CheckIn){yes(FlagCancerHistory)}, SeeDoctorSoon, []Flag{FlagCancerHistory}},
		{"see-doctor answered no", []func(*CheckIn){no(FlagFever), no(FlagCancerHistory)}, None, nil},
		{"emergency beats see-doctor", []func(*CheckIn){yes(FlagFever), yes(FlagFootDrop)}, EmergencyNow, []Flag{FlagFootDrop, FlagFever}},
		{"several of both, in asking order", []func(*CheckIn){yes(FlagCancerHistory), yes(FlagBladderBowel), yes(FlagWorseOverWeek), yes(FlagSaddleNumbness)},
			EmergencyNow, []Flag{FlagSaddleNumbness, FlagBladderBowel, FlagWorseOverWeek, FlagCancerHistory}},
		// Severe pain alone is not a warning sign: the tier comes from the questions only.
		{"pain 10 without a sign", []func(*CheckIn){func(c *CheckIn) { c.LegPain, c.BackPain, c.Soreness = 10, 10, 10 }}, None, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := checkIn("tier-case-1", 30, tc.mods...)
			if got := c.Tier(); got != tc.tier {
				t.Fatalf("tier = %v, want %v", got, tc.tier)
			}
			if got := c.Flags(); !slices.Equal(got, tc.flags) && !(len(got) == 0 && len(tc.flags) == 0) {
				t.Fatalf("flags = %v, want %v", got, tc.flags)
			}
		})
	}
}

func TestTierFromDecodedCheckIn(t *testing.T) {
	body := `{"id":"checkin-0009","soreness":2,"backPain":3,"legPain":6,` +
		`"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":true,"foot-drop":false,"sexual-function":null},` +
		`"seeDoctor":{"night-pain":true}}`
	c, err := DecodeCheckIn([]byte(body), now)
	if err != nil {
		t.Fatal(err)
	}
	if c.Tier() != EmergencyNow || !slices.Equal(c.Flags(), []Flag{FlagBothLegs, FlagNightPain}) {
		t.Fatalf("tier %v flags %v", c.Tier(), c.Flags())
	}
}

func TestTierJSON(t *testing.T) {
	for tier, id := range map[Tier]string{None: "none", SeeDoctorSoon: "see-doctor-soon", EmergencyNow: "emergency-now"} {
		b, err := json.Marshal(tier)
		if err != nil || string(b) != `"`+id+`"` {
			t.Fatalf("%d marshals to %s, %v", tier, b, err)
		}
		var back Tier
		if err := json.Unmarshal(b, &back); err != nil || back != tier {
			t.Fatalf("%s unmarshals to %v, %v", b, back, err)
		}
	}
	if _, err := json.Marshal(Tier(7)); err == nil {
		t.Fatal("an unknown tier must not marshal")
	}
	var back Tier
	if err := json.Unmarshal([]byte(`"panic"`), &back); err == nil {
		t.Fatal("an unknown tier id must not unmarshal")
	}
}
