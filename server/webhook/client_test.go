package webhook

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aftercare/aftercare/server/netguard"
)

// The delivery client checks the address it connects to: a URL that passed
// the shape check but reaches loopback (a name resolving to 127.0.0.1) is
// refused at connect time, with a reason that quotes no URL.
func TestClientRefusesLoopbackAtConnect(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	other, _ := netguard.ParsePrefixes([]string{"http://127.0.0.1:1/"})
	for name, allow := range map[string]*netguard.Prefixes{"no prefixes": nil, "other port": other} {
		resp, err := newClient(allow, 2).Post(srv.URL+"/secret-path", "application/json", strings.NewReader("{}"))
		if err == nil {
			resp.Body.Close()
		}
		if !errors.Is(err, netguard.ErrDialRefused) {
			t.Fatalf("%s: %v, want ErrDialRefused", name, err)
		}
		if r := transportFailure(err); strings.Contains(r.reason, "secret-path") || !strings.Contains(r.reason, "non-public") {
			t.Fatalf("%s: failure %q", name, r.reason)
		}
	}
	if hits.Load() != 0 {
		t.Fatalf("receiver saw %d requests", hits.Load())
	}
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, srv.URL+"/", http.StatusTemporaryRedirect)
	}))
	defer redirect.Close()
	both, _ := netguard.ParsePrefixes([]string{redirect.URL + "/", srv.URL + "/"})
	resp, err := newClient(both, 2).Post(redirect.URL+"/", "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || hits.Load() != 0 {
		t.Fatalf("redirect: status %d, target saw %d requests (redirects are not followed)", resp.StatusCode, hits.Load())
	}
}
