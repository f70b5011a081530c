package auth

import (
	"errors"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

func TestCSRFValid(t *testing.T) {
	sess := model.Session{CSRF: "k9Jx2-token"}
	for _, c := range []struct {
		name      string
		sess      model.Session
		presented string
		want      bool
	}{
		{"the session's token", sess, "k9Jx2-token", true},
		{"no token sent", sess, "", false},
		{"another token", sess, "zzzzz-token", false},
		{"a prefix of it", sess, "k9Jx2", false},
		{"it with more after it", sess, "k9Jx2-token2", false},
		{"different case", sess, "K9JX2-TOKEN", false},
		{"nothing against a session without a token", model.Session{}, "", false},
		{"something against a session without a token", model.Session{}, "x", false},
	} {
		if got := CSRFValid(c.sess, c.presented); got != c.want {
			t.Errorf("%s: CSRFValid = %v, want %v", c.name, got, c.want)
		}
	}
}

// sessionService is a Service on a fresh database, with one enabled account,
// on a clock the test moves.
func sessionService(t *testing.T) (*Service, *fakeclock.Clock, model.Therapist) {
	t.Helper()
	db := storetest.Open(t)
	clk := fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	hash, err := bcrypt.GenerateFromPassword([]byte("correct horse battery"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	th, err := db.CreateTherapist(model.Therapist{ID: "ana", Email: "ana@example.org", Name: "Ana", PasswordHash: hash,
		TimeZone: "Europe/Berlin", CreatedAt: clk.Now()})
	if err != nil {
		t.Fatal(err)
	}
	return New(db, clk.Now), clk, th
}

func TestSessionStartGivesSecretAndCSRF(t *testing.T) {
	s, _, th := sessionService(t)
	secret, sess, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	if secret == "" || sess.CSRF == "" || secret == sess.CSRF {
		t.Fatalf("secret %q, CSRF %q: want two different non-empty secrets", secret, sess.CSRF)
	}
	got, stored, err := s.Session(secret)
	if err != nil || got.ID != th.ID {
		t.Fatalf("Session = %v, %v; want %s", got.ID, err, th.ID)
	}
	if !CSRFValid(stored, sess.CSRF) {
		t.Fatal("the CSRF token Start returned is not the session's")
	}
	other, otherSess, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	if other == secret || CSRFValid(stored, otherSess.CSRF) {
		t.Fatal("a second session shares the first one's secret or CSRF token")
	}
}

func TestSessionUnknownOrEmpty(t *testing.T) {
	s, _, _ := sessionService(t)
	for _, secret := range []string{"", "not-a-session"} {
		if _, _, err := s.Session(secret); !errors.Is(err, ErrNoSession) {
			t.Errorf("Session(%q) = %v, want ErrNoSession", secret, err)
		}
	}
}

// TestSessionIdleExpiry: each use within the idle timeout keeps the session
// (the idle timer starts again); a session left alone for the idle timeout
// is gone, for good.
func TestSessionIdleExpiry(t *testing.T) {
	s, clk, th := sessionService(t)
	secret, _, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		clk.Advance(s.IdleTimeout - time.Minute)
		if _, _, err := s.Session(secret); err != nil {
			t.Fatalf("use %d, a minute inside the idle timeout: %v", i+1, err)
		}
	}
	clk.Advance(s.IdleTimeout)
	if _, _, err := s.Session(secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after the idle timeout: %v, want ErrNoSession", err)
	}
	if _, err := s.DB.Session(secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the expired session is still stored: %v", err)
	}
	clk.Set(clk.Now().Add(-s.IdleTimeout)) // even were the clock to go back
	if _, _, err := s.Session(secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("an expired session came back: %v", err)
	}
}

// TestSessionMaxAge: a session in constant use still ends MaxAge after it
// began.
func TestSessionMaxAge(t *testing.T) {
	s, clk, th := sessionService(t)
	start := clk.Now()
	secret, _, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	for clk.Now().Before(start.Add(s.MaxAge - 6*time.Hour)) {
		clk.Advance(6 * time.Hour)
		if _, _, err := s.Session(secret); err != nil {
			t.Fatalf("in use at %v: %v", clk.Now().Sub(start), err)
		}
	}
	clk.Set(start.Add(s.MaxAge))
	if _, _, err := s.Session(secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("at MaxAge: %v, want ErrNoSession", err)
	}
}

func TestSessionOfDisabledAccountEnds(t *testing.T) {
	s, _, th := sessionService(t)
	secret, _, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	// Disabled by a path that leaves the session stored (an older version
	// kept them): the lookup itself refuses and forgets it.
	if _, err := s.DB.UpdateTherapist(th.ID, func(t *model.Therapist) error { t.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(secret); !errors.Is(err, ErrNoSession) {
		t.Fatalf("disabled account's session: %v, want ErrNoSession", err)
	}
	if _, err := s.DB.Session(secret); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("the disabled account's session is still stored: %v", err)
	}
}

// TestStartSweepsExpiredSessions: a login deletes sessions that expired,
// whoever they belonged to, and keeps the live ones.
func TestStartSweepsExpiredSessions(t *testing.T) {
	s, clk, th := sessionService(t)
	old, _, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(s.IdleTimeout - time.Hour)
	live, _, err := s.Start(th)
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour) // old has idled out; live is an hour old
	if _, _, err := s.Start(th); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB.Session(old); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("expired session kept after a login: %v", err)
	}
	if _, err := s.DB.Session(live); err != nil {
		t.Fatalf("live session swept: %v", err)
	}
}

func TestEndAndEndAllOf(t *testing.T) {
	s, _, th := sessionService(t)
	var secrets []string
	for range 3 {
		secret, _, err := s.Start(th)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, secret)
	}
	if err := s.End(secrets[0]); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Session(secrets[0]); !errors.Is(err, ErrNoSession) {
		t.Fatalf("ended session: %v", err)
	}
	if err := s.End(""); err != nil {
		t.Fatalf("End without a session: %v", err)
	}
}
