// Package model holds the aftercare domain: a client's plan with the completions and
// check-ins recorded against it, the therapists who hand plans out with their
// sessions, invites and API tokens, and the rules that make input acceptable.
// It knows nothing about HTTP or storage.
package model

import (
	"crypto/rand"
	"encoding/base64"
	"time"

	"github.com/aftercare/aftercare/routines"
)

// Reminder kinds, shared by the schedule, the push payload and the client's toggles.
const (
	KindHydration = "hydration"
	KindStretch   = "stretch"
	KindCheckIn   = "checkin"
	KindFollowUp  = "followup"
	KindTip       = "tip"
	KindTest      = "test"
)

// ReminderKinds lists the kinds a client can switch on or off.
var ReminderKinds = []string{KindHydration, KindStretch, KindCheckIn, KindFollowUp, KindTip}

// ErrNotFound is returned when a plan (or anything addressed by a token) does not exist.
var ErrNotFound = NotFoundError("not found")

// Override changes the hold or reps of one stretch of the routine for this client.
type Override struct {
	StretchID   string `json:"stretchId"`
	HoldSeconds int    `json:"holdSeconds,omitempty"`
	Reps        int    `json:"reps,omitempty"`
}

// Prefs are the client's own reminder settings.
type Prefs struct {
	// Disabled lists reminder kinds the client switched off.
	Disabled []string `json:"disabled"`
	// QuietStart and QuietEnd ("HH:MM", client's zone) bound the hours with no reminders.
	QuietStart string `json:"quietStart"`
	QuietEnd   string `json:"quietEnd"`
}

// DefaultPrefs are quiet from 21:00 to 08:00 with every kind on.
func DefaultPrefs() Prefs {
	return Prefs{Disabled: []string{}, QuietStart: "21:00", QuietEnd: "08:00"}
}

// Enabled reports whether reminders of kind are on.
func (p Prefs) Enabled(kind string) bool {
	for _, k := range p.Disabled {
		if k == kind {
			return false
		}
	}
	return true
}

// Plan is what a therapist hands a client after a session.
type Plan struct {
	Token       string     `json:"token"`
	TherapistID string     `json:"therapistId"`
	ClientName  string     `json:"clientName"`
	RoutineID   string     `json:"routineId"`
	Overrides   []Override `json:"overrides"`
	SessionAt   time.Time  `json:"sessionAt"`
	// NextSessionAt is nil when no follow-up session is booked.
	NextSessionAt *time.Time `json:"nextSessionAt,omitempty"`
	TimeZone      string     `json:"timeZone"`
	StretchTime   string     `json:"stretchTime"`
	Days          int        `json:"days"`
	Notes         string     `json:"notes"`
	// CadenceDays is how often to nudge the client to book when no session is booked (0 = never).
	CadenceDays int        `json:"cadenceDays"`
	Prefs       Prefs      `json:"prefs"`
	CreatedAt   time.Time  `json:"createdAt"`
	EndedAt     *time.Time `json:"endedAt,omitempty"`
	// Stretches, when set, replaces the routine's stretch list: the therapist's own order, additions and removals.
	Stretches []Override `json:"stretches,omitempty"`
	// Custom holds the therapists' own stretches the plan uses, as they were
	// when it was assigned: an edit or retirement later leaves the plan as the client got it.
	Custom []routines.Stretch `json:"custom,omitempty"`
	// AlertsHandledAt is when a therapist last marked the plan's alerts (red flag,
	// still sore at 48 h) as handled; only check-ins received after it raise alerts
	// on the clients list and plan page. Nil when never handled.
	AlertsHandledAt *time.Time `json:"alertsHandledAt,omitempty"`
	// AlertsHandledBy is the id of the therapist who marked them handled.
	AlertsHandledBy string `json:"alertsHandledBy,omitempty"`
	// Language is the client's language (a tag ParseLanguage accepts): the
	// app, reminders, calendar and printout speak it. Empty on plans stored
	// before languages: they speak the studio's default language.
	Language string `json:"language,omitempty"`
}

// AlertPending reports whether check-in c arrived after the plan's alerts were
// last marked handled, so it can still raise a red-flag or still-sore alert.
func (p Plan) AlertPending(c CheckIn) bool {
	if p.AlertsHandledAt == nil {
		return true
	}
	got := c.ReceivedAt
	if got.IsZero() {
		got = c.At
	}
	return got.After(*p.AlertsHandledAt)
}

