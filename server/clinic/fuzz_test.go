package clinic

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/aftercare/aftercare/server/model"
)

// hostileSeeds are shapes every decoder must refuse with an InputError, never
// a panic (the same as server/model's fuzz seeds).
var hostileSeeds = []string{
	``,
	`null`,
	`[]`,
	`[{"id":"abcdef12"}]`,
	`"just a string"`,
	`{"a":` + strings.Repeat("[", 200) + strings.Repeat("]", 200) + `}`,
	`{"id":"abcdef12","id":"abcdef13"}`,
	"{\"note\":\"\xff\xfe\"}",
	"{\"note\":\"a\x00b\"}",
	`{"note":"a\u0000b"}`,
	`{"soreness":1e400,"legPain":99999999999999999999999}`,
	`{"soreness":-0.5}`,
	`{} {}`,
	`{"areas":[1,2,3]}`,
	`{"emergency":{"a":1}}`,
	`{"emergency":[true,false]}`,
	`{"activities":{"name":"x"}}`,
}

func addSeeds(f *testing.F, valid ...string) {
	for _, s := range valid {
		f.Add([]byte(s))
	}
	for _, s := range hostileSeeds {
		f.Add([]byte(s))
	}
}

func mustBeInputError(t *testing.T, err error) {
	t.Helper()
	var ie *model.InputError
	if err != nil && !errors.As(err, &ie) {
		t.Fatalf("non-input error %T: %v", err, err)
	}
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\t' })
}

func inRange(n int) bool { return n >= 0 && n <= 10 }

func validAt(at time.Time) bool {
	return !at.After(now.Add(10*time.Minute)) && !at.Before(now.AddDate(-1, 0, 0))
}

func validPlaces(ps []Place) bool {
	for i, p := range ps {
		if !isChoice(string(p.Area), content.CheckIn.Areas) || !isChoice(string(p.Side), content.CheckIn.Sides) ||
			slices.ContainsFunc(ps[:i], func(q Place) bool { return q.Area == p.Area }) {
			return false
		}
	}
	return true
}

func FuzzDecodeCheckIn(f *testing.F) {
	addSeeds(f,
		validCheckIn,
		`{"id":"checkin-0002","soreness":0,"backPain":0,"legPain":0,`+allNo+`}`,
		`{"id":"checkin-0003","soreness":3,"backPain":2,"legPain":8,"legChange":"down",`+
			`"emergency":{"saddle-numbness":true,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false,"sexual-function":true},`+
			`"seeDoctor":{"worse-over-week":true,"night-pain":true,"fever":null,"weight-loss":false,"cancer-history":true}}`,
		`{"id":"checkin-0004","soreness":3,"backPain":2,"legPain":8,"emergency":{"saddle-numbness":false}}`,
		`{"id":"checkin-0005","soreness":3,"backPain":2,"legPain":8,"areas":[{"area":"foot","side":"left"},{"area":"foot","side":"both"}],`+allNo+`}`,
		`{"id":"checkin-0006","soreness":3,"backPain":2,"legPain":8,"sitMinutes":1e3,"wokeAtNight":null,`+allNo+`}`,
		partialBody,
		`{"id":"checkin-0007","soreness":3,"emergency":{"foot-drop":true}}`,
		`{"id":"checkin-0008","emergency":{"foot-drop":false,"sexual-function":true},"legChange":"down","note":"x"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCheckIn(data, now)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if !clientID.MatchString(c.ID) || !validAt(c.At) || !inRange(c.Soreness) || !inRange(c.BackPain) || !inRange(c.LegPain) {
			t.Fatalf("accepted invalid check-in %+v", c)
		}
		// A partial check-in: an emergency yes, no ratings, and a leg change only if answered.
		if c.Partial && (c.Tier() != EmergencyNow || c.Soreness != 0 || c.BackPain != 0 || c.LegPain != 0) {
			t.Fatalf("accepted a partial check-in without an emergency yes, or with ratings: %+v", c)
		}
		legOK := isChoice(string(c.LegChange), content.CheckIn.LegChange.Choices) || c.Partial && c.LegChange == ""
		if !validPlaces(c.Areas) || !legOK || hasControl(c.Note) {
			t.Fatalf("accepted invalid answers %+v", c)
		}
		if c.SitMinutes != nil && (*c.SitMinutes < 0 || *c.SitMinutes > MaxSitMinutes) {
			t.Fatalf("accepted sitMinutes %d", *c.SitMinutes)
		}
		for _, a := range c.Emergency.answers() {
			if a.v == nil && a.id != FlagSexualFunction && !c.Partial {
				t.Fatalf("accepted an unanswered emergency question %q", a.id)
			}
		}
		// Whatever was accepted, the rules give an answer.
		_ = Assess(c, nil, now.Add(-48*time.Hour))
	})
}

func FuzzDecodePSFS(f *testing.F) {
	addSeeds(f,
		`{"id":"psfs-0001","at":"2026-11-26T09:00:00Z","activities":[{"name":"sitting through a film","score":3},{"name":"putting on socks","score":6}]}`,
		`{"id":"psfs-0002","activities":[{"name":"a","score":0},{"name":"b","score":10},{"name":"c","score":5}]}`,
		`{"id":"psfs-0003","activities":[{"name":"Walking","score":3},{"name":"walking","score":5}]}`,
		`{"id":"psfs-0004","activities":[{"name":"wa\u202elking","score":3}]}`,
		`{"id":"psfs-0005","activities":[]}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePSFS(data, now)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if !clientID.MatchString(p.ID) || !validAt(p.At) || len(p.Activities) < 1 || len(p.Activities) > MaxPSFSActivities {
			t.Fatalf("accepted invalid rating %+v", p)
		}
		for i, a := range p.Activities {
			if a.Name == "" || hasControl(a.Name) || !inRange(a.Score) ||
				slices.ContainsFunc(p.Activities[:i], func(b Activity) bool { return sameActivity(a.Name, b.Name) }) {
				t.Fatalf("accepted invalid activity %+v", a)
			}
		}
		if c := PSFSChange(p, p); !c.Comparable || c.Meaningful || c.Verdict != VerdictNoChange {
			t.Fatalf("a rating compared with itself changed: %+v", c)
		}
	})
}

func FuzzDecodePreparation(f *testing.F) {
	addSeeds(f,
		validPrep,
		`{"id":"prep-00002"}`,
		`{"id":"prep-00003","health":["nothing-new"],"pressure":"right"}`,
		`{"id":"prep-00004","health":["nothing-new","pregnancy"]}`,
		`{"id":"prep-00005","worse":["sitting","sitting"],"goals":["relax"],"pressure":""}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePreparation(data, now)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if !clientID.MatchString(p.ID) || !validAt(p.At) || !validPlaces(p.Areas) {
			t.Fatalf("accepted invalid form %+v", p)
		}
		if p.Pressure != "" && !isChoice(string(p.Pressure), content.Preparation.Pressure.Choices) {
			t.Fatalf("accepted pressure %q", p.Pressure)
		}
		if len(p.Health) > 1 && slices.Contains(p.Health, HealthNothingNew) {
			t.Fatalf("accepted nothing-new with %v", p.Health)
		}
		for _, n := range []string{p.WorseNote, p.GoalsNote, p.HealthNote} {
			if hasControl(n) || len([]rune(n)) > MaxPrepNote {
				t.Fatalf("accepted note %q", n)
			}
		}
	})
}
