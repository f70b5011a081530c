package push

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// ErrDialRefused is returned (wrapped) when the default client refuses to
// connect to a loopback, private or otherwise non-public address.
var ErrDialRefused = errors.New("refusing to connect to a non-public address")

// Timeouts of the default client.
const (
	clientTimeout = 10 * time.Second
	dialTimeout   = 5 * time.Second
)

// nonPublic lists special-purpose ranges that netip's predicates do not cover.
var nonPublic = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),
	netip.MustParsePrefix("100.64.0.0/10"), // carrier-grade NAT
	netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("240.0.0.0/4"),
	netip.MustParsePrefix("fec0::/10"),
	netip.MustParsePrefix("2001:db8::/32"),
}

var (
	nat64     = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour = netip.MustParsePrefix("2002::/16")
)

// newHTTPClient returns the sender's default client: timeouts, no redirects,
// no proxy, and a dialer that refuses non-public addresses unless an extra
// allowlist prefix names that host and port. The check runs on the resolved
// address, since DNS can point an allowed-looking name anywhere.
func newHTTPClient(allow *Allowlist, conns, perHost int) *http.Client {
	strict := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second, Control: refuseNonPublic}
	open := &net.Dialer{Timeout: dialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: nil, // a proxy would dial on our behalf, past the address check
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if allow.coversDial(addr) {
				return open.DialContext(ctx, network, addr)
			}
			return strict.DialContext(ctx, network, addr)
		},
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
	return &http.Client{Transport: tr, Timeout: clientTimeout, CheckRedirect: noRedirect}
}

// noRedirect makes the client return a 3xx as is: a push service never
// redirects, and following one would bypass the allowlist.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// refuseNonPublic is a net.Dialer Control hook.
func refuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrDialRefused, address)
	}
	if !isPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrDialRefused, ap.Addr())
	}
	return nil
}

// isPublic reports whether ip is a globally routable unicast address.
func isPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	if !ip.IsGlobalUnicast() || ip.IsPrivate() {
		return false
	}
	for _, p := range nonPublic {
		if p.Contains(ip) {
			return false
		}
	}
	// Addresses that embed an IPv4 address are as public as that address.
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return isPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return isPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return true
}
