package main

import (
	"fmt"
	"testing"
)

// Behind a reverse proxy that appends to X-Forwarded-For, a client cannot dodge
// the per-address login throttle by sending its own X-Forwarded-For, and a
// scraper on the same host still reaches /metrics.
func TestBehindATrustedProxy(t *testing.T) {
	ts := startServer(t)
	ts.shutdown(t)
	ts.TrustedProxies = []string{"127.0.0.1"}
	ts.start(t)

	if r := ts.do(t, "GET", "/metrics", ""); r.Status != 200 {
		t.Fatalf("local scrape with -trusted-proxies: %d", r.Status)
	}
	throttled := 0
	for i := 0; i < 25; i++ {
		// Different accounts, so only the per-address limit can trip; the proxy
		// appended the real address after whatever the client claimed.
		body := fmt.Sprintf(`{"email":"nobody%d@example.org","password":"wrong password"}`, i)
		r := ts.do(t, "POST", "/api/session", body, "X-Forwarded-For", fmt.Sprintf("10.0.0.%d, 203.0.113.10", i))
		if r.Status == 429 {
			throttled++
			if r.Header.Get("Retry-After") == "" {
				t.Fatal("429 without Retry-After")
			}
		}
	}
	if throttled == 0 {
		t.Fatal("a spoofed X-Forwarded-For prefix escaped the per-address login throttle")
	}
	// Another real client (a different rightmost address) is not locked out by the first.
	r := ts.do(t, "POST", "/api/session", `{"email":"ana@example.org","password":"correct horse battery"}`, "X-Forwarded-For", "198.51.100.7")
	if r.Status != 200 && r.Status != 201 {
		t.Fatalf("another client's login: %d %s", r.Status, r.Body)
	}
}
