package model

import (
	"errors"
	"slices"
	"testing"
	"time"
	"unicode"
)

// hostileSeeds are shapes every decoder must refuse with an InputError, never a panic.
var hostileSeeds = []string{
	``,
	`null`,
	`[]`,
	`[{"id":"abcdef12"}]`,
	`"just a string"`,
	`{"a":` + repeat("[", 200) + repeat("]", 200) + `}`,
	`{"id":"abcdef12","id":"abcdef13"}`,
	"{\"note\":\"\xff\xfe\"}",
	"{\"note\":\"a\x00b\"}",
	`{"note":"a\u0000b"}`,
	`{"done":1e400,"total":99999999999999999999999}`,
	`{"soreness":-0.5}`,
	`{} {}`,
	`{"keys":[1,2,3]}`,
	`{"endpoint":{"a":1}}`,
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
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
	var ie *InputError
	if err != nil && !errors.As(err, &ie) {
		t.Fatalf("non-input error %T: %v", err, err)
	}
}

func hasControl(s string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return true
		}
	}
	return false
}

func FuzzDecodeStrict(f *testing.F) {
	addSeeds(f, `{"name":"booking","count":3,"tags":["a"],"inner":{"on":true}}`, `{"name":null}`)
	f.Fuzz(func(t *testing.T, data []byte) {
		var v struct {
			Name  string   `json:"name"`
			Count int      `json:"count"`
			Tags  []string `json:"tags"`
			Inner struct {
				On bool `json:"on"`
			} `json:"inner"`
		}
		mustBeInputError(t, DecodeStrict(data, &v))
	})
}

func FuzzDecodeCompletion(f *testing.F) {
	addSeeds(f,
		`{"id":"c0mpletion-1","at":"2026-11-26T11:00:00Z","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`,
		`{"id":"c0mpletion-2","routineId":"piriformis-release","done":0,"total":1}`,
		`{"id":"short","routineId":"piriformis-release","done":3,"total":2}`,
		`{"id":"c0mpletion-3","at":"2099-01-01T00:00:00Z","routineId":"piriformis-release","done":1,"total":1}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := DecodeCompletion(data, now)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if !clientID.MatchString(c.ID) || c.Total < 1 || c.Total > 30 || c.Done < 0 || c.Done > c.Total {
			t.Fatalf("accepted invalid completion %+v", c)
		}
		if c.At.After(now.Add(10*time.Minute)) || c.At.Before(now.AddDate(-1, 0, 0)) {
			t.Fatalf("accepted completion at %v", c.At)
		}
	})
}

func FuzzDecodePrefs(f *testing.F) {
	addSeeds(f,
		`{"disabled":["hydration","tip"],"quietStart":"21:00","quietEnd":"08:00"}`,
		`{"disabled":[],"quietStart":"00:00","quietEnd":"00:00"}`,
		`{"disabled":["stretch","stretch"],"quietStart":"23:59","quietEnd":"07:30"}`,
		`{"disabled":["coffee"],"quietStart":"24:00","quietEnd":"8:00"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodePrefs(data)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if !hhmm.MatchString(p.QuietStart) || !hhmm.MatchString(p.QuietEnd) {
			t.Fatalf("accepted quiet hours %q–%q", p.QuietStart, p.QuietEnd)
		}
		for i, k := range p.Disabled {
			if !slices.Contains(ReminderKinds, k) || slices.Contains(p.Disabled[:i], k) {
				t.Fatalf("accepted disabled list %q", p.Disabled)
			}
		}
	})
}

func FuzzDecodeEndpoint(f *testing.F) {
	addSeeds(f,
		`{"endpoint":"https://fcm.googleapis.com/fcm/send/x"}`,
		`{"endpoint":""}`,
		`{"endpoint":"https://127.0.0.2/x"}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		ep, err := DecodeEndpoint(data)
		mustBeInputError(t, err)
		if err == nil && (ep == "" || len(ep) > 1024) {
			t.Fatalf("accepted endpoint of %d bytes", len(ep))
		}
	})
}

func FuzzDecodeCreateCustom(f *testing.F) {
	addSeeds(f,
		validPlan,
		`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","stretches":[{"stretchId":"childs-pose","holdSeconds":30},{"stretchId":"cat-cow","reps":8}]}`,
		`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Europe/Berlin","stretches":[]}`,
		`{"clientName":"Sam","routineId":"piriformis-release","timeZone":"Mars/Olympus","days":91}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := DecodeCreateCustom(data, now)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if p.ClientName == "" || hasControl(p.ClientName) || p.Days < MinDays || p.Days > MaxDays || len(p.Stretches) > MaxStretches {
			t.Fatalf("accepted invalid plan %+v", p)
		}
		if _, err := LoadZone("timeZone", p.TimeZone); err != nil {
			t.Fatalf("accepted zone %q", p.TimeZone)
		}
	})
}

func FuzzDecodeTemplate(f *testing.F) {
	addSeeds(f,
		`{"name":"Desk back","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}],"days":10,"cadenceDays":14,"notes":"gentle"}`,
		`{"name":"","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`,
		`{"name":"Twice","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"},{"stretchId":"childs-pose"}]}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		tpl, err := DecodeTemplate(data)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if tpl.Name == "" || hasControl(tpl.Name) || len(tpl.Stretches) == 0 || len(tpl.Stretches) > MaxStretches {
			t.Fatalf("accepted invalid template %+v", tpl)
		}
		if tpl.Days != 0 && (tpl.Days < MinDays || tpl.Days > MaxDays) {
			t.Fatalf("accepted template days %d", tpl.Days)
		}
	})
}

func FuzzDecodePlanChange(f *testing.F) {
	addSeeds(f,
		`{"nextSessionAt":"2026-12-03T10:00:00+01:00","cadenceDays":14,"extendDays":7,"notes":"more hip work"}`,
		`{"nextSessionAt":""}`,
		`{"cadenceDays":0}`,
		`{"extendDays":-1}`,
		`{}`,
	)
	f.Fuzz(func(t *testing.T, data []byte) {
		ch, err := DecodePlanChange(data)
		mustBeInputError(t, err)
		if err != nil {
			return
		}
		if ch.ExtendDays < 0 || ch.ExtendDays > MaxDays {
			t.Fatalf("accepted extendDays %d", ch.ExtendDays)
		}
		if c := ch.CadenceDays; c != nil && *c != 0 && (*c < 7 || *c > 56) {
			t.Fatalf("accepted cadenceDays %d", *c)
		}
		if !ch.SetNextSession && ch.CadenceDays == nil && ch.ExtendDays == 0 && ch.Notes == nil {
			t.Fatal("accepted an empty change")
		}
	})
}
