package model

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/aftercare/aftercare/routines"
)

func bad(field, format string, args ...any) error {
	return &Error{Code: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// MaxNesting bounds JSON depth before decoding, so a deeply nested body costs nothing.
const MaxNesting = 8

// DecodeStrict decodes exactly one JSON object into v, refusing unknown fields,
// wrong types, trailing data and deep nesting, with errors that name the field.
func DecodeStrict(data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return bad("", "request body must be a JSON object")
	}
	if err := checkDepth(data); err != nil {
		return err
	}
	if err := checkWellFormed(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		var se *json.SyntaxError
		switch {
		case errors.As(err, &te):
			field := withoutEmbedded(reflect.TypeOf(v), te.Field)
			if field == "" {
				return bad("", "request body must be a JSON object")
			}
			return bad(field, "must be a %s", jsonKind(te.Type.Kind().String()))
		case errors.As(err, &se):
			return bad("", "malformed JSON at byte %d", se.Offset)
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return bad(name, "unknown field")
		case errors.Is(err, io.ErrUnexpectedEOF):
			return bad("", "malformed JSON: unexpected end")
		default:
			return bad("", "malformed JSON")
		}
	}
	if _, err := dec.Token(); err != io.EOF {
		return bad("", "request body must hold one JSON object only")
	}
	return nil
}

// withoutEmbedded drops from a decoding error's field path the Go names of
// embedded structs, which encoding/json puts there ("CreateInput.language")
// although the JSON has no such level ("language").
func withoutEmbedded(t reflect.Type, path string) string {
	var out []string
	for _, seg := range strings.Split(path, ".") {
		for t != nil && (t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Array || t.Kind() == reflect.Map) {
			t = t.Elem()
		}
		if t == nil || t.Kind() != reflect.Struct {
			out, t = append(out, seg), nil
			continue
		}
		if f, ok := t.FieldByName(seg); ok && f.Anonymous && f.Tag.Get("json") == "" {
			t = f.Type // an embedded struct: its fields are the parent's in JSON
			continue
		}
		out = append(out, seg)
		t = fieldByJSONName(t, seg)
	}
	return strings.Join(out, ".")
}

// fieldByJSONName is the type of t's field that JSON names name, or nil.
func fieldByJSONName(t reflect.Type, name string) reflect.Type {
	for _, f := range reflect.VisibleFields(t) {
		tag, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if tag == name || tag == "" && strings.EqualFold(f.Name, name) {
			return f.Type
		}
	}
	return nil
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "number"
	case "slice":
		return "list"
	case "struct", "map":
		return "object"
	case "ptr":
		return "string or null"
	}
	return k
}

func checkDepth(data []byte) error {
	depth := 0
	inString, escaped := false, false
	for _, b := range data {
		if inString {
			switch {
			case escaped:
				escaped = false
			case b == '\\':
				escaped = true
			case b == '"':
				inString = false
			}
			continue
		}
		switch b {
		case '"':
			inString = true
		case '{', '[':
			depth++
			if depth > MaxNesting {
				return bad("", "JSON nested too deeply")
			}
		case '}', ']':
			depth--
		}
	}
	return nil
}

var (
	hhmm     = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)
	clientID = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
)

// decodeAt strictly decodes data into an In, then validates it as received at now.
func decodeAt[Out any, In interface{ Validate(time.Time) (Out, error) }](data []byte, now time.Time) (Out, error) {
	var in In
	if err := DecodeStrict(data, &in); err != nil {
		var zero Out
		return zero, err
	}
	return in.Validate(now)
}

// decodeThen strictly decodes data into an In, then validates it.
func decodeThen[Out any, In interface{ Validate() (Out, error) }](data []byte) (Out, error) {
	var in In
	if err := DecodeStrict(data, &in); err != nil {
		var zero Out
		return zero, err
	}
	return in.Validate()
}

// CleanText trims free text and refuses invalid UTF-8, control characters (other
// than newline and tab) and text over max characters; required refuses empty text.
func CleanText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	if required && s == "" {
		return "", bad(field, "is required")
	}
	if !utf8.ValidString(s) {
		return "", bad(field, "must be valid UTF-8 text")
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", bad(field, "must be at most %d characters (got %d)", max, n)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' {
			return "", bad(field, "must not contain control characters")
		}
	}
	return s, nil
}

// isBidiControl reports whether r is a Unicode bidi control: embeddings and
// overrides (U+202A–U+202E), isolates (U+2066–U+2069) and the implicit marks
// (U+200E, U+200F, U+061C). In a name they can make it display as something
// else ("Sam" + U+202E + "...") in every list and notification that shows it.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

// CleanLabel checks a name or short label shown to other people (a client's
// or therapist's name, a template or token name): cleanText's rules, and no
// bidi controls. Right-to-left scripts need none in a name.
func CleanLabel(field, s string, max int, required bool) (string, error) {
	s, err := CleanText(field, s, max, required)
	if err != nil {
		return s, err
	}
	if strings.ContainsFunc(s, isBidiControl) {
		return "", bad(field, "must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)")
	}
	return s, nil
}

// LoadZone accepts IANA names only ("Europe/Berlin"), not "Local" or offsets.
func LoadZone(field, name string) (*time.Location, error) {
	if name == "" {
		return nil, bad(field, "is required (an IANA time zone such as Europe/Berlin)")
	}
	if name == "Local" || len(name) > 64 {
		return nil, bad(field, "must be an IANA time zone such as Europe/Berlin")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, bad(field, "unknown time zone %q (use an IANA name such as Europe/Berlin)", name)
	}
	return loc, nil
}

