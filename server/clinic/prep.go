package clinic

import (
	"reflect"
	"slices"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// Pressure is how the last session's pressure felt.
type Pressure string

// The pressure answers; empty when not answered (a first session has no "last time").
const (
	PressureTooMuch   Pressure = "too-much"
	PressureRight     Pressure = "right"
	PressureNotEnough Pressure = "not-enough"
)

// MaxPrepNote is the length of each free line of the preparation form.
const MaxPrepNote = 300

// Preparation is the client's "Prepare for your session" form. Every answer
// is optional; lists hold ids of the content table's choices in its order.
type Preparation struct {
	// ID is chosen by the phone so a resend is stored once.
	ID string    `json:"id"`
	At time.Time `json:"at"`
	// Areas and Feelings: where it hurts now and how it feels.
	Areas    []Place  `json:"areas"`
	Feelings []string `json:"feelings"`
	// Worse lists movements that make it worse; WorseNote is the client's own line.
	Worse     []string `json:"worse"`
	WorseNote string   `json:"worseNote"`
	// Goals for this session, and the client's own line.
	Goals     []string `json:"goals"`
	GoalsNote string   `json:"goalsNote"`
	Pressure  Pressure `json:"pressure"`
	// Health lists what is new in the client's health; HealthNothingNew alone
	// says "nothing new", an empty list that the question was not answered.
	Health     []string  `json:"health"`
	HealthNote string    `json:"healthNote"`
	ReceivedAt time.Time `json:"receivedAt"`
	atSent     bool
}

// PreparationInput is the body the app sends.
type PreparationInput struct {
	ID         string       `json:"id"`
	At         string       `json:"at"`
	Areas      []PlaceInput `json:"areas"`
	Feelings   []string     `json:"feelings"`
	Worse      []string     `json:"worse"`
	WorseNote  string       `json:"worseNote"`
	Goals      []string     `json:"goals"`
	GoalsNote  string       `json:"goalsNote"`
	Pressure   string       `json:"pressure"`
	Health     []string     `json:"health"`
	HealthNote string       `json:"healthNote"`
}

// DecodePreparation validates the preparation form: known choices only,
// "nothing-new" not ticked with anything else, free lines of at most
// MaxPrepNote characters. Errors are *model.InputError naming the field.
func DecodePreparation(data []byte, now time.Time) (Preparation, error) {
	var in PreparationInput
	if err := model.DecodeStrict(data, &in); err != nil {
		return Preparation{}, err
	}
	p := Preparation{ID: in.ID, ReceivedAt: now.UTC(), atSent: in.At != ""}
	var err error
	if err = checkID(in.ID); err != nil {
		return p, err
	}
	if p.At, err = model.ClientTime("at", in.At, now); err != nil {
		return p, err
	}
	t := content.Preparation
	if p.Areas, err = places("areas", in.Areas); err != nil {
		return p, err
	}
	if p.Feelings, err = pick("feelings", in.Feelings, content.CheckIn.Feelings); err != nil {
		return p, err
	}
	if p.Worse, err = pick("worse", in.Worse, t.Worse.Choices); err != nil {
		return p, err
	}
	if p.Goals, err = pick("goals", in.Goals, t.Goals.Choices); err != nil {
		return p, err
	}
	if in.Pressure != "" && !isChoice(in.Pressure, t.Pressure.Choices) {
		return p, bad("pressure", "unknown value %q (one of %s, or leave it out)", in.Pressure, choiceIDs(t.Pressure.Choices))
	}
	p.Pressure = Pressure(in.Pressure)
	if p.Health, err = pick("health", in.Health, t.Health.Choices); err != nil {
		return p, err
	}
	if len(p.Health) > 1 && slices.Contains(p.Health, HealthNothingNew) {
		return p, bad("health", "%q cannot be ticked together with other items", HealthNothingNew)
	}
	for _, n := range []struct {
		field string
		in    string
		out   *string
	}{{"worseNote", in.WorseNote, &p.WorseNote}, {"goalsNote", in.GoalsNote, &p.GoalsNote}, {"healthNote", in.HealthNote, &p.HealthNote}} {
		if *n.out, err = model.CleanText(n.field, n.in, MaxPrepNote, false); err != nil {
			return p, err
		}
	}
	return p, nil
}

// SameAs reports whether sent, a decoded form that reuses p's id, says what p says (see CheckIn.SameAs).
func (p Preparation) SameAs(sent Preparation) bool {
	if sent.atSent && !p.At.Equal(sent.At) {
		return false
	}
	a, b := p, sent
	a.At, b.At, a.ReceivedAt, b.ReceivedAt, a.atSent, b.atSent = time.Time{}, time.Time{}, time.Time{}, time.Time{}, false, false
	return reflect.DeepEqual(a, b)
}
