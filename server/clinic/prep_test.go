package clinic

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/model"
)

const validPrep = `{"id":"prep-00001","at":"2026-11-26T08:00:00Z",
 "areas":[{"area":"thigh","side":"right"}],"feelings":["shooting"],
 "worse":["socks-shoes","sitting","sitting"],"worseNote":"long drives",
 "goals":["sit-longer"],"goalsNote":"work on the hip",
 "pressure":"too-much","health":["new-medication","blood-thinners"],"healthNote":"started apixaban last week"}`

func TestDecodePreparation(t *testing.T) {
	p, err := DecodePreparation([]byte(validPrep), now)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Areas) != 1 || p.Areas[0] != (Place{AreaThigh, SideRight}) || !slices.Equal(p.Feelings, []string{"shooting"}) {
		t.Fatalf("areas/feelings %+v %v", p.Areas, p.Feelings)
	}
	// Stored once each, in the form's order.
	if !slices.Equal(p.Worse, []string{"sitting", "socks-shoes"}) || !slices.Equal(p.Health, []string{"blood-thinners", "new-medication"}) {
		t.Fatalf("worse %v health %v", p.Worse, p.Health)
	}
	if p.Pressure != PressureTooMuch || p.WorseNote != "long drives" || p.GoalsNote != "work on the hip" || p.HealthNote != "started apixaban last week" {
		t.Fatalf("decoded %+v", p)
	}
}

func TestDecodePreparationEverythingOptional(t *testing.T) {
	p, err := DecodePreparation([]byte(`{"id":"prep-00002"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Pressure != "" || p.Areas == nil || p.Health == nil || !p.At.Equal(now) {
		t.Fatalf("decoded %+v", p)
	}
	if _, err := DecodePreparation([]byte(`{"id":"prep-00003","health":["nothing-new"]}`), now); err != nil {
		t.Fatalf("nothing new alone: %v", err)
	}
}

func TestDecodePreparationRefusesWithTheFieldNamed(t *testing.T) {
	cases := []struct{ name, body, field string }{
		{"no id", `{"pressure":"right"}`, "id"},
		{"unknown movement", `{"id":"prep-00004","worse":["jogging"]}`, "worse[0]"},
		{"unknown goal", `{"id":"prep-00004","goals":["less-leg-pain","fly"]}`, "goals[1]"},
		{"unknown pressure", `{"id":"prep-00004","pressure":"hard"}`, "pressure"},
		{"unknown health item", `{"id":"prep-00004","health":["gout"]}`, "health[0]"},
		{"nothing new and something new", `{"id":"prep-00004","health":["nothing-new","pregnancy"]}`, "health"},
		{"unknown area", `{"id":"prep-00004","areas":[{"area":"hip","side":"left"}]}`, "areas[0].area"},
		{"note too long", `{"id":"prep-00004","healthNote":"` + strings.Repeat("é", 301) + `"}`, "healthNote"},
		{"note control", `{"id":"prep-00004","goalsNote":"a\u001bb"}`, "goalsNote"},
		{"unknown field", `{"id":"prep-00004","mood":"ok"}`, "mood"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodePreparation([]byte(tc.body), now)
			var ie *model.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("err = %v, want an InputError naming %q", err, tc.field)
			}
		})
	}
}

func TestPreparationSameAs(t *testing.T) {
	a, err := DecodePreparation([]byte(validPrep), now)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := DecodePreparation([]byte(strings.Replace(validPrep, `["new-medication","blood-thinners"]`, `["blood-thinners","new-medication"]`, 1)), now)
	c, _ := DecodePreparation([]byte(strings.Replace(validPrep, `"too-much"`, `"right"`, 1)), now)
	if !a.SameAs(b) || a.SameAs(c) {
		t.Fatalf("SameAs: reordered %v, changed %v", a.SameAs(b), a.SameAs(c))
	}
}
