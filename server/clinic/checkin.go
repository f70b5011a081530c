package clinic

import (
	"encoding/json"
	"reflect"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// LegChange is where the leg symptoms went since the last check-in.
type LegChange string

// The answers to "since your last check-in, where are the symptoms in your leg?".
const (
	// LegDown: further down the leg, away from the back (peripheralising: a warning sign).
	LegDown LegChange = "down"
	// LegUp: up toward the back (centralising: a good sign).
	LegUp LegChange = "up"
	// LegSame: about where they were.
	LegSame LegChange = "same"
	// LegUnknown: not sure, no leg symptoms, or the first check-in.
	LegUnknown LegChange = "unknown"
)

// MaxSitMinutes bounds the sitting answer: twelve hours is "as long as I like".
const MaxSitMinutes = 720

// MaxNote is the length of the check-in's free line, as in version 1.
const MaxNote = 500

// EmergencyAnswers are the emergency questions: true is yes, false no, nil
// not answered (allowed only for FlagSexualFunction). JSON keys are the flag ids.
type EmergencyAnswers struct {
	SaddleNumbness *bool `json:"saddle-numbness"`
	BladderBowel   *bool `json:"bladder-bowel"`
	LegWeakness    *bool `json:"leg-weakness"`
	BothLegs       *bool `json:"both-legs"`
	FootDrop       *bool `json:"foot-drop"`
	SexualFunction *bool `json:"sexual-function"`
}

// SeeDoctorAnswers are the see-doctor questions; each may be left out (nil)
// when the app did not ask it this time.
type SeeDoctorAnswers struct {
	WorseOverWeek *bool `json:"worse-over-week"`
	NightPain     *bool `json:"night-pain"`
	Fever         *bool `json:"fever"`
	WeightLoss    *bool `json:"weight-loss"`
	CancerHistory *bool `json:"cancer-history"`
}

type answer struct {
	id Flag
	v  *bool
}

// answers pairs each question's id with its answer, in the order asked
// (EmergencyFlags); a test keeps the two lists in step.
func (e EmergencyAnswers) answers() []answer {
	return []answer{
		{FlagSaddleNumbness, e.SaddleNumbness}, {FlagBladderBowel, e.BladderBowel}, {FlagLegWeakness, e.LegWeakness},
		{FlagBothLegs, e.BothLegs}, {FlagFootDrop, e.FootDrop}, {FlagSexualFunction, e.SexualFunction},
	}
}

// answers pairs each question's id with its answer, in the order asked (SeeDoctorFlags).
func (s SeeDoctorAnswers) answers() []answer {
	return []answer{
		{FlagWorseOverWeek, s.WorseOverWeek}, {FlagNightPain, s.NightPain}, {FlagFever, s.Fever},
		{FlagWeightLoss, s.WeightLoss}, {FlagCancerHistory, s.CancerHistory},
	}
}

// CheckIn is the version-2 check-in: soreness and two pain ratings (NPRS),
// where it hurts, how the leg symptoms moved, sitting and sleep, and the two
// tiers of warning-sign questions.
//
// A partial check-in (Partial) answered only the warning signs: an emergency
// sign was answered yes before the rest of the form was filled in, and the
// phone sent that at once so the therapist is alerted. It has no ratings (its
// JSON leaves them out; the fields hold 0 and mean nothing), its unanswered
// questions stay unanswered, and every rule that reads ratings or leg
// symptoms leaves it out (Partial).
type CheckIn struct {
	// ID is chosen by the phone so a queued check-in sent twice is stored once.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// Soreness is post-massage muscle soreness, 0–10.
	Soreness int `json:"soreness"`
	// BackPain and LegPain are 0–10 numeric pain ratings; leg pain tracks the nerve.
	BackPain int     `json:"backPain"`
	LegPain  int     `json:"legPain"`
	Areas    []Place `json:"areas"`
	// Feelings are model.Feelings ids, in that order.
	Feelings []string `json:"feelings"`
	// LegChange is empty only in a partial check-in that did not answer it.
	LegChange LegChange `json:"legChange,omitempty"`
	// SitMinutes is how long the client can sit comfortably; nil when not answered.
	SitMinutes *int `json:"sitMinutes,omitempty"`
	// WokeAtNight is whether pain woke the client last night; nil when not answered.
	WokeAtNight *bool            `json:"wokeAtNight,omitempty"`
	Emergency   EmergencyAnswers `json:"emergency"`
	SeeDoctor   SeeDoctorAnswers `json:"seeDoctor"`
	Note        string           `json:"note"`
	ReceivedAt  time.Time        `json:"receivedAt"`
	// Partial: only the warning signs were answered (see CheckIn).
	Partial bool `json:"partial,omitempty"`
	atSent  bool // decoded with the client's own "at" (see SameAs); not stored
}

// MarshalJSON writes the check-in; a partial one without ratings, since it has none.
func (c CheckIn) MarshalJSON() ([]byte, error) {
	type plain CheckIn
	if !c.Partial {
		return json.Marshal(plain(c))
	}
	return json.Marshal(struct {
		plain
		Soreness *int `json:"soreness,omitempty"`
		BackPain *int `json:"backPain,omitempty"`
		LegPain  *int `json:"legPain,omitempty"`
	}{plain: plain(c)})
}

// Complete reports whether the check-in answered the whole form (not Partial):
// only complete ones have ratings and leg symptoms to read.
func (c CheckIn) Complete() bool { return !c.Partial }

// CheckInInput is the body of the version-2 check-in as the app sends it.
type CheckInInput struct {
	ID          string            `json:"id"`
	At          string            `json:"at"`
	Soreness    *int              `json:"soreness"`
	BackPain    *int              `json:"backPain"`
	LegPain     *int              `json:"legPain"`
	Areas       []PlaceInput      `json:"areas"`
	Feelings    []string          `json:"feelings"`
	LegChange   string            `json:"legChange"`
	SitMinutes  *int              `json:"sitMinutes"`
	WokeAtNight *bool             `json:"wokeAtNight"`
	Emergency   *EmergencyAnswers `json:"emergency"`
	SeeDoctor   *SeeDoctorAnswers `json:"seeDoctor"`
	Note        string            `json:"note"`
}

// DecodeCheckIn validates a version-2 check-in: strict JSON (model.DecodeStrict),
// every error a *model.InputError naming its field. Omitted "at" means now,
// omitted "legChange" means unknown; every emergency question but
// sexual-function must be answered true or false; see-doctor answers are optional.
//
// With an emergency question answered yes the form need not be finished: the
// three ratings may be left out together, and then the other emergency
// questions, the other answers and the note may be too. Such a check-in is
// Partial: stored as sent, with no ratings, an omitted legChange unanswered
// (not "unknown"), unanswered questions nil. One or two ratings alone are
// refused, naming the first missing; a body with the ratings is complete and
// needs every answer, as without a yes.
func DecodeCheckIn(data []byte, now time.Time) (CheckIn, error) {
	var in CheckInInput
	if err := model.DecodeStrict(data, &in); err != nil {
		return CheckIn{}, err
	}
	c := CheckIn{ID: in.ID, ReceivedAt: now.UTC(), atSent: in.At != ""}
	var err error
	if err = checkID(in.ID); err != nil {
		return c, err
	}
	if c.At, err = model.ClientTime("at", in.At, now); err != nil {
		return c, err
	}
	emergencyYes := in.Emergency != nil && in.Emergency.anyYes()
	c.Partial = emergencyYes && in.Soreness == nil && in.BackPain == nil && in.LegPain == nil
	if !c.Partial {
		if c.Soreness, err = score("soreness", in.Soreness); err != nil {
			return c, err
		}
		if c.BackPain, err = score("backPain", in.BackPain); err != nil {
			return c, err
		}
		if c.LegPain, err = score("legPain", in.LegPain); err != nil {
			return c, err
		}
	}
	if c.Areas, err = places("areas", in.Areas); err != nil {
		return c, err
	}
	if c.Feelings, err = pick("feelings", in.Feelings, content.CheckIn.Feelings); err != nil {
		return c, err
	}
	if !c.Partial {
		c.LegChange = LegUnknown
	}
	if in.LegChange != "" {
		if !isChoice(in.LegChange, content.CheckIn.LegChange.Choices) {
			return c, bad("legChange", "unknown value %q (one of %s)", in.LegChange, choiceIDs(content.CheckIn.LegChange.Choices))
		}
		c.LegChange = LegChange(in.LegChange)
	}
	if in.SitMinutes != nil {
		if *in.SitMinutes < 0 || *in.SitMinutes > MaxSitMinutes {
			return c, bad("sitMinutes", "must be a number of minutes from 0 to %d, or null", MaxSitMinutes)
		}
		c.SitMinutes = ptr(*in.SitMinutes)
	}
	if in.WokeAtNight != nil {
		c.WokeAtNight = ptr(*in.WokeAtNight)
	}
	if in.Emergency == nil {
		return c, bad("emergency", "is required: an object answering each warning-sign question true or false")
	}
	for _, a := range in.Emergency.answers() {
		// In a partial check-in a yes is enough for the emergency tier: the rest may wait.
		if a.v == nil && a.id != FlagSexualFunction && !c.Partial {
			return c, bad("emergency."+string(a.id), "is required: answer true or false")
		}
	}
	c.Emergency = in.Emergency.clone()
	if in.SeeDoctor != nil {
		c.SeeDoctor = in.SeeDoctor.clone()
	}
	if c.Note, err = model.CleanText("note", in.Note, MaxNote, false); err != nil {
		return c, err
	}
	return c, nil
}

// anyYes reports whether any emergency question was answered yes.
func (e EmergencyAnswers) anyYes() bool {
	for _, a := range e.answers() {
		if a.v != nil && *a.v {
			return true
		}
	}
	return false
}

func ptr[T any](v T) *T { return &v }

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	return ptr(*p)
}

