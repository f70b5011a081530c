// Package account creates therapist accounts and their credentials.
package account

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// PasswordCost is the bcrypt work factor for new password hashes. Tests lower
// it; a login costs about 250 ms of CPU at 12 on the machines we run on.
var PasswordCost = 12

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// ErrEmailTaken is returned when the e-mail address already has an account.
var ErrEmailTaken = errors.New("an account with this e-mail address already exists")

// Create adds a therapist; the first account of a studio becomes its owner.
func Create(db *store.DB, email, name, password, tz string) (model.Therapist, error) {
	t, err := validate(email, name, password, tz)
	if err != nil {
		return t, err
	}
	t, err = db.CreateTherapist(t)
	if errors.Is(err, store.ErrExists) {
		return t, ErrEmailTaken
	}
	return t, err
}

// NewAPIToken creates a token for t named name (a label of at most 40
// characters, e.g. booking-system) and returns the secret, which is stored
// only hashed.
func NewAPIToken(db *store.DB, t model.Therapist, name string) (string, error) {
	name, err := model.CleanLabel("name", name, 40, true)
	if err != nil {
		return "", err
	}
	secret := "act_" + model.RandomID(32)
	tok := model.APIToken{ID: model.RandomID(9), TherapistID: t.ID, Name: name, CreatedAt: time.Now().UTC()}
	if err := db.AddAPIToken(secret, tok); err != nil {
		return "", err
	}
	return secret, nil
}

// validate checks the fields of a new account and hashes its password.
func validate(email, name, password, tz string) (model.Therapist, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return model.Therapist{}, &model.InputError{Field: "email", Message: "is not an e-mail address"}
	}
	name, err = model.CleanLabel("name", name, 60, true)
	if err != nil {
		return model.Therapist{}, err
	}
	hash, err := hashPassword("password", password)
	if err != nil {
		return model.Therapist{}, err
	}
	if _, err := model.LoadZone("timeZone", tz); err != nil {
		return model.Therapist{}, err
	}
	return model.Therapist{ID: model.RandomID(12), Email: strings.ToLower(addr.Address), Name: name, PasswordHash: hash, TimeZone: tz, CreatedAt: time.Now().UTC()}, nil
}

func hashPassword(field, password string) ([]byte, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength || len(password) > 72 {
		return nil, &model.InputError{Field: field, Message: fmt.Sprintf("must be %d to 72 characters", MinPasswordLength)}
	}
	return bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
}

// InviteTTL is how long a setup or invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// InvitePath is where a one-time link opens in the workspace.
const InvitePath = "/therapist#/join/"

// NewInvite creates a one-time link of kind for email (may be empty) and returns its secret.
func NewInvite(db *store.DB, kind, email, createdBy string, now time.Time) (string, model.Invite, error) {
	secret := model.RandomID(24)
	inv := model.Invite{ID: model.RandomID(9), Kind: kind, Email: strings.ToLower(strings.TrimSpace(email)), CreatedBy: createdBy,
		CreatedAt: now.UTC(), ExpiresAt: now.Add(InviteTTL).UTC()}
	return secret, inv, db.AddInvite(secret, inv)
}

// SetupLink returns a fresh one-time link that creates the studio owner, or ""
// when an account exists already. Each call replaces the previous setup link.
func SetupLink(db *store.DB, baseURL string, now time.Time) (string, error) {
	list, err := db.Therapists()
	if err != nil || len(list) > 0 {
		return "", err
	}
	secret, _, err := NewInvite(db, model.InviteSetup, "", "", now)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(baseURL, "/") + InvitePath + secret, nil
}

// AcceptInvite creates the account an invite stands for.
func AcceptInvite(db *store.DB, secret, email, name, password, tz string, now time.Time) (model.Therapist, error) {
	inv, err := db.Invite(secret, now)
	if err != nil {
		return model.Therapist{}, err
	}
	if inv.Email != "" && !strings.EqualFold(inv.Email, strings.TrimSpace(email)) {
		return model.Therapist{}, &model.InputError{Field: "email", Message: "must be the address this invitation was sent to"}
	}
	t, err := validate(email, name, password, tz)
	if err != nil {
		return t, err
	}
	t.CreatedAt = now.UTC()
	t, err = db.AcceptInvite(secret, now, t)
	if errors.Is(err, store.ErrExists) {
		return t, ErrEmailTaken
	}
	return t, err
}

// SetPassword replaces t's password.
func SetPassword(db *store.DB, therapistID, password string) error {
	hash, err := hashPassword("newPassword", password)
	if err != nil {
		return err
	}
	_, err = db.UpdateTherapist(therapistID, func(t *model.Therapist) error { t.PasswordHash = hash; return nil })
	return err
}

// ErrSelf is returned when the owner tries to disable their own account.
var ErrSelf = errors.New("you cannot disable your own account")

// SetDisabled disables or re-enables a therapist; the owner account cannot be
// disabled. Disabling deletes the account's API tokens and sessions for good.
func SetDisabled(db *store.DB, therapistID string, disabled bool) (model.Therapist, error) {
	return db.SetTherapistDisabled(therapistID, disabled, func(t model.Therapist) error {
		if t.Owner && disabled {
			return ErrSelf
		}
		return nil
	})
}
