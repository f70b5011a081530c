package webhook

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
)

// maxURLLen bounds the URL stored and parsed.
const maxURLLen = 2048

// CheckURL returns nil if events may be sent to raw, or an input error
// naming the field "url". The rules are those of push endpoints: https, no
// userinfo, no IP literal of a non-public address, no dot segments, and no
// name that means this machine; allow opens extra prefixes (tests). Where a
// name really points is checked again at every connection.
func CheckURL(raw string, allow *netguard.Prefixes) error {
	bad := func(msg string) error { return &model.InputError{Field: "url", Message: msg} }
	if len(raw) > maxURLLen {
		return bad("must be at most 2048 bytes")
	}
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" || u.Host == "" {
		return bad("must be an absolute https URL, e.g. https://hooks.example.org/aftercare")
	}
	if u.User != nil {
		return bad("must not carry a user name or password (put a token in the path or rely on the signature)")
	}
	if u.Fragment != "" || strings.HasSuffix(raw, "#") {
		return bad("must not have a #fragment")
	}
	if netguard.HasDotSegments(u.Path) {
		return bad("must not contain . or .. path segments")
	}
	if allow.Match(u) {
		return nil
	}
	if u.Scheme != "https" {
		return bad("must be https")
	}
	if p := u.Port(); p != "" {
		if n, ok := portNumber(p); !ok || n == 0 {
			return bad("has an invalid port")
		}
	}
	if netguard.IsIPLiteral(u) {
		ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]"))
		if err != nil || !netguard.IsPublic(ip) {
			return bad("must not point at a loopback, private or link-local address")
		}
		return nil
	}
	host := netguard.NormalizeHost(u.Hostname())
	// A numeric last label is no top-level domain but an IP address in
	// another spelling (2130706433, 0x7f.1) that some resolvers accept.
	if last := host[strings.LastIndexByte(host, '.')+1:]; !netguard.IsDNSName(host) || strings.Trim(last, "0123456789") == "" || strings.HasPrefix(last, "0x") {
		return bad("has an invalid host name")
	}
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return bad("must not point at this machine")
	}
	return nil
}

func portNumber(p string) (int, bool) {
	n := 0
	for _, c := range p {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
		if n > 65535 {
			return 0, false
		}
	}
	return n, true
}