func (e EmergencyAnswers) clone() EmergencyAnswers {
	return EmergencyAnswers{clonePtr(e.SaddleNumbness), clonePtr(e.BladderBowel), clonePtr(e.LegWeakness),
		clonePtr(e.BothLegs), clonePtr(e.FootDrop), clonePtr(e.SexualFunction)}
}

func (s SeeDoctorAnswers) clone() SeeDoctorAnswers {
	return SeeDoctorAnswers{clonePtr(s.WorseOverWeek), clonePtr(s.NightPain), clonePtr(s.Fever),
		clonePtr(s.WeightLoss), clonePtr(s.CancerHistory)}
}

// SameAs reports whether sent, a decoded check-in that reuses c's id, says
// what c says: the same answers (the decoder stores lists in one order) and,
// if sent carried a time of its own, the same time (a resend without "at" is
// stamped anew on receipt). The outbox's resend is then answered with what is stored.
func (c CheckIn) SameAs(sent CheckIn) bool {
	if sent.atSent && !c.At.Equal(sent.At) {
		return false
	}
	a, b := c, sent
	a.At, b.At, a.ReceivedAt, b.ReceivedAt, a.atSent, b.atSent = time.Time{}, time.Time{}, time.Time{}, time.Time{}, false, false
	return reflect.DeepEqual(a, b)
}

// receivedOrAt is when the server had the record: ReceivedAt, or At for a
// record stored without one.
func receivedOrAt(received, at time.Time) time.Time {
	if received.IsZero() {
		return at
	}
	return received
}
