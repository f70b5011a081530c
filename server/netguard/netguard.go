// Package netguard keeps the server's outbound requests (Web Push, webhooks)
// off the studio's own network: URLs a stranger or an integration chose are
// checked by shape, and every connection by the address it really reaches,
// since DNS can point an allowed-looking name anywhere. Extra prefixes (tests,
// local development) open exact scheme://host:port/path/ prefixes, and only
// those hosts and ports at the dialer.
package netguard

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"
)

// ErrDialRefused is returned (wrapped) when a guarded dialer refuses to
// connect to a loopback, private or otherwise non-public address.
var ErrDialRefused = errors.New("refusing to connect to a non-public address")

// Prefixes are extra URL prefixes that may be reached although they are not
// https on 443 or resolve to non-public addresses. The zero value and nil
// allow nothing extra.
type Prefixes struct {
	list []prefix
}

// prefix is one extra allowed URL prefix, already parsed.
type prefix struct {
	scheme string
	host   string // normalized hostname (lower case, or canonical IP)
	port   string // explicit or default port
	path   string // always ends in "/"
}

// ParsePrefixes parses extra prefixes such as "http://127.0.0.1:9000/"; the
// error quotes the one that is wrong.
func ParsePrefixes(raw []string) (*Prefixes, error) {
	p := &Prefixes{}
	for _, r := range raw {
		u, err := url.Parse(r)
		if err != nil {
			return nil, fmt.Errorf("allow prefix %q: %w", r, err)
		}
		if u.Scheme != "http" && u.Scheme != "https" {
			return nil, fmt.Errorf("allow prefix %q: scheme must be http or https", r)
		}
		if u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
			return nil, fmt.Errorf("allow prefix %q: want scheme://host[:port]/path/ without userinfo, query or fragment", r)
		}
		e := prefix{scheme: u.Scheme, host: NormalizeHost(u.Hostname()), port: PortOf(u), path: u.Path}
		if !strings.HasSuffix(e.path, "/") {
			e.path += "/"
		}
		p.list = append(p.list, e)
	}
	return p, nil
}

// Match reports whether u lies under one of the prefixes: same scheme, host
// and port, and a path at or below the prefix's.
func (p *Prefixes) Match(u *url.URL) bool {
	if p == nil {
		return false
	}
	host, port := NormalizeHost(u.Hostname()), PortOf(u)
	for _, e := range p.list {
		if u.Scheme == e.scheme && host == e.host && port == e.port &&
			(u.Path+"/" == e.path || strings.HasPrefix(u.Path, e.path)) {
			return true
		}
	}
	return false
}

// CoversDial reports whether a prefix names host:port, so a guarded dialer
// may connect there even if it resolves to a loopback or private address.
func (p *Prefixes) CoversDial(addr string) bool {
	if p == nil {
		return false
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	host = NormalizeHost(host)
	for _, e := range p.list {
		if e.host == host && e.port == port {
			return true
		}
	}
	return false
}

// DialContext returns a dialer for http.Transport that refuses non-public
// addresses (checked on the resolved address, at connect time) unless allow
// covers the host and port dialled.
func DialContext(allow *Prefixes, timeout time.Duration) func(ctx context.Context, network, addr string) (net.Conn, error) {
	strict := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second, Control: RefuseNonPublic}
	open := &net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if allow.CoversDial(addr) {
			return open.DialContext(ctx, network, addr)
		}
		return strict.DialContext(ctx, network, addr)
	}
}

// NoRedirect is an http.Client CheckRedirect that returns a 3xx as is:
// following one would reach a URL nobody checked.
func NoRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// RefuseNonPublic is a net.Dialer Control hook.
func RefuseNonPublic(network, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("%w: %s", ErrDialRefused, address)
	}
	if !IsPublic(ap.Addr()) {
		return fmt.Errorf("%w: %s", ErrDialRefused, ap.Addr())
	}
	return nil
}

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

// IsPublic reports whether ip is a globally routable unicast address.
func IsPublic(ip netip.Addr) bool {
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
		return IsPublic(netip.AddrFrom4([4]byte(b[12:16])))
	case sixToFour.Contains(ip):
		return IsPublic(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return true
}

// IsIPLiteral reports whether a URL's host is an IP address (bracketed or not).
func IsIPLiteral(u *url.URL) bool {
	_, err := netip.ParseAddr(u.Hostname())
	return err == nil || strings.HasPrefix(u.Host, "[")
}

// IsDNSName accepts lower-case LDH labels only (no trailing dot, no empty labels).
func IsDNSName(host string) bool {
	if host == "" || len(host) > 253 {
		return false
	}
	for _, label := range strings.Split(host, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
				return false
			}
		}
	}
	return true
}

// NormalizeHost lower-cases names and writes IP addresses canonically.
func NormalizeHost(h string) string {
	if ip, err := netip.ParseAddr(h); err == nil {
		return ip.Unmap().WithZone("").String()
	}
	return strings.ToLower(h)
}

// PortOf returns the explicit port or the scheme's default.
func PortOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	switch u.Scheme {
	case "https":
		return "443"
	case "http":
		return "80"
	}
	return ""
}

// HasDotSegments reports whether a path holds "." or ".." segments, which a
// server may resolve to somewhere outside an allowed prefix.
func HasDotSegments(path string) bool {
	for _, seg := range strings.Split(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}
