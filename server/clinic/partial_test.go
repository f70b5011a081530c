package clinic

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// partialBody is what the phone sends when an emergency question is answered yes
// before the rest of the form: the warning signs given so far, nothing else.
const partialBody = `{"id":"checkin-part1","at":"2026-11-26T11:00:00Z",
 "emergency":{"saddle-numbness":null,"bladder-bowel":true,"leg-weakness":false},"seeDoctor":{"fever":true}}`

func TestDecodeCheckInPartialWithAnEmergencyYes(t *testing.T) {
	c, err := DecodeCheckIn([]byte(partialBody), now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Partial || c.Complete() {
		t.Fatalf("partial = %v: an emergency yes with no ratings is a partial check-in", c.Partial)
	}
	if c.Tier() != EmergencyNow || strings.Join(flagStrings(c.Flags()), ",") != "bladder-bowel,fever" {
		t.Fatalf("tier %v flags %v", c.Tier(), c.Flags())
	}
	// Unanswered stays unanswered: not "no", not "unknown".
	if c.Emergency.SaddleNumbness != nil || c.Emergency.BothLegs != nil || c.Emergency.FootDrop != nil || c.SeeDoctor.NightPain != nil {
		t.Fatalf("unanswered questions were given answers: %+v %+v", c.Emergency, c.SeeDoctor)
	}
	if c.LegChange != "" || c.SitMinutes != nil || c.WokeAtNight != nil {
		t.Fatalf("leg change %q, sit %v, night %v: not answered", c.LegChange, c.SitMinutes, c.WokeAtNight)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var stored map[string]any
	if err := json.Unmarshal(b, &stored); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"soreness", "backPain", "legPain", "legChange"} {
		if v, ok := stored[k]; ok {
			t.Errorf("stored %s = %v: a partial check-in has none", k, v)
		}
	}
	if stored["partial"] != true {
		t.Errorf("stored without partial: %s", b)
	}
	em := stored["emergency"].(map[string]any)
	if v, ok := em["both-legs"]; !ok || v != nil {
		t.Errorf("both-legs stored as %v (present %v), want null", v, ok)
	}
	// Stored and read back, it is the same check-in (the outbox's resend compares with it).
	var back CheckIn
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	again, _ := DecodeCheckIn([]byte(partialBody), now.Add(time.Minute))
	if !back.Partial || !back.SameAs(again) {
		t.Fatalf("read back %+v, not the same as a resend", back)
	}
	// A complete check-in's JSON keeps its ratings, and no "partial".
	full, _ := DecodeCheckIn([]byte(validCheckIn), now)
	if b, _ := json.Marshal(full); !strings.Contains(string(b), `"soreness":6`) || strings.Contains(string(b), "partial") {
		t.Fatalf("complete check-in JSON: %s", b)
	}
	if len(Advice(c, nil, session)) != 0 {
		t.Fatal("a partial check-in gets advice")
	}
}

func flagStrings(fs []Flag) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// Without an emergency yes the whole form is still required, each error naming its field.
func TestDecodeCheckInPartialOnlyWithAnEmergencyYes(t *testing.T) {
	cases := []struct {
		name, body, field string
	}{
		{"no yes, no ratings", `{"id":"checkin-part2",` + allNo + `}`, "soreness"},
		{"see-doctor yes is not enough", `{"id":"checkin-part2",` + allNo + `,"seeDoctor":{"fever":true}}`, "soreness"},
		{"only the optional one answered no", `{"id":"checkin-part2","emergency":{"sexual-function":false}}`, "soreness"},
		{"no emergency object", `{"id":"checkin-part2","backPain":3}`, "soreness"},
		{"a yes with one rating", `{"id":"checkin-part2","soreness":3,"emergency":{"bladder-bowel":true}}`, "backPain"},
		{"a yes with two ratings", `{"id":"checkin-part2","soreness":3,"backPain":2,"emergency":{"bladder-bowel":true}}`, "legPain"},
		{"a yes with the ratings needs every answer", `{"id":"checkin-part2","soreness":3,"backPain":2,"legPain":1,"emergency":{"bladder-bowel":true}}`, "emergency.saddle-numbness"},
		{"a partial one still checks what it has", `{"id":"checkin-part2","emergency":{"foot-drop":true},"sitMinutes":-1}`, "sitMinutes"},
		{"a partial one still needs an id", `{"emergency":{"foot-drop":true}}`, "id"},
		{"a partial one has no unknown fields", `{"id":"checkin-part2","emergency":{"foot-drop":true},"pain":3}`, "pain"},
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
	// Given with the ratings, the rest of a yes check-in is complete, not partial.
	c, err := DecodeCheckIn([]byte(`{"id":"checkin-part3","soreness":3,"backPain":2,"legPain":1,`+
		strings.Replace(allNo, `"bladder-bowel":false`, `"bladder-bowel":true`, 1)+`}`), now)
	if err != nil || c.Partial || c.LegChange != LegUnknown {
		t.Fatalf("complete check-in with a yes: partial %v legChange %q err %v", c.Partial, c.LegChange, err)
	}
}

// partial is a warning-signs-only check-in: the ratings hold 0 and mean nothing, and
// mods may set answers the rules must not read (sitting, the night).
func partial(id string, hours float64, mods ...func(*CheckIn)) CheckIn {
	c := checkIn(id, hours, append([]func(*CheckIn){yes(FlagBladderBowel)}, mods...)...)
	c.Partial, c.LegChange = true, ""
	return c
}

// Every rule that reads ratings or the leg answers leaves partial check-ins out.
func TestRulesSkipPartialCheckIns(t *testing.T) {
	t.Run("leg-pain trend", func(t *testing.T) {
		hist := []CheckIn{checkIn("a", 24, leg(2)), checkIn("b", 48, leg(3)), partial("p", 60)}
		ci := checkIn("c", 72, leg(5))
		if ids := adviceIDs(Advice(ci, hist, session)); !strings.Contains(strings.Join(ids, ","), AdviceLegPainRising) {
			t.Fatalf("advice %v: leg pain 2 → 3 → 5 is rising; the partial one's 0 is not a reading", ids)
		}
	})
	t.Run("sitting", func(t *testing.T) {
		hist := []CheckIn{checkIn("a", 24, sit(60)), partial("p", 48, sit(20))}
		ci := checkIn("c", 72, sit(60))
		if ids := adviceIDs(Advice(ci, hist, session)); strings.Contains(strings.Join(ids, ","), AdviceSittingBetter) {
			t.Fatalf("advice %v: sitting 60 → 60 has not changed", ids)
		}
	})
	t.Run("summary", func(t *testing.T) {
		in := SummaryInput{LastSession: session, Now: h(24 * 5), Location: time.UTC,
			CheckIns: []CheckIn{
				checkIn("a", 24, pain(6, 7, 5), moved(LegSame), woke(false)),
				checkIn("b", 48, pain(4, 5, 3), moved(LegUp), woke(false)),
				partial("p", 60, woke(true), sit(5)),
			}}
		s := Summarize(in)
		if s.CheckIns != 2 || s.LegPain == nil || s.LegPain.Readings != 2 || s.LegPain.Latest != 5 || s.Soreness.Latest != 3 || s.BackPain.Latest != 4 {
			t.Fatalf("trends read the partial check-in: %d check-ins, leg %+v soreness %+v back %+v", s.CheckIns, s.LegPain, s.Soreness, s.BackPain)
		}
		if s.SitMinutes != nil || s.NightsAnswered != 2 || s.NightsWoken != 0 || s.LegChanges.Latest != LegUp {
			t.Fatalf("sitting %+v, nights %d/%d, leg %+v", s.SitMinutes, s.NightsWoken, s.NightsAnswered, s.LegChanges)
		}
		if s.Latest == nil || s.Latest.ID != "b" {
			t.Fatalf("latest = %+v, want the newest complete one", s.Latest)
		}
		if len(s.Flags) != 1 || s.Flags[0].CheckInID != "p" || s.Flags[0].Tier != EmergencyNow {
			t.Fatalf("flags %+v: the partial check-in's emergency is there", s.Flags)
		}
	})
	// An outbox may deliver a complete check-in after a newer partial one was handled.
	handled := h(65)
	t.Run("still sore", func(t *testing.T) {
		checks := []CheckIn{checkIn("a", 50, sore(8), received(70)), partial("p", 55)}
		if a := AttentionFor(checks, session, &handled); a != AttentionStillSore {
			t.Fatalf("attention %q: the newest complete check-in is still sore and pending", a)
		}
	})
	t.Run("worsening", func(t *testing.T) {
		checks := []CheckIn{checkIn("a", 30, moved(LegDown), received(70)), partial("p", 55)}
		if a := AttentionFor(checks, session, &handled); a != AttentionWorsening {
			t.Fatalf("attention %q: the newest complete check-in says the leg is worse", a)
		}
	})
	t.Run("emergency while pending", func(t *testing.T) {
		if a := AttentionFor([]CheckIn{checkIn("a", 30), partial("p", 55)}, session, nil); a != AttentionEmergency {
			t.Fatalf("attention %q", a)
		}
	})
	t.Run("chart", func(t *testing.T) {
		pts := Chart([]CheckIn{checkIn("a", 24, pain(3, 4, 5)), partial("p", 30)}, nil)
		if len(pts) != 2 || pts[1].Tier != EmergencyNow || pts[1].BackPain != nil || pts[1].LegPain != nil || pts[1].Soreness != nil {
			t.Fatalf("chart %+v: the partial point keeps its tier, no ratings", pts)
		}
		if pts[0].LegPain == nil || *pts[0].LegPain != 4 {
			t.Fatalf("chart %+v", pts)
		}
	})
}
