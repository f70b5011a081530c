package clinic

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// allNo answers every required emergency question no.
const allNo = `"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false}`

const validCheckIn = `{"id":"checkin-0001","at":"2026-11-26T11:00:00+01:00","soreness":6,"backPain":4,"legPain":5,
 "areas":[{"area":"below-knee","side":"left"},{"area":"back","side":"both"}],"feelings":["tingling","dull","tingling"],
 "legChange":"up","sitMinutes":30,"wokeAtNight":true,` + allNo + `,
 "seeDoctor":{"fever":false},"note":"  better after the walk  "}`

func TestDecodeCheckInAcceptsAFullCheckIn(t *testing.T) {
	c, err := DecodeCheckIn([]byte(validCheckIn), now)
	if err != nil {
		t.Fatal(err)
	}
	if c.ID != "checkin-0001" || !c.At.Equal(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)) || !c.ReceivedAt.Equal(now) {
		t.Fatalf("id/at/received = %q %v %v", c.ID, c.At, c.ReceivedAt)
	}
	if c.Soreness != 6 || c.BackPain != 4 || c.LegPain != 5 {
		t.Fatalf("ratings = %d %d %d", c.Soreness, c.BackPain, c.LegPain)
	}
	// Stored in the content table's order (back before below-knee; dull before tingling), once each.
	want := []Place{{AreaBack, SideBoth}, {AreaBelowKnee, SideLeft}}
	if len(c.Areas) != 2 || c.Areas[0] != want[0] || c.Areas[1] != want[1] {
		t.Fatalf("areas = %+v", c.Areas)
	}
	if strings.Join(c.Feelings, ",") != "dull,tingling" {
		t.Fatalf("feelings = %q", c.Feelings)
	}
	if c.LegChange != LegUp || c.SitMinutes == nil || *c.SitMinutes != 30 || c.WokeAtNight == nil || !*c.WokeAtNight {
		t.Fatalf("legChange/sit/night = %q %v %v", c.LegChange, c.SitMinutes, c.WokeAtNight)
	}
	if c.Note != "better after the walk" {
		t.Fatalf("note = %q", c.Note)
	}
	if c.Tier() != None || len(c.Flags()) != 0 {
		t.Fatalf("tier %v flags %v for all-no answers", c.Tier(), c.Flags())
	}
}

