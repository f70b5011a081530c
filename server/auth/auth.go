// Package auth logs therapists in: password checks with throttling, browser
// sessions with idle and absolute expiry, and the CSRF token bound to each session.
package auth

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// Defaults for session lifetime and login throttling.
const (
	DefaultIdleTimeout = 3 * 24 * time.Hour
	DefaultMaxAge      = 14 * 24 * time.Hour
	AccountFailures    = 5  // per account per ThrottleWindow, from addresses that have failed
	AddressFailures    = 20 // per client address (IPv6: per /64) per ThrottleWindow, strict
	// AccountCeiling bounds failures per account per ThrottleWindow even from
	// clean addresses, which may otherwise try past AccountFailures: guessing
	// from many addresses stays slow.
	AccountCeiling = 50
	ThrottleWindow = 15 * time.Minute
	// DefaultHashWait is how long a login waits for a free password check
	// before it is answered 429.
	DefaultHashWait = 3 * time.Second
)

// DefaultHashSlots bounds concurrent bcrypt checks to half the CPUs (at least
// one), so a login flood leaves the other half to everything else.
func DefaultHashSlots() int { return max(1, runtime.GOMAXPROCS(0)/2) }

// ErrBadCredentials is the one answer for a wrong e-mail, wrong password or disabled account.
var ErrBadCredentials = model.UnauthorizedError("wrong e-mail address or password")

// ErrBadToken is returned for an API token that is unknown, revoked or of a disabled account.
var ErrBadToken = model.UnauthorizedError("invalid or revoked API token")

// ErrNoSession is returned for a missing, unknown or expired session.
var ErrNoSession = model.UnauthorizedError("not logged in or session expired: log in again")

// throttled refuses a login attempt for wait (TooMany with RetryAfter); busy
// says the password checks were all taken, rather than too many failures.
func throttled(wait time.Duration, busy bool) error {
	shown := max(wait.Round(time.Second), time.Second)
	if busy {
		return model.TooManyError(fmt.Sprintf("the server is busy checking other logins: try again in %s", shown), wait)
	}
	return model.TooManyError(fmt.Sprintf("too many failed logins: try again in %s", shown), wait)
}

// Service checks passwords and keeps sessions.
type Service struct {
	DB          *store.DB
	Now         func() time.Time
	IdleTimeout time.Duration
	MaxAge      time.Duration
	Accounts    *Throttle // failures per account (lower-cased e-mail address)
	Addresses   *Throttle // failures per client address (AddressKey)
	// AccountCeiling is the per-account limit for attempts from clean addresses.
	AccountCeiling int
	// HashSlots bounds concurrent bcrypt checks; HashWait is how long a login
	// waits for one. Set them before the first login.
	HashSlots int
	HashWait  time.Duration

	reserving sync.Mutex // one decision at a time across both throttles
	slotsOnce sync.Once
	slots     chan struct{}
	hashes    atomic.Int64
	busy      atomic.Int32
	peak      atomic.Int32
}

// New returns a service with default lifetimes; now may be nil for the wall clock.
func New(db *store.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{
		DB: db, Now: now, IdleTimeout: DefaultIdleTimeout, MaxAge: DefaultMaxAge,
		Accounts:       NewThrottle(AccountFailures, ThrottleWindow, now),
		Addresses:      NewThrottle(AddressFailures, ThrottleWindow, now),
		AccountCeiling: AccountCeiling,
		HashSlots:      DefaultHashSlots(),
		HashWait:       DefaultHashWait,
	}
}

// HashStats is how much bcrypt work the service has done.
type HashStats struct {
	Checks int64 // password checks run (logins and password changes)
	Peak   int   // most checks that ran at once
	Slots  int   // the bound on checks at once
}

// HashStats reports the bcrypt checks run so far.
func (s *Service) HashStats() HashStats {
	return HashStats{Checks: s.hashes.Load(), Peak: int(s.peak.Load()), Slots: cap(s.hashSlots())}
}

func (s *Service) hashSlots() chan struct{} {
	s.slotsOnce.Do(func() { s.slots = make(chan struct{}, max(1, s.HashSlots)) })
	return s.slots
}

// AccountKey is the throttling key of the account a login names.
func AccountKey(email string) string { return "a:" + strings.ToLower(strings.TrimSpace(email)) }

// attempt is a login reserved in both throttles before its password is checked.
type attempt struct {
	s         *Service
	acct, ip  string
	pastLimit bool // let through the account's limit because its address is clean
}

// reserve admits an attempt for account key acct from address key ip, or says
// how long to wait. The address limit is strict. The account limit applies to
// addresses that have failed (or have an attempt in flight) in the window; a
// clean address may try up to AccountCeiling, so an attacker who knows an
// e-mail address cannot lock its therapist out from everywhere.
func (s *Service) reserve(acct, ip string) (*attempt, error) {
	s.reserving.Lock()
	defer s.reserving.Unlock()
	clean := s.Addresses.Count(ip) == 0
	if wait := s.Addresses.Reserve(ip, s.Addresses.Limit); wait > 0 {
		return nil, throttled(wait, false)
	}
	a := &attempt{s: s, acct: acct, ip: ip}
	wait := s.Accounts.Reserve(acct, s.Accounts.Limit)
	if wait > 0 && clean {
		if wait = s.Accounts.Reserve(acct, max(s.AccountCeiling, s.Accounts.Limit)); wait == 0 {
			a.pastLimit = true
		}
	}
	if wait > 0 {
		s.Addresses.Release(ip)
		return nil, throttled(wait, false)
	}
	return a, nil
}

