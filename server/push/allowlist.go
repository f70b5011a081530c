package push

import (
	"crypto/ecdh"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aftercare/aftercare/server/netguard"
)

// ErrEndpointNotAllowed is returned (wrapped) for any endpoint the allowlist refuses.
var ErrEndpointNotAllowed = errors.New("endpoint must be https on port 443 at a known push service")

// ErrInvalidSubscription is returned (wrapped, naming the field) by ValidateSubscription.
var ErrInvalidSubscription = errors.New("invalid push subscription")

// maxEndpointLen bounds what we store and parse; real endpoints are a few hundred bytes.
const maxEndpointLen = 2048

// pushHosts are matched exactly; pushSuffixes match any subdomain.
var (
	pushHosts    = []string{"fcm.googleapis.com", "android.googleapis.com", "updates.push.services.mozilla.com"}
	pushSuffixes = []string{".push.apple.com", ".notify.windows.com"}
)

// Allowlist decides which endpoints may be pushed to. The endpoint URL comes
// from a browser, so without it the server would POST wherever a stranger says.
type Allowlist struct {
	extra *netguard.Prefixes
}

// NewAllowlist returns the built-in push services plus extraPrefixes (for
// tests and local development, e.g. "http://127.0.0.1:9000/").
func NewAllowlist(extraPrefixes []string) (*Allowlist, error) {
	extra, err := netguard.ParsePrefixes(extraPrefixes)
	if err != nil {
		return nil, fmt.Errorf("push %w", err)
	}
	return &Allowlist{extra: extra}, nil
}

// Check returns nil if endpoint may be pushed to, or an error wrapping ErrEndpointNotAllowed.
// The error never contains the endpoint itself: endpoints are bearer capabilities.
func (a *Allowlist) Check(endpoint string) error {
	_, err := a.parseChecked(endpoint)
	return err
}

// parseChecked is Check that also returns the parsed endpoint.
func (a *Allowlist) parseChecked(endpoint string) (*url.URL, error) {
	if len(endpoint) > maxEndpointLen {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrEndpointNotAllowed, maxEndpointLen)
	}
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, fmt.Errorf("%w: not a URL", ErrEndpointNotAllowed)
	}
	if err := a.checkURL(u); err != nil {
		return nil, err
	}
	return u, nil
}

// checkURL is Check for an endpoint already parsed (and at most maxEndpointLen long).
func (a *Allowlist) checkURL(u *url.URL) error {
	if u.Opaque != "" || u.Host == "" {
		return fmt.Errorf("%w: not an absolute URL", ErrEndpointNotAllowed)
	}
	if u.User != nil {
		return fmt.Errorf("%w: userinfo not allowed", ErrEndpointNotAllowed)
	}
	if netguard.HasDotSegments(u.Path) {
		return fmt.Errorf("%w: dot segments not allowed", ErrEndpointNotAllowed)
	}
	if a != nil && a.extra.Match(u) {
		return nil
	}
	host := netguard.NormalizeHost(u.Hostname())
	if u.Scheme != "https" {
		return fmt.Errorf("%w: scheme is not https", ErrEndpointNotAllowed)
	}
	if port := u.Port(); port != "" && port != "443" {
		return fmt.Errorf("%w: port is not 443", ErrEndpointNotAllowed)
	}
	if netguard.IsIPLiteral(u) {
		return fmt.Errorf("%w: IP address not allowed", ErrEndpointNotAllowed)
	}
	if !netguard.IsDNSName(host) {
		return fmt.Errorf("%w: invalid host name", ErrEndpointNotAllowed)
	}
	if isPushHost(host) {
		return nil
	}
	return fmt.Errorf("%w: unknown host", ErrEndpointNotAllowed)
}

// ValidateSubscription checks the endpoint and the browser's keys, so a bad
// subscription is refused at subscribe time rather than failing at send time.
func (a *Allowlist) ValidateSubscription(s Subscription) error {
	if err := a.Check(s.Endpoint); err != nil {
		return fmt.Errorf("%w: endpoint: %w", ErrInvalidSubscription, err)
	}
	if len(s.P256dh) > 100 {
		return fmt.Errorf("%w: p256dh: too long", ErrInvalidSubscription)
	}
	pub, err := decodeKey(s.P256dh)
	if err != nil {
		return fmt.Errorf("%w: p256dh: not URL-safe base64", ErrInvalidSubscription)
	}
	if len(pub) != 65 || pub[0] != 0x04 {
		return fmt.Errorf("%w: p256dh: want a 65-byte uncompressed P-256 point, got %d bytes", ErrInvalidSubscription, len(pub))
	}
	if _, err := ecdh.P256().NewPublicKey(pub); err != nil {
		return fmt.Errorf("%w: p256dh: not a point on the P-256 curve", ErrInvalidSubscription)
	}
	if len(s.Auth) > 32 {
		return fmt.Errorf("%w: auth: too long", ErrInvalidSubscription)
	}
	auth, err := decodeKey(s.Auth)
	if err != nil {
		return fmt.Errorf("%w: auth: not URL-safe base64", ErrInvalidSubscription)
	}
	if len(auth) != 16 {
		return fmt.Errorf("%w: auth: want 16 bytes, got %d", ErrInvalidSubscription, len(auth))
	}
	return nil
}

func isPushHost(host string) bool {
	for _, h := range pushHosts {
		if host == h {
			return true
		}
	}
	for _, s := range pushSuffixes {
		if strings.HasSuffix(host, s) && len(host) > len(s) {
			return true
		}
	}
	return false
}
