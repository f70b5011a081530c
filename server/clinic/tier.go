package clinic

import (
	"fmt"
	"slices"
)

// Tier says how soon a check-in's answers send the client to a doctor.
// Higher is more urgent, so tiers compare with < and max.
type Tier int

// The tiers, least urgent first.
const (
	// None: no warning sign was answered yes.
	None Tier = iota
	// SeeDoctorSoon: a sign of serious illness that needs a doctor within days.
	SeeDoctorSoon
	// EmergencyNow: a sign that needs emergency care today, now.
	EmergencyNow
)

var tierNames = []string{"none", "see-doctor-soon", "emergency-now"}

// String is the tier's stable id: "none", "see-doctor-soon" or "emergency-now".
func (t Tier) String() string {
	if t < None || t > EmergencyNow {
		return fmt.Sprintf("tier(%d)", int(t))
	}
	return tierNames[t]
}

// MarshalText writes the tier's id, so JSON carries "emergency-now", not 2.
func (t Tier) MarshalText() ([]byte, error) {
	if t < None || t > EmergencyNow {
		return nil, fmt.Errorf("clinic: no tier %d", int(t))
	}
	return []byte(tierNames[t]), nil
}

// UnmarshalText reads a tier's id back.
func (t *Tier) UnmarshalText(b []byte) error {
	i := slices.Index(tierNames, string(b))
	if i < 0 {
		return fmt.Errorf("clinic: unknown tier %q", b)
	}
	*t = Tier(i)
	return nil
}

// Flag is the id of one warning-sign question. The ids are stable: stored
// check-ins, the PWA and translations key on them.
type Flag string

// Emergency flags: any one answered yes means EmergencyNow. The first three
// keep the ids of the version-1 check-in's red flags (model.RedFlags).
const (
	FlagSaddleNumbness Flag = "saddle-numbness"
	FlagBladderBowel   Flag = "bladder-bowel"
	FlagLegWeakness    Flag = "leg-weakness"
	FlagBothLegs       Flag = "both-legs"
	FlagFootDrop       Flag = "foot-drop"
	// FlagSexualFunction is asked plainly and may be skipped.
	FlagSexualFunction Flag = "sexual-function"
)

// See-doctor flags: any one answered yes (and no emergency flag) means SeeDoctorSoon.
const (
	FlagWorseOverWeek Flag = "worse-over-week"
	FlagNightPain     Flag = "night-pain"
	FlagFever         Flag = "fever"
	FlagWeightLoss    Flag = "weight-loss"
	FlagCancerHistory Flag = "cancer-history"
)

// EmergencyFlags lists the emergency questions in the order they are asked.
var EmergencyFlags = []Flag{FlagSaddleNumbness, FlagBladderBowel, FlagLegWeakness, FlagBothLegs, FlagFootDrop, FlagSexualFunction}

// SeeDoctorFlags lists the see-doctor questions in the order they are asked.
var SeeDoctorFlags = []Flag{FlagWorseOverWeek, FlagNightPain, FlagFever, FlagWeightLoss, FlagCancerHistory}

// Tier is the tier a yes to this question raises; None for an unknown flag.
func (f Flag) Tier() Tier {
	switch {
	case slices.Contains(EmergencyFlags, f):
		return EmergencyNow
	case slices.Contains(SeeDoctorFlags, f):
		return SeeDoctorSoon
	}
	return None
}

// Tier is the check-in's tier: EmergencyNow if any emergency question was
// answered yes, else SeeDoctorSoon if any see-doctor question was, else None.
// Any one yes is enough; a skipped optional question counts as no.
func (c CheckIn) Tier() Tier {
	t := None
	for _, f := range c.Flags() {
		t = max(t, f.Tier())
	}
	return t
}

// Flags lists the questions answered yes: emergency ones first, each group in
// the order it is asked.
func (c CheckIn) Flags() []Flag {
	out := []Flag{}
	for _, a := range c.Emergency.answers() {
		if a.v != nil && *a.v {
			out = append(out, a.id)
		}
	}
	for _, a := range c.SeeDoctor.answers() {
		if a.v != nil && *a.v {
			out = append(out, a.id)
		}
	}
	return out
}
