package model

import (
	"strings"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// ParseLanguage checks a language a client or therapist chose: one of the
// languages the content is written in (routines.Supported), as a BCP 47 tag
// in any letter case ("pt-br" is pt-BR). It returns the canonical tag.
func ParseLanguage(field, s string) (string, error) {
	t, err := language.Parse(s)
	if err == nil {
		for _, sup := range routines.Supported() {
			if sup == t {
				return t.String(), nil
			}
		}
	}
	return "", bad(field, "unknown language %q (one of %s)", s, strings.Join(SupportedLanguages(), ", "))
}

// SupportedLanguages lists the tags ParseLanguage accepts, English first.
func SupportedLanguages() []string {
	var out []string
	for _, t := range routines.Supported() {
		out = append(out, t.String())
	}
	return out
}