// fail settles the attempt as a failure in both throttles.
func (a *attempt) fail() {
	a.s.Accounts.Fail(a.acct)
	a.s.Addresses.Fail(a.ip)
}

// release settles the attempt as not made (the check never ran).
func (a *attempt) release() {
	a.s.Accounts.Release(a.acct)
	a.s.Addresses.Release(a.ip)
}

// succeed settles the attempt as a right password. Within the account's limit
// that forgets its failures; past it (a clean address during an attack) the
// lock stays for everyone else.
func (a *attempt) succeed(forget bool) {
	a.release()
	if forget && !a.pastLimit {
		a.s.Accounts.Reset(a.acct)
	}
}

// check compares password with hash in one of the bounded bcrypt slots,
// waiting at most HashWait for one.
func (s *Service) check(hash []byte, password string) (bool, error) {
	slots := s.hashSlots()
	select {
	case slots <- struct{}{}:
	default:
		timer := time.NewTimer(s.HashWait)
		defer timer.Stop()
		select {
		case slots <- struct{}{}:
		case <-timer.C:
			return false, throttled(time.Second, true)
		}
	}
	defer func() { <-slots }()
	s.hashes.Add(1)
	n := s.busy.Add(1)
	defer s.busy.Add(-1)
	for {
		if p := s.peak.Load(); n <= p || s.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return bcrypt.CompareHashAndPassword(hash, []byte(password)) == nil, nil
}

// dummyHash makes a login for an unknown address cost as much as a real one.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("aftercare timing equaliser"), account.PasswordCost)
	return h
})

// Login checks email and password from client address addr. The attempt is
// counted before bcrypt runs, so concurrent attempts cannot pass the limits.
func (s *Service) Login(email, password, addr string) (model.Therapist, error) {
	if email == "" {
		return model.Therapist{}, model.InvalidField("email", "is required")
	}
	if password == "" {
		return model.Therapist{}, model.InvalidField("password", "is required")
	}
	a, err := s.reserve(AccountKey(email), AddressKey(addr))
	if err != nil {
		return model.Therapist{}, err
	}
	t, err := s.DB.TherapistByEmail(strings.TrimSpace(email))
	hash := dummyHash()
	if err == nil {
		hash = t.PasswordHash
	} else if !errors.Is(err, store.ErrNotFound) {
		a.release()
		return t, err
	}
	ok, cerr := s.check(hash, password)
	if cerr != nil {
		a.release()
		return model.Therapist{}, cerr
	}
	if !ok || err != nil || t.Disabled {
		a.fail()
		return model.Therapist{}, ErrBadCredentials
	}
	a.succeed(true)
	return t, nil
}

// CheckPassword verifies t's current password (for a password change) from
// client address addr; it is throttled and counted like a login.
func (s *Service) CheckPassword(t model.Therapist, password, addr string) error {
	a, err := s.reserve(AccountKey(t.Email), AddressKey(addr))
	if err != nil {
		return err
	}
	ok, err := s.check(t.PasswordHash, password)
	if err != nil {
		a.release()
		return err
	}
	if !ok {
		a.fail()
		return model.InvalidField("currentPassword", "is not your current password")
	}
	a.succeed(false)
	return nil
}

// Start opens a session for t and returns its secret (the cookie value).
func (s *Service) Start(t model.Therapist) (string, model.Session, error) {
	now := s.Now().UTC()
	secret := RandomSecret()
	sess := model.Session{TherapistID: t.ID, CSRF: RandomSecret(), CreatedAt: now, LastSeen: now}
	if err := s.DB.PutSession(secret, sess); err != nil {
		return "", sess, err
	}
	// Sweep expired sessions now and then: logins are rare, so this costs little.
	_, _ = s.DB.DeleteSessions("", "", s.expired)
	return secret, sess, nil
}

func (s *Service) expired(sess model.Session) bool {
	now := s.Now()
	return now.Sub(sess.LastSeen) >= s.IdleTimeout || now.Sub(sess.CreatedAt) >= s.MaxAge
}

// Session resolves a cookie secret to its enabled therapist and refreshes its idle timer.
func (s *Service) Session(secret string) (model.Therapist, model.Session, error) {
	if secret == "" {
		return model.Therapist{}, model.Session{}, ErrNoSession
	}
	sess, err := s.DB.Session(secret)
	if errors.Is(err, store.ErrNotFound) {
		return model.Therapist{}, sess, ErrNoSession
	} else if err != nil {
		return model.Therapist{}, sess, err
	}
	if s.expired(sess) {
		_ = s.DB.DeleteSession(secret)
		return model.Therapist{}, sess, ErrNoSession
	}
	t, err := s.DB.Therapist(sess.TherapistID)
	if err != nil || t.Disabled {
		_ = s.DB.DeleteSession(secret)
		return model.Therapist{}, sess, ErrNoSession
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

// TherapistByAPIToken resolves an API token's secret (Authorization: Bearer)
// to its enabled therapist; ErrBadToken for an unknown, revoked or disabled one.
func (s *Service) TherapistByAPIToken(secret string) (model.Therapist, error) {
	t, err := s.DB.TherapistByAPIToken(secret)
	if err != nil {
		return t, ErrBadToken
	}
	return t, nil
}

// CSRFValid compares a presented token with the session's in constant time.
func CSRFValid(sess model.Session, presented string) bool {
	return presented != "" && subtle.ConstantTimeCompare([]byte(sess.CSRF), []byte(presented)) == 1
}

// RandomSecret returns 256 random bits, URL-safe.
func RandomSecret() string { return model.RandomID(32) }
