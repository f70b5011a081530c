package model

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

const validPlan = `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","sessionAt":"2026-11-26T10:00:00+01:00",
 "nextSessionAt":"2026-12-03T10:00:00+01:00","timeZone":"Europe/Berlin","stretchTime":"19:00","days":14,"notes":"left piriformis"}`

func TestDecodeCreateAcceptsAValidPlan(t *testing.T) {
	p, err := DecodeCreate([]byte(validPlan), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.ClientName != "Sam" || p.TimeZone != "Europe/Berlin" || p.Days != 14 || p.NextSessionAt == nil {
		t.Fatalf("unexpected plan %+v", p)
	}
	if !p.SessionAt.Equal(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)) {
		t.Fatalf("sessionAt = %v", p.SessionAt)
	}
	if p.Prefs.QuietStart != "21:00" || p.Prefs.QuietEnd != "08:00" {
		t.Fatalf("default quiet hours not set: %+v", p.Prefs)
	}
}

func TestDecodeCreateDefaults(t *testing.T) {
	p, err := DecodeCreate([]byte(`{"clientName":"J.R.","routineId":"piriformis-release","timeZone":"America/New_York"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Days != 14 || p.StretchTime != "19:00" || !p.SessionAt.Equal(now) {
		t.Fatalf("defaults not applied: %+v", p)
	}
}

func TestDecodeCreateRejectsBadInputNamingTheField(t *testing.T) {
	cases := []struct {
		name, body, field string
	}{
		{"empty body", ``, ""},
		{"not an object", `[]`, ""},
		{"trailing data", `{"clientName":"a"} {}`, ""},
		{"unknown field", `{"clientName":"Sam","admin":true}`, "admin"},
		{"wrong type", `{"clientName":5}`, "clientName"},
		{"days as string", `{"clientName":"Sam","days":"14"}`, "days"},
		{"missing name", `{"routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"long name", `{"clientName":"` + strings.Repeat("x", 41) + `","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"control char", `{"clientName":"Sa\u0007m","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"bidi override", `{"clientName":"Sam\u202Enet","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"bidi isolate", `{"clientName":"\u2067Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"right-to-left mark", `{"clientName":"Sam\u200F","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`, "clientName"},
		{"unknown routine", `{"clientName":"Sam","routineId":"nope","timeZone":"Europe/Berlin"}`, "routineId"},
		{"override not in routine", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","overrides":[{"stretchId":"nope","holdSeconds":20}]}`, "overrides[0].stretchId"},
		{"missing zone", `{"clientName":"Sam","routineId":"piriformis-release"}`, "timeZone"},
		{"bad zone", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Mars/Olympus"}`, "timeZone"},
		{"Local zone", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Local"}`, "timeZone"},
		{"bad session time", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","sessionAt":"yesterday"}`, "sessionAt"},
		{"session long ago", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","sessionAt":"2025-01-01T10:00:00Z"}`, "sessionAt"},
		{"next before session", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","sessionAt":"2026-11-26T10:00:00Z","nextSessionAt":"2026-11-25T10:00:00Z"}`, "nextSessionAt"},
		{"bad stretch time", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","stretchTime":"25:00"}`, "stretchTime"},
		{"too many days", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","days":365}`, "days"},
		{"negative days", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","days":-1}`, "days"},
		{"odd cadence", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","cadenceDays":3}`, "cadenceDays"},
		{"deep nesting", `{"overrides":[[[[[[[[[[]]]]]]]]]]}`, ""},
		{"unknown language", `{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","language":"it"}`, "language"},
		{"language as a number", `{"clientName":"Sam","language":5}`, "language"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeCreate([]byte(tc.body), now)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want InputError, got %v", err)
			}
			if ie.Field != tc.field {
				t.Fatalf("field = %q, want %q (%v)", ie.Field, tc.field, err)
			}
		})
	}
}

// POST /api/plans embeds CreateInput in CustomCreateInput: a wrong type
// names the field as the JSON has it, not the Go struct it sits in.
func TestDecodeCreateCustomNamesFieldsAsTheJSONDoes(t *testing.T) {
	for body, want := range map[string]string{
		`{"language":5}`:                      "language",
		`{"clientName":["Sam"]}`:              "clientName",
		`{"overrides":[{"holdSeconds":"x"}]}`: "overrides.holdSeconds",
		`{"stretches":[{"reps":"x"}]}`:        "stretches.reps",
		`{"stretches":"all"}`:                 "stretches",
	} {
		_, err := DecodeCreateCustom([]byte(body), now)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != want {
			t.Errorf("%s: %v, want the field %q", body, err, want)
		}
	}
	p, err := DecodeCreateCustom([]byte(`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","language":"FR"}`), now)
	if err != nil || p.Language != "fr" {
		t.Errorf("language FR: %q, %v, want fr", p.Language, err)
	}
	if p, _ := DecodeCreateCustom([]byte(`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin"}`), now); p.Language != "" {
		t.Errorf("no language: %q, want none (the service fills the therapist's)", p.Language)
	}
}

func TestDecodeCheckIn(t *testing.T) {
	c, err := DecodeCheckIn([]byte(`{"id":"abcdef12","soreness":7,"pain":2,"areas":["left-buttock","left-buttock"],"feelings":["dull"],"redFlags":["saddle-numbness"],"note":"tight"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Urgent() || len(c.Areas) != 1 || c.Soreness != 7 {
		t.Fatalf("unexpected %+v", c)
	}
	bads := map[string]string{
		`{"id":"abcdef12","pain":2}`:                                          "soreness",
		`{"id":"abcdef12","soreness":11,"pain":2}`:                            "soreness",
		`{"id":"abcdef12","soreness":1,"pain":-1}`:                            "pain",
		`{"id":"a","soreness":1,"pain":1}`:                                    "id",
		`{"id":"abcdef12","soreness":1,"pain":1,"areas":["moon"]}`:            "areas[0]",
		`{"id":"abcdef12","soreness":1,"pain":1,"redFlags":["x"]}`:            "redFlags[0]",
		`{"id":"abcdef12","soreness":1,"pain":1,"at":"2030-01-01T00:00:00Z"}`: "at",
		`{"id":"abcdef12","soreness":"high","pain":1}`:                        "soreness",
	}
	for body, field := range bads {
		_, err := DecodeCheckIn([]byte(body), now)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Field != field {
			t.Errorf("%s: got %v, want field %s", body, err, field)
		}
	}
}

func TestStillSoreAfter48h(t *testing.T) {
	session := now.Add(-49 * time.Hour)
	if !(CheckIn{Soreness: 7, At: now}).StillSoreAfter48h(session) {
		t.Fatal("soreness 7 at 49 h should alert")
	}
	if (CheckIn{Soreness: 7, At: now.Add(-2 * time.Hour)}).StillSoreAfter48h(session) {
		t.Fatal("soreness 7 at 47 h should not alert yet")
	}
	if (CheckIn{Soreness: 6, At: now}).StillSoreAfter48h(session) {
		t.Fatal("soreness 6 should not alert")
	}
}

func TestPlanActiveWindowInClientZone(t *testing.T) {
	loc, _ := time.LoadLocation("America/New_York")
	p := Plan{TimeZone: "America/New_York", SessionAt: time.Date(2026, 11, 26, 22, 0, 0, 0, loc), Days: 2}
	if !p.Active(time.Date(2026, 11, 27, 23, 59, 0, 0, loc)) {
		t.Fatal("plan should run through its second local day")
	}
	if p.Active(time.Date(2026, 11, 28, 0, 0, 0, 0, loc)) {
		t.Fatal("plan should end at local midnight after its last day")
	}
}
