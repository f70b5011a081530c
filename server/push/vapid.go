package push

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// VAPID token timing. Apple asks senders not to refresh the JWT more than
// once an hour, and an hour is what it accepts a token for; renewing with ten
// minutes left means a request (with its retries) never carries one about to
// expire. RFC 8292 allows up to 24 hours.
const (
	vapidLifetime    = time.Hour
	vapidRenewBefore = 10 * time.Minute
	// maxVAPIDOrigins bounds the cache; the allowlist names a handful of push
	// services, though Windows spreads its endpoints over many hosts.
	maxVAPIDOrigins = 1024
)

// vapidTokens signs one VAPID JWT per push service origin and hour and hands
// out the same Authorization header for every request to that origin while
// it is valid. webpush-go signs a JWT per message (half of its CPU per push);
// this is one signature per origin and 50 minutes.
type vapidTokens struct {
	key *ecdsa.PrivateKey
	k   string // the public key as the header's k= parameter
	sub string // "mailto:<address>" or an https: URL
	now func() time.Time

	mu       sync.Mutex
	byOrigin map[string]vapidToken
}

type vapidToken struct {
	header string
	exp    time.Time
}

// newVAPIDTokens takes validated keys and a subject as normalizeSubject returns it.
func newVAPIDTokens(keys Keys, subject string, now func() time.Time) (*vapidTokens, error) {
	priv, err := decodeKey(keys.Private)
	if err != nil {
		return nil, fmt.Errorf("vapid private key: %w", err)
	}
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), priv)
	if err != nil {
		return nil, fmt.Errorf("vapid private key: %w", err)
	}
	pub, err := decodeKey(keys.Public)
	if err != nil {
		return nil, fmt.Errorf("vapid public key: %w", err)
	}
	// The same contact webpush-go puts into its JWT.
	if !strings.HasPrefix(subject, "https:") {
		subject = "mailto:" + subject
	}
	return &vapidTokens{
		key: key, k: base64.RawURLEncoding.EncodeToString(pub), sub: subject, now: now,
		byOrigin: make(map[string]vapidToken),
	}, nil
}

// headerFor returns "vapid t=<JWT>, k=<key>" for the origin of the endpoint u.
func (v *vapidTokens) headerFor(u *url.URL) (string, error) {
	if u.Host == "" {
		return "", fmt.Errorf("%w: not an absolute URL", ErrEndpointNotAllowed)
	}
	// The JWT's aud, exactly as webpush-go writes it.
	origin := u.Scheme + "://" + u.Host
	now := v.now()
	v.mu.Lock()
	defer v.mu.Unlock()
	if t, ok := v.byOrigin[origin]; ok {
		// A clock set back would otherwise leave exp too far ahead.
		if left := t.exp.Sub(now); left >= vapidRenewBefore && left <= vapidLifetime {
			return t.header, nil
		}
	}
	exp := now.Add(vapidLifetime).Truncate(time.Second)
	jwtString, err := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims{
		"aud": origin, "exp": exp.Unix(), "sub": v.sub,
	}).SignedString(v.key)
	if err != nil {
		return "", fmt.Errorf("sign vapid jwt: %w", err)
	}
	if len(v.byOrigin) >= maxVAPIDOrigins {
		for o, t := range v.byOrigin {
			if t.exp.Sub(now) < vapidRenewBefore {
				delete(v.byOrigin, o)
			}
		}
		if len(v.byOrigin) >= maxVAPIDOrigins {
			clear(v.byOrigin)
		}
	}
	t := vapidToken{header: "vapid t=" + jwtString + ", k=" + v.k, exp: exp}
	v.byOrigin[origin] = t
	return t.header, nil
}