// Location returns the client's time zone; the zone was validated on input.
func (p Plan) Location() *time.Location {
	loc, err := time.LoadLocation(p.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// EndsAt is the end of the plan's last day in the client's zone.
func (p Plan) EndsAt() time.Time {
	loc := p.Location()
	s := p.SessionAt.In(loc)
	day := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, loc)
	return day.AddDate(0, 0, p.Days)
}

// RemindersUntil is when the plan's last reminder can fire: the end of its last
// day, or a booked next session after that (follow-ups lead up to it); an ended
// plan sends nothing after EndedAt.
func (p Plan) RemindersUntil() time.Time {
	until := p.EndsAt()
	if p.NextSessionAt != nil && p.NextSessionAt.After(until) {
		until = *p.NextSessionAt
	}
	if p.EndedAt != nil && p.EndedAt.Before(until) {
		until = *p.EndedAt
	}
	return until
}

// Active reports whether the plan still runs at t.
func (p Plan) Active(t time.Time) bool {
	if p.EndedAt != nil && !t.Before(*p.EndedAt) {
		return false
	}
	return t.Before(p.EndsAt())
}

// Completion records that the client finished (or partly finished) the routine.
type Completion struct {
	// ID is chosen by the client so a queued completion sent twice is stored once.
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	RoutineID  string    `json:"routineId"`
	Done       int       `json:"done"`
	Total      int       `json:"total"`
	ReceivedAt time.Time `json:"receivedAt"`
	// EasierUsed lists the stretches the client swapped for their easier
	// variation ("Make it easier") during this session.
	EasierUsed []Swap `json:"easierUsed,omitempty"`
	atSent     bool   // decoded with the client's own "at" (see SameAs); not stored
}

// Swap is one "Make it easier" in the player: stretch From was done as its easier variation To.
type Swap struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Red-flag answers that mean "get medical care now".
const (
	RedFlagLegWeakness = "leg-weakness"
	RedFlagSaddle      = "saddle-numbness"
	RedFlagBladder     = "bladder-bowel"
)

// RedFlags lists every red-flag id a check-in may carry.
var RedFlags = []string{RedFlagLegWeakness, RedFlagSaddle, RedFlagBladder}

// Feelings lists the words a client can pick for what the pain feels like.
var Feelings = []string{"sharp", "shooting", "burning", "dull", "tingling", "numb"}

// Areas lists where it can hurt.
var Areas = []string{"low-back", "left-buttock", "right-buttock", "left-hamstring", "right-hamstring", "left-calf", "right-calf", "left-foot", "right-foot", "hip", "neck-shoulders"}

// CheckIn is the client's soreness report.
type CheckIn struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Soreness   int       `json:"soreness"`
	Pain       int       `json:"pain"`
	Areas      []string  `json:"areas"`
	Feelings   []string  `json:"feelings"`
	RedFlags   []string  `json:"redFlags"`
	Note       string    `json:"note"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Partial: a version-2 check-in that answered only the warning signs (an
	// emergency yes before the form was done); its soreness and pain were not
	// asked: the 0s mean nothing.
	Partial bool `json:"partial,omitempty"`
	atSent  bool // decoded with the client's own "at" (see SameAs); not stored
}

// Urgent reports whether the check-in carries any red flag.
func (c CheckIn) Urgent() bool { return len(c.RedFlags) > 0 }

// StillSoreAfter48h reports whether a check-in at least 48 h after the session
// still reports soreness of 7 or more, which means the therapist should hear of it.
func (c CheckIn) StillSoreAfter48h(sessionAt time.Time) bool {
	return c.Soreness >= 7 && c.At.Sub(sessionAt) >= 48*time.Hour
}

// NewToken returns a URL-safe capability token with 192 bits from crypto/rand.
func NewToken() string { return RandomID(24) }

// RandomID returns n bytes from crypto/rand as unpadded URL-safe base64: the
// one source of tokens, secrets and ids.
func RandomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Subscription is one device's Web Push subscription.
type Subscription struct {
	Endpoint  string    `json:"endpoint"`
	P256dh    string    `json:"p256dh"`
	Auth      string    `json:"auth"`
	CreatedAt time.Time `json:"createdAt"`
	// LastSeen is refreshed each time the app re-syncs the subscription on open.
	LastSeen time.Time `json:"lastSeen"`
	// NeedsResubscribe is set when the push service refused the subscription
	// (400/403): the app, told so when it re-syncs, subscribes afresh.
	NeedsResubscribe bool `json:"needsResubscribe,omitempty"`
}

// MaxDevices caps the subscriptions of one plan (or one therapist); the least recently seen goes first.
const MaxDevices = 10
