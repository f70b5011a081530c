package model

import "time"

// Therapist is an account that assigns plans.
type Therapist struct {
	ID           string    `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	PasswordHash []byte    `json:"passwordHash"`
	Owner        bool      `json:"owner"`
	Disabled     bool      `json:"disabled"`
	TimeZone     string    `json:"timeZone"`
	CreatedAt    time.Time `json:"createdAt"`
	// Language is the workspace's and the alerts' language (a tag
	// ParseLanguage accepts); empty on older accounts: the studio's default.
	Language string `json:"language,omitempty"`
	// PrepareReminder: the therapist asked for a push at 08:00 (the plan's
	// zone) the day before each booked session, linking its summary.
	PrepareReminder bool `json:"prepareReminder,omitempty"`
}

// APIToken is a hashed credential for integrations; the secret itself is shown once.
type APIToken struct {
	ID          string    `json:"id"`
	TherapistID string    `json:"therapistId"`
	Name        string    `json:"name"`
	CreatedAt   time.Time `json:"createdAt"`
	LastUsed    time.Time `json:"lastUsed"`
}
