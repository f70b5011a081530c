package push

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/aftercare/aftercare/server/netguard"
)

// ErrDialRefused is returned (wrapped) when the default client refuses to
// connect to a loopback, private or otherwise non-public address.
var ErrDialRefused = netguard.ErrDialRefused

// Timeouts of the default client.
const (
	clientTimeout = 10 * time.Second
	dialTimeout   = 5 * time.Second
)

// newHTTPClient returns the sender's default client: timeouts, no redirects,
// no proxy, and a dialer that refuses non-public addresses unless an extra
// allowlist prefix names that host and port. The check runs on the resolved
// address, since DNS can point an allowed-looking name anywhere.
func newHTTPClient(allow *Allowlist, conns, perHost int) *http.Client {
	var extra *netguard.Prefixes
	if allow != nil {
		extra = allow.extra
	}
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf, past the address check
		DialContext:           netguard.DialContext(extra, dialTimeout),
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   dialTimeout,
		ResponseHeaderTimeout: clientTimeout,
		ExpectContinueTimeout: time.Second,
		// Keep-alive sized to the worker pool: every worker can hold a warm
		// connection to a push service, so a fan-out never re-dials (a TLS
		// handshake costs more CPU than a push).
		MaxIdleConns:        4 * conns,
		MaxIdleConnsPerHost: min(conns, perHost),
		// Never more connections to one push service than the sender lets
		// requests be in flight to it (see hostLimit): a burst waits for a
		// warm connection instead of dialling hundreds.
		MaxConnsPerHost: perHost,
		IdleConnTimeout: 90 * time.Second,
		// Push services answer with an empty or tiny body: no gzip to negotiate.
		DisableCompression: true,
		// Headers (VAPID JWT ~ 500 B) and a padded body (≤ 2.8 KB) in one write.
		WriteBufferSize: 8 << 10,
	}
	// A push service never redirects, and following one would bypass the allowlist.
	return &http.Client{Transport: tr, Timeout: clientTimeout, CheckRedirect: netguard.NoRedirect}
}
