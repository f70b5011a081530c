package server

import (
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/metrics"
)

// contentSecurityPolicy allows only this origin's scripts and styles: no inline code.
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'none'; " +
	"frame-ancestors 'none'; form-action 'self'"

func securityHeaders(c *fiber.Ctx) error {
	c.Set("Content-Security-Policy", contentSecurityPolicy)
	// Plan URLs are capabilities: never leak them in a Referer.
	c.Set("Referrer-Policy", "no-referrer")
	c.Set("X-Content-Type-Options", "nosniff")
	c.Set("X-Frame-Options", "DENY")
	c.Set("Cross-Origin-Opener-Policy", "same-origin")
	c.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
	return c.Next()
}

func noStore(c *fiber.Ctx) error {
	c.Set("Cache-Control", "no-store")
	return c.Next()
}

// refuseEncodedBodies rejects compressed request bodies: BodyLimit counts wire
// bytes, so a small gzip body could inflate without bound.
func refuseEncodedBodies(c *fiber.Ctx) error {
	if enc := c.Get(fiber.HeaderContentEncoding); enc != "" && !strings.EqualFold(enc, "identity") {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "compressed request bodies are not accepted (Content-Encoding: "+enc+")")
	}
	if m := c.Method(); m == fiber.MethodPost || m == fiber.MethodPut || m == fiber.MethodPatch || m == fiber.MethodDelete {
		if m == fiber.MethodPost && strings.EqualFold(strings.TrimSuffix(c.Path(), "/"), PhotoUploadPath) {
			return c.Next() // the picture itself: uploadPhoto checks its Content-Type once the caller is known
		}
		if len(c.BodyRaw()) > 0 && !strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEApplicationJSON) {
			return fiber.NewError(fiber.StatusUnsupportedMediaType, "send JSON with Content-Type: application/json")
		}
	}
	return c.Next()
}

// requestLog logs one line per request without the path's capability tokens,
// and feeds the latency histogram (by route pattern) when metrics are on.
func requestLog(logger *slog.Logger, m *metrics.Metrics) fiber.Handler {
	return func(c *fiber.Ctx) error {
		start := time.Now()
		err := c.Next()
		status := c.Response().StatusCode()
		if err != nil {
			status, _ = statusOf(err)
		}
		level := slog.LevelDebug
		if status >= 500 {
			level = slog.LevelWarn
		}
		if m != nil {
			m.ObserveHTTP(c.Method(), c.Route().Path, status, time.Since(start))
		}
		logger.Log(c.UserContext(), level, "http", "method", c.Method(), "route", c.Route().Path,
			"status", status, "dur", time.Since(start).Round(time.Microsecond))
		return err
	}
}

// refuseCrossSiteWrites blocks writes that a browser reports as coming from
// another site (Sec-Fetch-Site), e.g. a login-CSRF form or a script on a page
// that learned a plan link. Integrations calling from servers send no such header.
func refuseCrossSiteWrites(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
		return c.Next()
	}
	if c.Get("Sec-Fetch-Site") == "cross-site" {
		return fiber.NewError(fiber.StatusForbidden, "cross-site requests are not accepted")
	}
	return c.Next()
}

// trustedNets parses -trusted-proxies (IPs or CIDRs); invalid entries were refused at start.
func trustedNets(list []string) []*net.IPNet {
	var nets []*net.IPNet
	for _, s := range list {
		if !strings.Contains(s, "/") {
			if ip := net.ParseIP(s); ip != nil {
				bits := 32
				if ip.To4() == nil {
					bits = 128
				}
				s = fmt.Sprintf("%s/%d", ip, bits)
			}
		}
		if _, n, err := net.ParseCIDR(s); err == nil {
			nets = append(nets, n)
		}
	}
	return nets
}

func inNets(nets []*net.IPNet, ip net.IP) bool {
	for _, n := range nets {
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// clientIP is the address of the person, not of our proxy: the TCP peer, or,
// when the peer is a trusted proxy, the rightmost X-Forwarded-For entry that is
// not itself a trusted proxy. Entries to the left of it were written by the
// client and prove nothing (a proxy appending with $proxy_add_x_forwarded_for
// keeps them), so they never pick the throttling key.
func clientIP(c *fiber.Ctx, trusted []*net.IPNet) string {
	peer := c.Context().RemoteIP()
	if !inNets(trusted, peer) {
		return peer.String()
	}
	parts := strings.Split(c.Get(fiber.HeaderXForwardedFor), ",")
	for i := len(parts) - 1; i >= 0; i-- {
		ip := net.ParseIP(strings.TrimSpace(parts[i]))
		if ip == nil || inNets(trusted, ip) {
			continue
		}
		return ip.String()
	}
	return peer.String()
}
