// Package account creates therapist accounts and their credentials.
package account

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/plan"
	"github.com/aftercare/aftercare/server/store"
)

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ErrEmailTaken is returned when the e-mail address already has an account.
var ErrEmailTaken = errors.New("an account with this e-mail address already exists")

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create adds a therapist; the first account of a studio becomes its owner.
func Create(db *store.DB, email, name, password, tz string) (plan.Therapist, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return plan.Therapist{}, &plan.InputError{Field: "email", Message: "is not an e-mail address"}
	}
	name = strings.TrimSpace(name)
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return plan.Therapist{}, &plan.InputError{Field: "name", Message: "is required (at most 60 characters)"}
	}
	if utf8.RuneCountInString(password) < MinPasswordLength || len(password) > 72 {
		return plan.Therapist{}, &plan.InputError{Field: "password", Message: fmt.Sprintf("must be %d to 72 characters", MinPasswordLength)}
	}
	if _, err := plan.LoadZone("timeZone", tz); err != nil {
		return plan.Therapist{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), 12)
	if err != nil {
		return plan.Therapist{}, err
	}
	t := plan.Therapist{ID: randomID(12), Email: strings.ToLower(addr.Address), Name: name, PasswordHash: hash, TimeZone: tz, CreatedAt: time.Now().UTC()}
	t, err = db.CreateTherapist(t)
	if errors.Is(err, store.ErrExists) {
		return t, ErrEmailTaken
	}
	return t, err
}

// NewAPIToken creates a token for t and returns the secret, which is stored only hashed.
func NewAPIToken(db *store.DB, t plan.Therapist, name string) (string, error) {
	secret := "act_" + randomID(32)
	tok := plan.APIToken{ID: randomID(9), TherapistID: t.ID, Name: name, CreatedAt: time.Now().UTC()}
	if err := db.AddAPIToken(secret, tok); err != nil {
		return "", err
	}
	return secret, nil
}
