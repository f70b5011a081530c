package model

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/aftercare/aftercare/routines"
)

// The bodies the client app sends about its plan: completions, check-ins,
// reminder settings and its push subscription.

// CompletionInput is the body of POST /api/p/{token}/completions.
type CompletionInput struct {
	ID        string `json:"id"`
	At        string `json:"at"`
	RoutineID string `json:"routineId"`
	Done      int    `json:"done"`
	Total     int    `json:"total"`
	// EasierUsed: the stretches swapped for their easier variation; the service checks them against the plan.
	EasierUsed []Swap `json:"easierUsed"`
}

// DecodeCompletion validates a completion sent by the client app.
func DecodeCompletion(data []byte, now time.Time) (Completion, error) {
	return decodeAt[Completion, CompletionInput](data, now)
}

// Validate checks a completion the client app sent, received at now.
func (in CompletionInput) Validate(now time.Time) (Completion, error) {
	c := Completion{ID: in.ID, RoutineID: in.RoutineID, Done: in.Done, Total: in.Total, ReceivedAt: now.UTC(), atSent: in.At != ""}
	if !clientID.MatchString(in.ID) {
		return c, bad("id", "must be 8–64 letters, digits, - or _")
	}
	at, err := ClientTime("at", in.At, now)
	if err != nil {
		return c, err
	}
	c.At = at
	if in.Total < 1 || in.Total > 30 {
		return c, bad("total", "must be between 1 and 30")
	}
	if in.Done < 0 || in.Done > in.Total {
		return c, bad("done", "must be between 0 and total")
	}
	if _, ok := routines.RoutineByID(in.RoutineID); !ok {
		return c, bad("routineId", "unknown routine %q", in.RoutineID)
	}
	if len(in.EasierUsed) > in.Total {
		return c, bad("easierUsed", "lists more swaps than the routine has stretches")
	}
	for i, sw := range in.EasierUsed {
		if !stretchID.MatchString(sw.From) || !stretchID.MatchString(sw.To) {
			return c, bad(fmt.Sprintf("easierUsed[%d]", i), "from and to must be stretch ids")
		}
		if slices.ContainsFunc(in.EasierUsed[:i], func(o Swap) bool { return o.From == sw.From }) {
			return c, bad(fmt.Sprintf("easierUsed[%d].from", i), "stretch %q is listed twice", sw.From)
		}
	}
	if len(in.EasierUsed) > 0 {
		c.EasierUsed = slices.Clone(in.EasierUsed)
	}
	return c, nil
}

// stretchID is the shape of a library or own stretch's id.
var stretchID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// ClientTime parses a time the client's device stamped; empty means now. Queued
// records may be days old, but not from the future or before the plan era.
func ClientTime(field, s string, now time.Time) (time.Time, error) {
	if s == "" {
		return now.UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return t, bad(field, "must be an RFC 3339 time")
	}
	if t.After(now.Add(10*time.Minute)) || t.Before(now.AddDate(-1, 0, 0)) {
		return t, bad(field, "must not be in the future or more than a year ago")
	}
	return t.UTC(), nil
}

// CheckInInput is the body of POST /api/p/{token}/checkins.
type CheckInInput struct {
	ID       string   `json:"id"`
	At       string   `json:"at"`
	Soreness *int     `json:"soreness"`
	Pain     *int     `json:"pain"`
	Areas    []string `json:"areas"`
	Feelings []string `json:"feelings"`
	RedFlags []string `json:"redFlags"`
	Note     string   `json:"note"`
}

// DecodeCheckIn validates a check-in sent by the client app.
func DecodeCheckIn(data []byte, now time.Time) (CheckIn, error) {
	return decodeAt[CheckIn, CheckInInput](data, now)
}

// Validate checks a check-in the client app sent, received at now.
func (in CheckInInput) Validate(now time.Time) (CheckIn, error) {
	c := CheckIn{ID: in.ID, ReceivedAt: now.UTC(), atSent: in.At != ""}
	if !clientID.MatchString(in.ID) {
		return c, bad("id", "must be 8–64 letters, digits, - or _")
	}
	at, err := ClientTime("at", in.At, now)
	if err != nil {
		return c, err
	}
	c.At = at
	if in.Soreness == nil || *in.Soreness < 0 || *in.Soreness > 10 {
		return c, bad("soreness", "must be a number from 0 to 10")
	}
	if in.Pain == nil || *in.Pain < 0 || *in.Pain > 10 {
		return c, bad("pain", "must be a number from 0 to 10")
	}
	c.Soreness, c.Pain = *in.Soreness, *in.Pain
	if c.Areas, err = pickFrom("areas", in.Areas, Areas); err != nil {
		return c, err
	}
	if c.Feelings, err = pickFrom("feelings", in.Feelings, Feelings); err != nil {
		return c, err
	}
	if c.RedFlags, err = pickFrom("redFlags", in.RedFlags, RedFlags); err != nil {
		return c, err
	}
	if c.Note, err = CleanText("note", in.Note, 500, false); err != nil {
		return c, err
	}
	return c, nil
}

