package model

import (
	"strings"
	"testing"
)

func TestDecodeStrictRefusesWhatEncodingJSONWouldSmoothOver(t *testing.T) {
	type inner struct {
		StretchID string `json:"stretchId"`
	}
	type body struct {
		Name  string  `json:"name"`
		Note  string  `json:"note"`
		List  []inner `json:"list"`
		Inner inner   `json:"inner"`
	}
	for _, c := range []struct {
		name, body, mention string
	}{
		{"duplicated key, last one valid", `{"name":"x","note":"a","name":"y"}`, "name: appears twice"},
		{"duplicated nested key", `{"inner":{"stretchId":"a","stretchId":"b"}}`, "stretchId: appears twice"},
		{"duplicated key inside a list", `{"list":[{"stretchId":"a"},{"stretchId":"b","stretchId":"c"}]}`, "stretchId: appears twice"},
		{"invalid UTF-8", "{\"note\":\"caf\xe9\"}", "valid UTF-8"},
		{"null", `null`, "JSON object"},
		{"list", `[{"name":"x"}]`, "JSON object"},
		{"string", `"x"`, "JSON object"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var v body
			err := DecodeStrict([]byte(c.body), &v)
			if err == nil || !strings.Contains(err.Error(), c.mention) {
				t.Fatalf("err = %v, want one mentioning %q", err, c.mention)
			}
			if _, ok := err.(*InputError); !ok {
				t.Fatalf("err is %T, want *InputError", err)
			}
		})
	}
	// The same key in sibling objects, and a value equal to a key, are fine.
	var v body
	ok := `{"name":"name","list":[{"stretchId":"a"},{"stretchId":"b"}],"inner":{"stretchId":"list"},"note":"ü"}`
	if err := DecodeStrict([]byte(ok), &v); err != nil || len(v.List) != 2 || v.Inner.StretchID != "list" || v.Note != "ü" {
		t.Fatalf("valid body refused or misread: %v %+v", err, v)
	}
}
