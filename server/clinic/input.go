package clinic

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aftercare/aftercare/server/model"
)

// bad is a 400 that names its field, the house InputError.
func bad(field, format string, args ...any) error {
	return &model.InputError{Field: field, Message: fmt.Sprintf(format, args...)}
}

// clientID is the id a phone picks for a record, so a resend from its outbox
// is stored once (the same rule as model's check-ins and completions).
var clientID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

func checkID(id string) error {
	if !clientID.MatchString(id) {
		return bad("id", "must be 8–64 letters, digits, - or _")
	}
	return nil
}

// score checks a required 0–10 rating.
func score(field string, v *int) (int, error) {
	if v == nil || *v < 0 || *v > 10 {
		return 0, bad(field, "must be a number from 0 to 10")
	}
	return *v, nil
}

// pick checks every value is one of the choices' ids and returns them
// de-duplicated in the choices' order, so equal answers are stored equal.
func pick(field string, got []string, choices []Choice) ([]string, error) {
	for i, v := range got {
		if !slices.ContainsFunc(choices, func(c Choice) bool { return c.ID == v }) {
			return nil, bad(fmt.Sprintf("%s[%d]", field, i), "unknown value %q (one of %s)", v, choiceIDs(choices))
		}
	}
	out := []string{}
	for _, c := range choices {
		if slices.Contains(got, c.ID) {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

func choiceIDs(choices []Choice) string {
	ids := make([]string, len(choices))
	for i, c := range choices {
		ids[i] = c.ID
	}
	return strings.Join(ids, ", ")
}

func isChoice(id string, choices []Choice) bool {
	return slices.ContainsFunc(choices, func(c Choice) bool { return c.ID == id })
}

// Place is one area where it hurts, on one side or both.
type Place struct {
	Area Area `json:"area"`
	Side Side `json:"side"`
}

// Area is a body area of the check-in and the preparation form.
type Area string

// The areas, from the back down the leg.
const (
	AreaBack      Area = "back"
	AreaButtock   Area = "buttock"
	AreaThigh     Area = "thigh"
	AreaBelowKnee Area = "below-knee"
	AreaFoot      Area = "foot"
)

// Side is left, right or both.
type Side string

// The sides.
const (
	SideLeft  Side = "left"
	SideRight Side = "right"
	SideBoth  Side = "both"
)

// PlaceInput is one element of "areas" as the app sends it.
type PlaceInput struct {
	Area string `json:"area"`
	Side string `json:"side"`
}

// places checks the areas list: known areas and sides, each area once (the
// app offers "both" for two sides), returned in the content table's order.
func places(field string, got []PlaceInput) ([]Place, error) {
	areas, sides := content.CheckIn.Areas, content.CheckIn.Sides
	if len(got) > len(areas) {
		return nil, bad(field, "at most %d areas, each once", len(areas))
	}
	for i, p := range got {
		f := fmt.Sprintf("%s[%d]", field, i)
		if !isChoice(p.Area, areas) {
			return nil, bad(f+".area", "unknown value %q (one of %s)", p.Area, choiceIDs(areas))
		}
		if !isChoice(p.Side, sides) {
			return nil, bad(f+".side", "unknown value %q (one of %s)", p.Side, choiceIDs(sides))
		}
		if slices.ContainsFunc(got[:i], func(q PlaceInput) bool { return q.Area == p.Area }) {
			return nil, bad(f+".area", "%q is listed twice (use side \"both\" for both sides)", p.Area)
		}
	}
	out := []Place{}
	for _, a := range areas {
		if i := slices.IndexFunc(got, func(p PlaceInput) bool { return p.Area == a.ID }); i >= 0 {
			out = append(out, Place{Area: Area(got[i].Area), Side: Side(got[i].Side)})
		}
	}
	return out, nil
}
