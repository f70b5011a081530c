package model

import (
	"encoding/json"
	"slices"
	"time"
)

// Webhook event types. An integration chooses which of them it receives.
const (
	EventCheckInCreated = "checkin.created"
	EventPlanCreated    = "plan.created"
	EventPlanEnded      = "plan.ended"
	EventPlanErased     = "plan.erased"
	// EventPing is sent only by the owner's test button; it cannot be switched off.
	EventPing = "ping"
)

// WebhookEvents lists the event types an integration can choose, in the order shown.
var WebhookEvents = []string{EventPlanCreated, EventCheckInCreated, EventPlanEnded, EventPlanErased}

// Webhook is the studio owner's outgoing webhook: where events go, the secret
// they are signed with, and what they may carry.
type Webhook struct {
	URL string `json:"url"`
	// Secret is "whsec_" and the base64 of the HMAC key (Standard Webhooks).
	Secret string `json:"secret"`
	// PreviousSecret still signs deliveries, next to Secret, until
	// PreviousUntil, so a receiver can switch secrets without missing one.
	PreviousSecret string     `json:"previousSecret,omitempty"`
	PreviousUntil  *time.Time `json:"previousUntil,omitempty"`
	// Events are the event types sent (see WebhookEvents).
	Events []string `json:"events"`
	// IncludeNotes lets check-ins carry the client's free-text note.
	IncludeNotes bool `json:"includeNotes"`
	// DisabledReason is set when delivery stopped by itself (the receiver
	// answered 410 Gone); saving the settings again turns it back on.
	DisabledReason string    `json:"disabledReason,omitempty"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Sends reports whether events of type kind are queued for this webhook.
func (w Webhook) Sends(kind string) bool {
	if w.URL == "" || w.DisabledReason != "" {
		return false
	}
	return kind == EventPing || slices.Contains(w.Events, kind)
}

// Secrets are the secrets that sign a delivery at now: the current one, and
// the previous one while its overlap lasts.
func (w Webhook) Secrets(now time.Time) []string {
	out := []string{w.Secret}
	if w.PreviousSecret != "" && w.PreviousUntil != nil && now.Before(*w.PreviousUntil) {
		out = append(out, w.PreviousSecret)
	}
	return out
}

// WebhookStatus is how delivery has gone lately, for the owner's settings screen.
type WebhookStatus struct {
	LastDeliveredAt *time.Time `json:"lastDeliveredAt"`
	LastFailedAt    *time.Time `json:"lastFailedAt"`
	// LastFailure says what went wrong last, e.g. "answered 500"; never a body.
	LastFailure string `json:"lastFailure"`
	// Dropped counts events given up on after their last retry.
	Dropped int `json:"dropped"`
}

// OutboxEvent is one webhook event waiting to be delivered, with its stable id.
type OutboxEvent struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	// Plan is the token of the plan the event is about (never sent), so
	// erasing the plan removes its undelivered events.
	Plan string `json:"plan,omitempty"`
	// Body is the exact JSON delivered, the same on every attempt.
	Body      json.RawMessage `json:"body"`
	Attempts  int             `json:"attempts"`
	CreatedAt time.Time       `json:"createdAt"`
	NextAt    time.Time       `json:"nextAt"`
}
