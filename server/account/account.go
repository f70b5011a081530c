// Package account is the service that keeps therapist accounts: creating
// them (the first becomes the studio owner), invitations, passwords, API
// tokens, the team list and disabling an account.
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
var ErrEmailTaken = &model.Error{Code: model.Conflict, Field: "email", Message: "an account with this e-mail address already exists"}

// Service keeps the studio's therapist accounts.
type Service struct {
	DB *store.DB
	// Now is the clock; nil is the wall clock.
	Now func() time.Time
	// BaseURL is the public address invitation links start with.
	BaseURL string
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Create adds a therapist; the first account of a studio becomes its owner.
func (s *Service) Create(email, name, password, tz string) (model.Therapist, error) {
	t, err := validate(email, name, password, tz, s.now())
	if err != nil {
		return t, err
	}
	t, err = s.DB.CreateTherapist(t)
	if errors.Is(err, store.ErrExists) {
		return t, ErrEmailTaken
	}
	return t, err
}

// Therapists lists every account of the studio.
func (s *Service) Therapists() ([]model.Therapist, error) { return s.DB.Therapists() }

// NewAPIToken creates a token for t named name (a label of at most 40
// characters, e.g. booking-system) and returns the secret, which is stored
// only hashed, with the token as stored.
func (s *Service) NewAPIToken(t model.Therapist, name string) (string, model.APIToken, error) {
	name, err := model.CleanLabel("name", name, 40, true)
	if err != nil {
		return "", model.APIToken{}, err
	}
	secret := "act_" + model.RandomID(32)
	tok := model.APIToken{ID: model.RandomID(9), TherapistID: t.ID, Name: name, CreatedAt: s.now().UTC()}
	if err := s.DB.AddAPIToken(secret, tok); err != nil {
		return "", tok, err
	}
	return secret, tok, nil
}

// APITokens lists therapistID's tokens (never their secrets).
func (s *Service) APITokens(therapistID string) ([]model.APIToken, error) {
	return s.DB.APITokens(therapistID)
}

// RevokeAPIToken deletes one of therapistID's tokens; another's is not found.
func (s *Service) RevokeAPIToken(therapistID, id string) error {
	return s.DB.RevokeAPIToken(therapistID, id)
}

// validate checks the fields of a new account and hashes its password.
func validate(email, name, password, tz string, now time.Time) (model.Therapist, error) {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != strings.TrimSpace(email) {
		return model.Therapist{}, model.InvalidField("email", "is not an e-mail address")
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
	return model.Therapist{ID: model.RandomID(12), Email: strings.ToLower(addr.Address), Name: name, PasswordHash: hash, TimeZone: tz, CreatedAt: now.UTC()}, nil
}

func hashPassword(field, password string) ([]byte, error) {
	if utf8.RuneCountInString(password) < MinPasswordLength || len(password) > 72 {
		return nil, model.InvalidField(field, fmt.Sprintf("must be %d to 72 characters", MinPasswordLength))
	}
	return bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
}

// InviteTTL is how long a setup or invitation link works.
const InviteTTL = 7 * 24 * time.Hour

// InvitePath is where a one-time link opens in the workspace.
const InvitePath = "/therapist#/join/"

// InviteURL is the one-time link of an invitation's secret.
func (s *Service) InviteURL(secret string) string {
	return strings.TrimRight(s.BaseURL, "/") + InvitePath + secret
}

// NewInvite creates a one-time link of kind for email (may be empty) and returns its secret.
func (s *Service) NewInvite(kind, email, createdBy string) (string, model.Invite, error) {
	now := s.now()
	secret := model.RandomID(24)
	inv := model.Invite{ID: model.RandomID(9), Kind: kind, Email: strings.ToLower(strings.TrimSpace(email)), CreatedBy: createdBy,
		CreatedAt: now.UTC(), ExpiresAt: now.Add(InviteTTL).UTC()}
	return secret, inv, s.DB.AddInvite(secret, inv)
}

// InviteTherapist creates the link by which a new colleague joins, for
// email (or anyone holding the link, when email is empty), and returns it.
func (s *Service) InviteTherapist(by model.Therapist, email string) (string, model.Invite, error) {
	if email != "" && (!strings.Contains(email, "@") || len(email) > 254 || !isMailAddress(email)) {
		return "", model.Invite{}, model.InvalidField("email", "is not an e-mail address (or leave it empty)")
	}
	secret, inv, err := s.NewInvite(model.InviteTherapist, email, by.ID)
	if err != nil {
		return "", inv, err
	}
	return s.InviteURL(secret), inv, nil
}

// isMailAddress reports whether s is a bare address, as account creation will require.
func isMailAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == strings.TrimSpace(s)
}

// Invite is the pending invitation of a one-time link; store.ErrInviteUsed
// (Gone) once it expired or was used.
func (s *Service) Invite(secret string) (model.Invite, error) { return s.DB.Invite(secret, s.now()) }

// PendingInvites lists the invitations not yet used or expired.
func (s *Service) PendingInvites() ([]model.Invite, error) { return s.DB.PendingInvites(s.now()) }

// CancelInvite deletes a pending invitation: its link then answers like a used one.
func (s *Service) CancelInvite(id string) error { return s.DB.DeleteInvite(id) }

// SetupLink returns a fresh one-time link that creates the studio owner, or ""
// when an account exists already. Each call replaces the previous setup link.
func (s *Service) SetupLink() (string, error) {
	list, err := s.DB.Therapists()
	if err != nil || len(list) > 0 {
		return "", err
	}
	secret, _, err := s.NewInvite(model.InviteSetup, "", "")
	if err != nil {
		return "", err
	}
	return s.InviteURL(secret), nil
}

// AcceptInvite creates the account an invite stands for, reading the
// workspace in lang (a supported tag; "" for the studio's language).
func (s *Service) AcceptInvite(secret, email, name, password, tz, lang string) (model.Therapist, error) {
	now := s.now()
	inv, err := s.DB.Invite(secret, now)
	if err != nil {
		return model.Therapist{}, err
	}
	if inv.Email != "" && !strings.EqualFold(inv.Email, strings.TrimSpace(email)) {
		return model.Therapist{}, model.InvalidField("email", "must be the address this invitation was sent to")
	}
	t, err := validate(email, name, password, tz, now)
	if err != nil {
		return t, err
	}
	if lang != "" {
		if t.Language, err = model.ParseLanguage("language", lang); err != nil {
			return model.Therapist{}, err
		}
	}
	t, err = s.DB.AcceptInvite(secret, now, t)
	if errors.Is(err, store.ErrExists) {
		return t, ErrEmailTaken
	}
	return t, err
}

// ChangeSettings stores t's own settings: the language (lang, unless empty)
// and the prepare reminder (unless nil), together; at least one is required,
// and a bad language stores neither.
func (s *Service) ChangeSettings(t model.Therapist, lang string, prepareReminder *bool) (model.Therapist, error) {
	if lang == "" && prepareReminder == nil {
		return t, model.InvalidField("language", "is required (one of "+strings.Join(model.SupportedLanguages(), ", ")+"), unless prepareReminder is sent")
	}
	var tag string
	if lang != "" {
		var err error
		if tag, err = model.ParseLanguage("language", lang); err != nil {
			return t, err
		}
	}
	return s.DB.UpdateTherapist(t.ID, func(t *model.Therapist) error {
		if tag != "" {
			t.Language = tag
		}
		if prepareReminder != nil {
			t.PrepareReminder = *prepareReminder
		}
		return nil
	})
}

// ChangePassword replaces t's password (the current one was checked, see
// auth.Service.CheckPassword) and logs every other browser of t out, keeping
// the session keepSecret. API tokens keep working: they are returned, for the
// therapist to revoke any that may have leaked with the old password.
func (s *Service) ChangePassword(t model.Therapist, password, keepSecret string) ([]model.APIToken, error) {
	hash, err := hashPassword("newPassword", password)
	if err != nil {
		return nil, err
	}
	if _, err := s.DB.UpdateTherapist(t.ID, func(t *model.Therapist) error { t.PasswordHash = hash; return nil }); err != nil {
		return nil, err
	}
	if _, err := s.DB.DeleteSessions(t.ID, keepSecret, nil); err != nil {
		return nil, err
	}
	return s.DB.APITokens(t.ID)
}

// ErrSelf is returned when the owner tries to disable their own account.
var ErrSelf = model.InvalidField("", "you cannot disable your own account")

// SetDisabled disables or re-enables a therapist; the owner account cannot be
// disabled. Disabling deletes the account's API tokens and sessions for good,
// and its alert devices: a former colleague's phone must not keep getting
// clients' red flags (the owner's devices get them now).
func (s *Service) SetDisabled(therapistID string, disabled bool) (model.Therapist, error) {
	t, err := s.DB.SetTherapistDisabled(therapistID, disabled, func(t model.Therapist) error {
		if t.Owner && disabled {
			return ErrSelf
		}
		return nil
	})
	if err != nil || !t.Disabled {
		return t, err
	}
	return t, s.deleteAlertDevices(t.ID)
}

// deleteAlertDevices removes every alert device of therapist id.
func (s *Service) deleteAlertDevices(id string) error {
	owner := store.TherapistOwner(id)
	subs, err := s.DB.Subscriptions(owner)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if err := s.DB.DeleteSubscription(owner, sub.Endpoint); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return nil
}
