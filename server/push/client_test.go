package push

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// The default client refuses loopback unless an extra prefix names that host:port,
// so a DNS name resolving to 127.0.0.1 cannot reach local services.
func TestDefaultClientDialGuard(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()

	none, _ := NewAllowlist(nil)
	other, _ := NewAllowlist([]string{"http://127.0.0.1:1/"})
	for name, allow := range map[string]*Allowlist{"no extras": none, "other port": other} {
		resp, err := newHTTPClient(allow, 2, 2).Get(srv.URL)
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

	covered, _ := NewAllowlist([]string{srv.URL + "/"})
	resp, err := newHTTPClient(covered, 2, 2).Get(srv.URL)
	if err != nil {
		t.Fatalf("covered loopback refused: %v", err)
	}
	resp.Body.Close()
	if hits.Load() != 1 {
		t.Fatalf("server saw %d requests, want 1", hits.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"2", 2 * time.Second, true},
		{" 0 ", 0, true},
		{"3600", time.Hour, true},
		{"99999999999999", (1 << 30) * time.Second, true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"-5", 0, false},
		{"soon", 0, false},
		{"1.5", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseRetryAfter(tc.in, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	for attempt := 1; attempt <= 12; attempt++ {
		ceiling := min(backoffBase<<(attempt-1), backoffMax)
		for range 100 {
			if d := backoff(attempt); d < ceiling/2 || d > ceiling {
				t.Fatalf("backoff(%d) = %v, want within [%v, %v]", attempt, d, ceiling/2, ceiling)
			}
		}
	}
}
