package webhook

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// Envelope is the body of every delivery, in the Standard Webhooks shape:
// the event's type, when it happened, and its data.
type Envelope struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// PlanCreated is the data of plan.created. It names no client: PlanID is
// the stable key to join later events on.
type PlanCreated struct {
	PlanID        string     `json:"planId"`
	TherapistID   string     `json:"therapistId"`
	RoutineID     string     `json:"routineId"`
	SessionAt     time.Time  `json:"sessionAt"`
	NextSessionAt *time.Time `json:"nextSessionAt"`
	EndsAt        time.Time  `json:"endsAt"`
	TimeZone      string     `json:"timeZone"`
	CreatedAt     time.Time  `json:"createdAt"`
}

// CheckInCreated is the data of checkin.created: the numbers and the
// warning-sign tier, never which signs; the client's note only when the
// owner opted in.
type CheckInCreated struct {
	PlanID      string    `json:"planId"`
	TherapistID string    `json:"therapistId"`
	CheckInID   string    `json:"checkinId"`
	At          time.Time `json:"at"`
	ReceivedAt  time.Time `json:"receivedAt"`
	Soreness    int       `json:"soreness"`
	Pain        int       `json:"pain"`
	// Tier is "none", "see-doctor-soon" or "emergency-now".
	Tier clinic.Tier `json:"tier"`
	// Urgent is true for the emergency tier: the therapist was alerted at once.
	Urgent bool `json:"urgent"`
	// StillSore is the "still sore at 48 h" rule: soreness 7 or more, 48 h or more after the session.
	StillSore bool    `json:"stillSore"`
	Note      *string `json:"note,omitempty"`
	// Partial: only the warning signs were answered (soreness and pain 0 were not asked).
	Partial bool `json:"partial,omitempty"`
}

// PlanEnded is the data of plan.ended: a therapist ended the plan early.
type PlanEnded struct {
	PlanID      string    `json:"planId"`
	TherapistID string    `json:"therapistId"`
	EndedAt     time.Time `json:"endedAt"`
}

// PlanErased is the data of plan.erased: the client erased the plan and
// everything tied to it; a receiver should delete what it keeps about PlanID.
type PlanErased struct {
	PlanID      string    `json:"planId"`
	TherapistID string    `json:"therapistId"`
	ErasedAt    time.Time `json:"erasedAt"`
}

// Ping is the data of ping, the owner's test delivery.
type Ping struct {
	Message string `json:"message"`
}

// PlanID is the plan's id in events: derived from the token by a one-way
// hash, so it is stable but grants nothing (the token is a capability).
func PlanID(token string) string {
	sum := sha256.Sum256([]byte("aftercare webhook plan id\x00" + token))
	return "pln_" + base64.RawURLEncoding.EncodeToString(sum[:16])
}

// newEventID returns a fresh event id ("msg_" and 128 random bits); it has
// no "." so the signed content cannot be split ambiguously.
func newEventID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return "msg_" + base64.RawURLEncoding.EncodeToString(b)
}

// tierOf is the check-in's warning-sign tier from the signs answered yes.
func tierOf(c model.CheckIn) clinic.Tier {
	t := clinic.None
	for _, f := range c.RedFlags {
		t = max(t, clinic.Flag(f).Tier())
	}
	return t
}

// envelope builds the delivery body of change c at now; ok is false for a
// change no event is made of.
func envelope(c store.Change, includeNotes bool, now time.Time) (env Envelope, ok bool) {
	p := c.Plan
	env = Envelope{Type: c.Event, Timestamp: now.UTC()}
	switch c.Event {
	case model.EventPlanCreated:
		env.Data = PlanCreated{PlanID: PlanID(p.Token), TherapistID: p.TherapistID, RoutineID: p.RoutineID,
			SessionAt: p.SessionAt.UTC(), NextSessionAt: utcPtr(p.NextSessionAt), EndsAt: p.EndsAt().UTC(),
			TimeZone: p.TimeZone, CreatedAt: p.CreatedAt.UTC()}
		env.Timestamp = p.CreatedAt.UTC()
	case model.EventCheckInCreated:
		ci := c.CheckIn
		tier := tierOf(ci)
		if c.Clinic != nil { // a version-2 check-in: both tiers from its own answers
			tier = c.Clinic.Tier()
		}
		d := CheckInCreated{PlanID: PlanID(p.Token), TherapistID: p.TherapistID, CheckInID: ci.ID,
			At: ci.At.UTC(), ReceivedAt: ci.ReceivedAt.UTC(), Soreness: ci.Soreness, Pain: ci.Pain,
			Tier: tier, Urgent: tier == clinic.EmergencyNow, StillSore: !ci.Partial && clinic.StillSore(ci.Soreness, ci.At, p.SessionAt),
			Partial: ci.Partial}
		if includeNotes {
			note := ci.Note
			d.Note = &note
		}
		env.Data = d
		if !ci.ReceivedAt.IsZero() {
			env.Timestamp = ci.ReceivedAt.UTC()
		}
	case model.EventPlanEnded:
		at := now.UTC()
		if p.EndedAt != nil {
			at = p.EndedAt.UTC()
		}
		env.Data = PlanEnded{PlanID: PlanID(p.Token), TherapistID: p.TherapistID, EndedAt: at}
		env.Timestamp = at
	case model.EventPlanErased:
		env.Data = PlanErased{PlanID: PlanID(p.Token), TherapistID: p.TherapistID, ErasedAt: now.UTC()}
	default:
		return env, false
	}
	return env, true
}

func utcPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	u := t.UTC()
	return &u
}

// newEvent queues body as a fresh event about the plan with token at now.
func newEvent(kind, token string, env Envelope, now time.Time) (model.OutboxEvent, error) {
	body, err := json.Marshal(env)
	if err != nil {
		return model.OutboxEvent{}, fmt.Errorf("encode %s: %w", kind, err)
	}
	return model.OutboxEvent{ID: newEventID(), Type: kind, Plan: token, Body: body, CreatedAt: now.UTC(), NextAt: now}, nil
}

// withoutNote drops a check-in's note from a queued body: the owner turned
// notes off after it was queued, and nothing more of them leaves. The body
// is written again in the same field order.
func withoutNote(body []byte) []byte {
	var env struct {
		Type      string         `json:"type"`
		Timestamp time.Time      `json:"timestamp"`
		Data      CheckInCreated `json:"data"`
	}
	if json.Unmarshal(body, &env) != nil || env.Data.Note == nil {
		return body
	}
	env.Data.Note = nil
	out, err := json.Marshal(Envelope{Type: env.Type, Timestamp: env.Timestamp, Data: env.Data})
	if err != nil {
		return body
	}
	return out
}