// CreateInput is the body of POST /api/plans.
type CreateInput struct {
	ClientName    string     `json:"clientName"`
	RoutineID     string     `json:"routineId"`
	Overrides     []Override `json:"overrides"`
	SessionAt     string     `json:"sessionAt"`
	NextSessionAt *string    `json:"nextSessionAt"`
	TimeZone      string     `json:"timeZone"`
	StretchTime   string     `json:"stretchTime"`
	Days          int        `json:"days"`
	Notes         string     `json:"notes"`
	CadenceDays   int        `json:"cadenceDays"`
	// Language is the client's language; omitted, the therapist's.
	Language string `json:"language"`
}

// Limits on a plan.
const (
	MinDays = 1
	MaxDays = 90
)

// DecodeCreate turns a request body into a valid Plan (without token, owner or timestamps).
// Omitted sessionAt means now, omitted stretchTime means 19:00, omitted days means 14.
func DecodeCreate(data []byte, now time.Time) (Plan, error) {
	return decodeAt[Plan, CreateInput](data, now)
}

// Validate checks every field and returns the plan it describes.
func (in CreateInput) Validate(now time.Time) (Plan, error) {
	var p Plan
	var err error
	if p.ClientName, err = CleanLabel("clientName", in.ClientName, 40, true); err != nil {
		return p, err
	}
	r, ok := routines.RoutineByID(in.RoutineID)
	if !ok {
		return p, bad("routineId", "unknown routine %q", in.RoutineID)
	}
	p.RoutineID = r.ID
	if len(in.Overrides) > len(r.Steps) {
		return p, bad("overrides", "at most one override per stretch of the routine")
	}
	seen := map[string]bool{}
	for i, o := range in.Overrides {
		f := fmt.Sprintf("overrides[%d]", i)
		if !slices.ContainsFunc(r.Steps, func(s routines.Step) bool { return s.StretchID == o.StretchID }) {
			return p, bad(f+".stretchId", "stretch %q is not part of routine %q", o.StretchID, r.ID)
		}
		if seen[o.StretchID] {
			return p, bad(f+".stretchId", "stretch %q is overridden twice", o.StretchID)
		}
		seen[o.StretchID] = true
		if o.HoldSeconds != 0 && (o.HoldSeconds < routines.MinHoldSeconds || o.HoldSeconds > routines.MaxHoldSeconds) {
			return p, bad(f+".holdSeconds", "must be between %d and %d", routines.MinHoldSeconds, routines.MaxHoldSeconds)
		}
		if o.Reps != 0 && (o.Reps < routines.MinReps || o.Reps > routines.MaxReps) {
			return p, bad(f+".reps", "must be between %d and %d", routines.MinReps, routines.MaxReps)
		}
	}
	p.Overrides = append([]Override{}, in.Overrides...)
	loc, err := LoadZone("timeZone", in.TimeZone)
	if err != nil {
		return p, err
	}
	p.TimeZone = loc.String()
	if in.SessionAt == "" {
		p.SessionAt = now.UTC().Truncate(time.Minute)
	} else {
		t, err := time.Parse(time.RFC3339, in.SessionAt)
		if err != nil {
			return p, bad("sessionAt", "must be an RFC 3339 time such as 2026-11-26T10:00:00+01:00")
		}
		if t.Before(now.AddDate(0, 0, -30)) || t.After(now.AddDate(0, 0, 7)) {
			return p, bad("sessionAt", "must be within the last 30 days or the next 7 days")
		}
		p.SessionAt = t.UTC()
	}
	if in.NextSessionAt != nil && *in.NextSessionAt != "" {
		t, err := time.Parse(time.RFC3339, *in.NextSessionAt)
		if err != nil {
			return p, bad("nextSessionAt", "must be an RFC 3339 time or null")
		}
		if !t.After(p.SessionAt) || t.After(p.SessionAt.AddDate(1, 0, 0)) {
			return p, bad("nextSessionAt", "must be after sessionAt and within a year")
		}
		t = t.UTC()
		p.NextSessionAt = &t
	}
	p.StretchTime = in.StretchTime
	if p.StretchTime == "" {
		p.StretchTime = "19:00"
	}
	if !hhmm.MatchString(p.StretchTime) {
		return p, bad("stretchTime", "must be HH:MM (24-hour), e.g. 19:00")
	}
	p.Days = in.Days
	if p.Days == 0 {
		p.Days = 14
	}
	if p.Days < MinDays || p.Days > MaxDays {
		return p, bad("days", "must be between %d and %d", MinDays, MaxDays)
	}
	if p.Notes, err = CleanText("notes", in.Notes, 1000, false); err != nil {
		return p, err
	}
	if in.CadenceDays != 0 && (in.CadenceDays < 7 || in.CadenceDays > 56) {
		return p, bad("cadenceDays", "must be 0 (no booking nudge) or between 7 and 56")
	}
	p.CadenceDays = in.CadenceDays
	if in.Language != "" {
		if p.Language, err = ParseLanguage("language", in.Language); err != nil {
			return p, err
		}
	}
	p.Prefs = DefaultPrefs()
	return p, nil
}
