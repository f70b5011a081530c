package pushtest

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// maxJWTLifetime is RFC 8292's limit on how far ahead exp may be.
const maxJWTLifetime = 24 * time.Hour

// refusal is a failed check: the status to answer and why.
type refusal struct {
	status int
	reason string
}

func refuse(status int, format string, args ...any) *refusal {
	return &refusal{status: status, reason: fmt.Sprintf(format, args...)}
}

// verifyVAPID checks an "Authorization: vapid t=<JWT>, k=<key>" header
// (RFC 8292) and returns the JWT's sub claim.
func (s *Service) verifyVAPID(header string, now time.Time) (string, *refusal) {
	scheme, params, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "vapid") {
		return "", refuse(http.StatusUnauthorized, "Authorization: want scheme vapid")
	}
	var t, k string
	for _, p := range strings.Split(params, ",") {
		name, value, _ := strings.Cut(strings.TrimSpace(p), "=")
		switch strings.ToLower(name) {
		case "t":
			t = value
		case "k":
			k = value
		}
	}
	if t == "" || k == "" {
		return "", refuse(http.StatusUnauthorized, "Authorization: want both t= and k=")
	}
	key, err := base64.RawURLEncoding.Strict().DecodeString(k)
	if err != nil {
		return "", refuse(http.StatusUnauthorized, "Authorization: k is not unpadded URL-safe base64")
	}
	if !bytes.Equal(key, s.vapidKey) {
		return "", refuse(http.StatusForbidden, "VapidPkHashMismatch: k is not the key this subscription was made with")
	}
	pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), key)
	if err != nil {
		return "", refuse(http.StatusUnauthorized, "Authorization: k is not a P-256 point")
	}

	claims := jwt.MapClaims{}
	_, err = jwt.ParseWithClaims(t, claims,
		func(*jwt.Token) (any, error) { return pub, nil },
		jwt.WithValidMethods([]string{"ES256"}),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	if err != nil {
		return "", refuse(http.StatusUnauthorized, "BadJwtToken: %v", err)
	}
	aud, _ := claims["aud"].(string)
	if aud != s.URL {
		return "", refuse(http.StatusUnauthorized, "BadJwtToken: aud %q, want %q", aud, s.URL)
	}
	exp, err := claims.GetExpirationTime()
	if err != nil || exp == nil {
		return "", refuse(http.StatusUnauthorized, "BadJwtToken: exp missing")
	}
	if exp.Time.After(now.Add(maxJWTLifetime)) {
		return "", refuse(http.StatusUnauthorized, "BadJwtToken: exp more than 24 h ahead")
	}
	sub, _ := claims["sub"].(string)
	if err := checkSubject(sub); err != nil {
		return "", refuse(http.StatusForbidden, "BadJwtToken: sub %q: %v", sub, err)
	}
	return sub, nil
}

// checkSubject accepts "mailto:<address>" or "https:..." and refuses what
// Apple refuses: a doubled mailto: and local or reserved mail domains.
func checkSubject(sub string) error {
	if strings.HasPrefix(sub, "https:") {
		return nil
	}
	addr, ok := strings.CutPrefix(sub, "mailto:")
	if !ok {
		return fmt.Errorf("subject %q is neither a mailto: nor an https: URL", sub)
	}
	if strings.HasPrefix(addr, "mailto:") {
		return fmt.Errorf("doubled mailto: prefix")
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr {
		return fmt.Errorf("not an e-mail address")
	}
	domain := strings.ToLower(addr[strings.LastIndexByte(addr, '@')+1:])
	if domain == "localhost" || strings.HasSuffix(domain, ".localhost") ||
		strings.HasSuffix(domain, ".local") || strings.HasSuffix(domain, ".invalid") {
		return fmt.Errorf("local or reserved domain")
	}
	return nil
}