func TestDecodeCheckInDefaults(t *testing.T) {
	c, err := DecodeCheckIn([]byte(`{"id":"checkin-0002","soreness":0,"backPain":0,"legPain":0,`+allNo+`}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.At.Equal(now) || c.LegChange != LegUnknown || c.SitMinutes != nil || c.WokeAtNight != nil || c.Areas == nil || c.Feelings == nil {
		t.Fatalf("defaults not applied: %+v", c)
	}
	if c.Emergency.SexualFunction != nil {
		t.Fatal("a skipped optional question must stay unanswered")
	}
}

func TestDecodeCheckInRefusesWithTheFieldNamed(t *testing.T) {
	base := func(repl ...string) string {
		s := `{"id":"checkin-0003","soreness":3,"backPain":3,"legPain":3,` + allNo + `}`
		for i := 0; i < len(repl); i += 2 {
			s = strings.Replace(s, repl[i], repl[i+1], 1)
		}
		return s
	}
	cases := []struct {
		name, body, field string
	}{
		{"no id", base(`"id":"checkin-0003",`, ``), "id"},
		{"short id", base(`checkin-0003`, `abc`), "id"},
		{"future", base(`"soreness":3`, `"at":"2026-11-27T12:00:00Z","soreness":3`), "at"},
		{"bad time", base(`"soreness":3`, `"at":"yesterday","soreness":3`), "at"},
		{"no soreness", base(`"soreness":3,`, ``), "soreness"},
		{"soreness 11", base(`"soreness":3`, `"soreness":11`), "soreness"},
		{"back pain -1", base(`"backPain":3`, `"backPain":-1`), "backPain"},
		{"leg pain null", base(`"legPain":3`, `"legPain":null`), "legPain"},
		{"leg pain text", base(`"legPain":3`, `"legPain":"3"`), "legPain"},
		{"leg pain fraction", base(`"legPain":3`, `"legPain":2.5`), "legPain"},
		{"unknown area", base(`"legPain":3`, `"legPain":3,"areas":[{"area":"neck","side":"left"}]`), "areas[0].area"},
		{"unknown side", base(`"legPain":3`, `"legPain":3,"areas":[{"area":"foot","side":"middle"}]`), "areas[0].side"},
		{"area twice", base(`"legPain":3`, `"legPain":3,"areas":[{"area":"foot","side":"left"},{"area":"foot","side":"right"}]`), "areas[1].area"},
		{"area extra key", base(`"legPain":3`, `"legPain":3,"areas":[{"area":"foot","side":"left","pain":9}]`), "pain"},
		{"unknown feeling", base(`"legPain":3`, `"legPain":3,"feelings":["itchy"]`), "feelings[0]"},
		{"unknown leg change", base(`"legPain":3`, `"legPain":3,"legChange":"sideways"`), "legChange"},
		{"sit too long", base(`"legPain":3`, `"legPain":3,"sitMinutes":721`), "sitMinutes"},
		{"sit negative", base(`"legPain":3`, `"legPain":3,"sitMinutes":-5`), "sitMinutes"},
		{"night not bool", base(`"legPain":3`, `"legPain":3,"wokeAtNight":"yes"`), "wokeAtNight"},
		{"no emergency answers", base(`,`+allNo, ``), "emergency"},
		{"emergency unanswered", base(`"foot-drop":false`, `"foot-drop":null`), "emergency.foot-drop"},
		{"emergency left out", base(`,"both-legs":false`, ``), "emergency.both-legs"},
		{"emergency not bool", base(`"saddle-numbness":false`, `"saddle-numbness":"no"`), "emergency.saddle-numbness"},
		{"unknown warning sign", base(`"foot-drop":false`, `"foot-drop":false,"headache":true`), "headache"},
		{"unknown see-doctor", base(`"legPain":3`, `"legPain":3,"seeDoctor":{"cough":true}`), "cough"},
		{"see-doctor not bool", base(`"legPain":3`, `"legPain":3,"seeDoctor":{"fever":1}`), "seeDoctor.fever"},
		{"note too long", base(`"legPain":3`, `"legPain":3,"note":"`+strings.Repeat("a", 501)+`"`), "note"},
		{"note control", base(`"legPain":3`, `"legPain":3,"note":"a\u0007b"`), "note"},
		{"unknown field", base(`"legPain":3`, `"legPain":3,"pain":3`), "pain"},
		{"duplicate key", base(`"legPain":3`, `"legPain":3,"legPain":0`), "legPain"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCheckIn([]byte(tc.body), now)
			var ie *model.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want an InputError naming %q, got %v", tc.field, err)
			}
			if ie.Field != tc.field {
				t.Fatalf("field = %q (%v), want %q", ie.Field, err, tc.field)
			}
		})
	}
}

func TestCheckInSameAs(t *testing.T) {
	first, err := DecodeCheckIn([]byte(validCheckIn), now)
	if err != nil {
		t.Fatal(err)
	}
	// The same answers in another order, received later, are the same check-in.
	again := strings.Replace(validCheckIn, `[{"area":"below-knee","side":"left"},{"area":"back","side":"both"}]`,
		`[{"area":"back","side":"both"},{"area":"below-knee","side":"left"}]`, 1)
	resent, err := DecodeCheckIn([]byte(again), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !first.SameAs(resent) {
		t.Fatal("a resend of the same answers must match")
	}
	changed, err := DecodeCheckIn([]byte(strings.Replace(validCheckIn, `"legPain":5`, `"legPain":6`, 1)), now)
	if err != nil {
		t.Fatal(err)
	}
	if first.SameAs(changed) {
		t.Fatal("different leg pain under the same id must not match")
	}
	yes, err := DecodeCheckIn([]byte(strings.Replace(validCheckIn, `"foot-drop":false`, `"foot-drop":true`, 1)), now)
	if err != nil {
		t.Fatal(err)
	}
	if first.SameAs(yes) {
		t.Fatal("a different warning-sign answer under the same id must not match")
	}
	moved, err := DecodeCheckIn([]byte(strings.Replace(validCheckIn, `11:00:00+01:00`, `11:05:00+01:00`, 1)), now)
	if err != nil {
		t.Fatal(err)
	}
	if first.SameAs(moved) {
		t.Fatal("a resend with another time of its own must not match")
	}
	noAt, err := DecodeCheckIn([]byte(strings.Replace(validCheckIn, `"at":"2026-11-26T11:00:00+01:00",`, ``, 1)), now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if !first.SameAs(noAt) {
		t.Fatal("a resend without a time of its own must match on its answers")
	}
}

// What the store keeps (JSON) still matches a resend of the same answers.
func TestSameAsAfterStoring(t *testing.T) {
	roundTrip := func(v, out any) {
		t.Helper()
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatal(err)
		}
	}
	for _, body := range []string{validCheckIn, `{"id":"checkin-0002","soreness":0,"backPain":0,"legPain":0,` + allNo + `}`} {
		sent, err := DecodeCheckIn([]byte(body), now)
		if err != nil {
			t.Fatal(err)
		}
		var stored CheckIn
		roundTrip(sent, &stored)
		if !stored.SameAs(sent) || stored.Tier() != sent.Tier() {
			t.Fatalf("stored %+v does not match its resend %+v", stored, sent)
		}
	}
	prep, err := DecodePreparation([]byte(validPrep), now)
	if err != nil {
		t.Fatal(err)
	}
	var storedPrep Preparation
	roundTrip(prep, &storedPrep)
	if !storedPrep.SameAs(prep) {
		t.Fatalf("stored form %+v does not match its resend", storedPrep)
	}
	rated, err := DecodePSFS([]byte(`{"id":"psfs-0009","activities":[{"name":"walking","score":3}]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	var storedRating PSFS
	roundTrip(rated, &storedRating)
	if !storedRating.SameAs(rated) {
		t.Fatalf("stored rating %+v does not match its resend", storedRating)
	}
}
