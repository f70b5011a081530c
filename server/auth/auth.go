// Package auth logs therapists in: password checks with throttling, browser
// sessions with idle and absolute expiry, and the CSRF token bound to each session.
package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/plan"
	"github.com/aftercare/aftercare/server/store"
)

// Defaults for session lifetime and login throttling.
const (
	DefaultIdleTimeout = 3 * 24 * time.Hour
	DefaultMaxAge      = 14 * 24 * time.Hour
	AccountFailures    = 5  // per account per ThrottleWindow
	AddressFailures    = 20 // per client address per ThrottleWindow
	ThrottleWindow     = 15 * time.Minute
)

// ErrBadCredentials is the one answer for a wrong e-mail, wrong password or disabled account.
var ErrBadCredentials = errors.New("wrong e-mail address or password")

// ErrNoSession is returned for a missing, unknown or expired session.
var ErrNoSession = errors.New("not logged in or session expired: log in again")

// ThrottledError says how long to wait before the next login attempt.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many failed logins: try again in %s", e.RetryAfter.Round(time.Second))
}

// Service checks passwords and keeps sessions.
type Service struct {
	DB          *store.DB
	Now         func() time.Time
	IdleTimeout time.Duration
	MaxAge      time.Duration
	Accounts    *Throttle
	Addresses   *Throttle
}

// New returns a service with default lifetimes; now may be nil for the wall clock.
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{
		DB: db, Now: now, IdleTimeout: DefaultIdleTimeout, MaxAge: DefaultMaxAge,
		Accounts:  NewThrottle(AccountFailures, ThrottleWindow, now),
		Addresses: NewThrottle(AddressFailures, ThrottleWindow, now),
	}
}

// dummyHash makes a login for an unknown address cost as much as a real one.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("aftercare timing equaliser"), account.PasswordCost)
	return h
})

// Login checks email and password from client address addr.
func (s *Service) Login(email, password, addr string) (plan.Therapist, error) {
	acct := "a:" + strings.ToLower(strings.TrimSpace(email))
	ip := "i:" + addr
	if wait := max(s.Accounts.RetryAfter(acct), s.Addresses.RetryAfter(ip)); wait > 0 {
		return plan.Therapist{}, &ThrottledError{RetryAfter: wait}
	}
	t, err := s.DB.TherapistByEmail(strings.TrimSpace(email))
	hash := dummyHash()
	if err == nil {
		hash = t.PasswordHash
	} else if !errors.Is(err, store.ErrNotFound) {
		return t, err
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(password)) != nil || err != nil || t.Disabled {
		s.Accounts.Fail(acct)
		s.Addresses.Fail(ip)
		return plan.Therapist{}, ErrBadCredentials
	}
	s.Accounts.Reset(acct)
	return t, nil
}

// CheckPassword verifies t's current password (for a password change); failures count
// against the account's throttle like logins do.
func (s *Service) CheckPassword(t plan.Therapist, password string) error {
	acct := "a:" + strings.ToLower(t.Email)
	if wait := s.Accounts.RetryAfter(acct); wait > 0 {
		return &ThrottledError{RetryAfter: wait}
	}
	if bcrypt.CompareHashAndPassword(t.PasswordHash, []byte(password)) != nil {
		s.Accounts.Fail(acct)
		return &plan.InputError{Field: "currentPassword", Message: "is not your current password"}
	}
	return nil
}

// Start opens a session for t and returns its secret (the cookie value).
func (s *Service) Start(t plan.Therapist) (string, plan.Session, error) {
	now := s.Now().UTC()
	secret := RandomSecret()
	sess := plan.Session{TherapistID: t.ID, CSRF: RandomSecret(), CreatedAt: now, LastSeen: now}
	if err := s.DB.PutSession(secret, sess); err != nil {
		return "", sess, err
	}
	// Sweep expired sessions now and then: logins are rare, so this costs little.
	_, _ = s.DB.DeleteSessions("", "", s.expired)
	return secret, sess, nil
}

func (s *Service) expired(sess plan.Session) bool {
	now := s.Now()
	return now.Sub(sess.LastSeen) >= s.IdleTimeout || now.Sub(sess.CreatedAt) >= s.MaxAge
}

// Session resolves a cookie secret to its enabled therapist and refreshes its idle timer.
func (s *Service) Session(secret string) (plan.Therapist, plan.Session, error) {
	if secret == "" {
		return plan.Therapist{}, plan.Session{}, ErrNoSession
	}
	sess, err := s.DB.Session(secret)
	if errors.Is(err, store.ErrNotFound) {
		return plan.Therapist{}, sess, ErrNoSession
	} else if err != nil {
		return plan.Therapist{}, sess, err
	}
	if s.expired(sess) {
		_ = s.DB.DeleteSession(secret)
		return plan.Therapist{}, sess, ErrNoSession
	}
	t, err := s.DB.Therapist(sess.TherapistID)
	if err != nil || t.Disabled {
		_ = s.DB.DeleteSession(secret)
		return plan.Therapist{}, sess, ErrNoSession
	}
	if err := s.DB.TouchSession(secret, sess, s.Now()); err != nil {
		return t, sess, err
	}
	return t, sess, nil
}

// End logs a session out.
func (s *Service) End(secret string) error {
	if secret == "" {
		return nil
	}
	return s.DB.DeleteSession(secret)
}

// EndAllOf logs therapistID out everywhere except the session keepSecret.
func (s *Service) EndAllOf(therapistID, keepSecret string) error {
	_, err := s.DB.DeleteSessions(therapistID, keepSecret, nil)
	return err
}

// CSRFValid compares a presented token with the session's in constant time.
func CSRFValid(sess plan.Session, presented string) bool {
	return presented != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(presented)) == 1
}

// RandomSecret returns 256 random bits, URL-safe.
func RandomSecret() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