func pickFrom(field string, got, allowed []string) ([]string, error) {
	out := []string{}
	for i, v := range got {
		if !slices.Contains(allowed, v) {
			return nil, bad(fmt.Sprintf("%s[%d]", field, i), "unknown value %q (one of %s)", v, strings.Join(allowed, ", "))
		}
		if !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out, nil
}

// PrefsInput is the body of PUT /api/p/{token}/prefs.
type PrefsInput struct {
	Disabled   []string `json:"disabled"`
	QuietStart string   `json:"quietStart"`
	QuietEnd   string   `json:"quietEnd"`
	// Language, if sent, is the language the client switched the app to;
	// omitted, the plan keeps its language.
	Language string `json:"language"`
}

// DecodePrefs validates the client's reminder settings.
func DecodePrefs(data []byte) (Prefs, error) {
	return decodeThen[Prefs, PrefsInput](data)
}

// Validate checks the client's reminder settings.
func (in PrefsInput) Validate() (Prefs, error) {
	d, err := pickFrom("disabled", in.Disabled, ReminderKinds)
	if err != nil {
		return Prefs{}, err
	}
	if !hhmm.MatchString(in.QuietStart) {
		return Prefs{}, bad("quietStart", "must be HH:MM (24-hour)")
	}
	if !hhmm.MatchString(in.QuietEnd) {
		return Prefs{}, bad("quietEnd", "must be HH:MM (24-hour)")
	}
	if in.Language != "" {
		if _, err := ParseLanguage("language", in.Language); err != nil {
			return Prefs{}, err
		}
	}
	return Prefs{Disabled: d, QuietStart: in.QuietStart, QuietEnd: in.QuietEnd}, nil
}

// ChosenLanguage is the canonical tag of the language sent, or "" when the
// client sent none (call after Validate).
func (in PrefsInput) ChosenLanguage() string {
	if in.Language == "" {
		return ""
	}
	tag, err := ParseLanguage("language", in.Language)
	if err != nil {
		return ""
	}
	return tag
}

// SubscriptionInput is PushSubscription.toJSON() as the browser sends it.
type SubscriptionInput struct {
	Endpoint       string   `json:"endpoint"`
	ExpirationTime *float64 `json:"expirationTime"`
	Keys           struct {
		P256dh string `json:"p256dh"`
		Auth   string `json:"auth"`
	} `json:"keys"`
}

// DecodeSubscription checks shape only; the push allowlist checks the endpoint and keys.
func DecodeSubscription(data []byte) (Subscription, error) {
	return decodeThen[Subscription, SubscriptionInput](data)
}

// Validate checks shape only; the push allowlist checks the endpoint and keys.
func (in SubscriptionInput) Validate() (Subscription, error) {
	if in.Endpoint == "" || len(in.Endpoint) > 1024 {
		return Subscription{}, bad("endpoint", "is required (at most 1024 characters)")
	}
	if in.Keys.P256dh == "" || len(in.Keys.P256dh) > 128 {
		return Subscription{}, bad("keys.p256dh", "is required")
	}
	if in.Keys.Auth == "" || len(in.Keys.Auth) > 64 {
		return Subscription{}, bad("keys.auth", "is required")
	}
	return Subscription{Endpoint: in.Endpoint, P256dh: in.Keys.P256dh, Auth: in.Keys.Auth}, nil
}

// EndpointInput is {"endpoint": "..."}, the body that unsubscribes a device.
type EndpointInput struct {
	Endpoint string `json:"endpoint"`
}

// DecodeEndpoint reads {"endpoint": "..."} for unsubscribing.
func DecodeEndpoint(data []byte) (string, error) {
	return decodeThen[string, EndpointInput](data)
}

// Validate returns the endpoint to unsubscribe.
func (in EndpointInput) Validate() (string, error) {
	if in.Endpoint == "" || len(in.Endpoint) > 1024 {
		return "", bad("endpoint", "is required")
	}
	return in.Endpoint, nil
}
