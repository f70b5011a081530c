package push_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// authRecorder passes requests on to loopback and remembers each Authorization header.
type authRecorder struct {
	base http.RoundTripper
	mu   sync.Mutex
	seen []string
}

func (a *authRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	a.mu.Lock()
	a.seen = append(a.seen, req.Header.Get("Authorization"))
	a.mu.Unlock()
	return a.base.RoundTrip(req)
}

func (a *authRecorder) last() string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seen[len(a.seen)-1]
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// jwtOf returns the claims of a "vapid t=<jwt>, k=<key>" header, unverified
// (the push service verified the signature).
func jwtOf(t *testing.T, header string) jwt.MapClaims {
	t.Helper()
	tok, _, ok := strings.Cut(strings.TrimPrefix(header, "vapid t="), ",")
	if !ok {
		t.Fatalf("Authorization %q", header)
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(tok, claims); err != nil {
		t.Fatal(err)
	}
	return claims
}

// One VAPID JWT per push service origin, at most an hour ahead and renewed
// when less than 10 minutes are left: every request to a service within that
// time carries the same Authorization header, and each service accepts it.
func TestVAPIDHeaderOnePerOriginAndHour(t *testing.T) {
	keys := mustKeys(t)
	a, b := pushtest.New(t, keys.Public), pushtest.New(t, keys.Public)
	allow, _ := push.NewAllowlist([]string{a.URL + "/", b.URL + "/"})
	rec := &authRecorder{base: &http.Transport{}}
	clk := &clock{t: time.Now()}
	s, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow,
		HTTPClient: &http.Client{Transport: rec, Timeout: 5 * time.Second}, Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	send := func(svc *pushtest.Service) string {
		t.Helper()
		ep, p256dh, auth := svc.NewSubscription()
		if res := s.Send(context.Background(), push.Subscription{Endpoint: ep, P256dh: p256dh, Auth: auth}, reminder); !res.Delivered() {
			t.Fatalf("%+v, refusals %v", res, svc.Refusals())
		}
		return rec.last()
	}

	first := send(a)
	claims := jwtOf(t, first)
	exp, _ := claims.GetExpirationTime()
	if lead := exp.Sub(clk.Now()); lead > time.Hour || lead < 59*time.Minute {
		t.Errorf("JWT exp %v ahead, want an hour", lead)
	}
	if claims["aud"] != a.URL || claims["sub"] != "mailto:ops@example.org" {
		t.Errorf("claims %v", claims)
	}
	for range 3 {
		if h := send(a); h != first {
			t.Fatal("a second request to the same push service carried another Authorization header")
		}
	}
	other := send(b)
	if other == first || jwtOf(t, other)["aud"] != b.URL {
		t.Errorf("another push service got the first one's token (aud %v)", jwtOf(t, other)["aud"])
	}

	clk.Add(49 * time.Minute) // 11 minutes left: still the same token
	if h := send(a); h != first {
		t.Error("token renewed with 11 minutes left")
	}
	clk.Add(2 * time.Minute) // 9 minutes left: a new one
	renewed := send(a)
	if renewed == first {
		t.Fatal("token not renewed with 9 minutes left")
	}
	exp2, _ := jwtOf(t, renewed).GetExpirationTime()
	if lead := exp2.Sub(clk.Now()); lead > time.Hour || lead < 59*time.Minute {
		t.Errorf("renewed JWT exp %v ahead, want an hour", lead)
	}
	if h := send(a); h != renewed {
		t.Error("renewed token not reused")
	}
}
