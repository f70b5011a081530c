package webhook

import (
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// SecretOverlap is how long a rotated-out secret still signs deliveries
// (next to the new one), so a receiver can switch without missing any.
const SecretOverlap = 24 * time.Hour

// Settings is what the owner sees of the webhook (GET/PUT /api/admin/webhook).
type Settings struct {
	// URL is empty when no webhook is set.
	URL          string   `json:"url"`
	Events       []string `json:"events"`
	IncludeNotes bool     `json:"includeNotes"`
	// Secret is shown once: only in the answer that made it (first save, rotation).
	Secret string `json:"secret,omitempty"`
	// SecretHint is the secret's first characters, to tell it apart.
	SecretHint string `json:"secretHint"`
	// PreviousSecretUntil is when a rotated-out secret stops signing.
	PreviousSecretUntil *time.Time `json:"previousSecretUntil"`
	// Enabled is true when events are being sent.
	Enabled bool `json:"enabled"`
	// DisabledReason says why delivery stopped by itself; saving turns it back on.
	DisabledReason string `json:"disabledReason"`
	// Pending counts events waiting for delivery (retries included).
	Pending int                 `json:"pending"`
	Status  model.WebhookStatus `json:"status"`
	// AvailableEvents lists every event type that can be chosen.
	AvailableEvents []string `json:"availableEvents"`
}

// SettingsInput is PUT /api/admin/webhook. URL is required: "" removes the
// webhook with its undelivered events. Events left out means all of them.
type SettingsInput struct {
	URL          *string   `json:"url"`
	Events       *[]string `json:"events"`
	IncludeNotes bool      `json:"includeNotes"`
	// RotateSecret makes a new secret; the old one signs too for SecretOverlap.
	RotateSecret bool `json:"rotateSecret"`
}

// DecodeSettings decodes and validates the owner's settings body; errors name the field.
func DecodeSettings(body []byte) (SettingsInput, error) {
	var in SettingsInput
	if err := model.DecodeStrict(body, &in); err != nil {
		return in, err
	}
	return in, in.Validate()
}

// Validate checks what the body says without looking at the URL's target
// (Save does, with the server's allow prefixes).
func (in SettingsInput) Validate() error {
	if in.URL == nil {
		return &model.InputError{Field: "url", Message: `is required ("" removes the webhook)`}
	}
	if in.Events != nil {
		seen := map[string]bool{}
		for _, e := range *in.Events {
			if !slices.Contains(model.WebhookEvents, e) {
				return &model.InputError{Field: "events", Message: fmt.Sprintf("unknown event %q (choose from %v)", e, model.WebhookEvents)}
			}
			if seen[e] {
				return &model.InputError{Field: "events", Message: fmt.Sprintf("%q is listed twice", e)}
			}
			seen[e] = true
		}
	}
	return nil
}
