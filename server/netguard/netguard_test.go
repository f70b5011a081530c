package netguard

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"sync/atomic"
	"testing"
	"time"
)

func TestIsPublic(t *testing.T) {
	tests := []struct {
		addr string
		want bool
	}{
		{"142.250.185.74", true},
		{"2a00:1450:4001:82f::200a", true},
		{"127.0.0.1", false},
		{"127.0.0.2", false},
		{"::1", false},
		{"::ffff:127.0.0.1", false},
		{"0.0.0.0", false},
		{"::", false},
		{"10.1.2.3", false},
		{"172.16.0.1", false},
		{"192.168.1.1", false},
		{"169.254.169.254", false},
		{"100.64.0.1", false},
		{"fc00::1", false},
		{"fe80::1", false},
		{"224.0.0.1", false},
		{"255.255.255.255", false},
		{"64:ff9b::7f00:1", false},
		{"64:ff9b::8efa:b94a", true},
		{"2002:7f00:1::", false},
		{"198.18.0.1", false},
	}
	for _, tc := range tests {
		if got := IsPublic(netip.MustParseAddr(tc.addr)); got != tc.want {
			t.Errorf("IsPublic(%s) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}

func TestPrefixesMatch(t *testing.T) {
	p, err := ParsePrefixes([]string{"http://127.0.0.1:9000/push", "https://[::1]:8443/a/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:9000/push/1", true},
		{"http://127.0.0.1:9000/push", true},
		{"https://[::1]:8443/a/b", true},
		{"http://127.0.0.1:9000/pushy", false},
		{"https://127.0.0.1:9000/push/1", false},
		{"http://127.0.0.1:9001/push/1", false},
		{"http://127.0.0.2:9000/push/1", false},
		{"https://[::1]/a/b", false},
	}
	for _, tc := range tests {
		u, err := url.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Match(u); got != tc.ok {
			t.Errorf("Match(%s) = %v, want %v", tc.url, got, tc.ok)
		}
	}
	var none *Prefixes
	if none.Match(&url.URL{Scheme: "http", Host: "127.0.0.1:9000", Path: "/push/1"}) || none.CoversDial("127.0.0.1:9000") {
		t.Error("nil prefixes allow something")
	}
	for _, bad := range []string{"ftp://127.0.0.1/", "http://user@127.0.0.1/", "http:///x", "http://127.0.0.1/?q", "http://127.0.0.1/#f", "%zz"} {
		if _, err := ParsePrefixes([]string{bad}); err == nil {
			t.Errorf("ParsePrefixes(%q) accepted", bad)
		}
	}
}

// The guarded dialer refuses loopback unless a prefix names that host and
// port, so a DNS name resolving to 127.0.0.1 cannot reach local services.
func TestDialContextGuard(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	client := func(p *Prefixes) *http.Client {
		return &http.Client{Transport: &http.Transport{DialContext: DialContext(p, time.Second)}, CheckRedirect: NoRedirect}
	}
	other, _ := ParsePrefixes([]string{"http://127.0.0.1:1/"})
	for name, p := range map[string]*Prefixes{"none": nil, "other port": other} {
		resp, err := client(p).Get(srv.URL)
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, ErrDialRefused) {
			t.Errorf("%s: err %v, want ErrDialRefused", name, err)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("server saw %d requests", hits.Load())
	}
	covered, _ := ParsePrefixes([]string{srv.URL + "/"})
	resp, err := client(covered).Get(srv.URL)
	if err != nil {
		t.Fatalf("covered loopback refused: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", hits.Load())
	}
}
