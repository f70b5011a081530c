package push_test

import (
	"crypto/ecdh"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/push"
)

func TestAllowlistCheck(t *testing.T) {
	allow, err := push.NewAllowlist([]string{"http://127.0.0.1:9000/"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		endpoint string
		ok       bool
	}{
		{"https://fcm.googleapis.com/fcm/send/x", true},
		{"https://FCM.googleapis.com/fcm/send/x", true},
		{"https://fcm.googleapis.com:443/fcm/send/x", true},
		{"https://android.googleapis.com/gcm/send/x", true},
		{"https://web.push.apple.com/abc", true},
		{"https://api.push.apple.com/3/device/x", true},
		{"https://updates.push.services.mozilla.com/wpush/v2/x", true},
		{"https://wns2-par02p.notify.windows.com/w/?token=x", true},
		{"http://127.0.0.1:9000/push/1", true},
		{"http://127.0.0.1:9000/", true},

		{"http://fcm.googleapis.com/x", false},
		{"https://fcm.googleapis.com:8443/x", false},
		{"https://user@fcm.googleapis.com/x", false},
		{"https://user:pw@fcm.googleapis.com/x", false},
		{"https://127.0.0.2/a.google.com/", false},
		{"https://127.0.0.2/fcm.googleapis.com/", false},
		{"https://[::1]/x", false},
		{"https://[::ffff:127.0.0.2]/x", false},
		{"https://evil.invalid/fcm.googleapis.com", false},
		{"https://evil.invalid/?fcm.googleapis.com", false},
		{"https://evil.invalid#fcm.googleapis.com", false},
		{"https://fcm.googleapis.com.evil.invalid/x", false},
		{"https://fcm.googleapis.com./x", false},
		{"https://xfcm.googleapis.com/x", false},
		{"https://push.apple.com/x", false},
		{"https://push.apple.com.evil.invalid/x", false},
		{"https://evilpush.apple.com.invalid/x", false},
		{"https://notify.windows.com/x", false},
		{"ftp://fcm.googleapis.com/x", false},
		{"fcm.googleapis.com/x", false},
		{"//fcm.googleapis.com/x", false},
		{"https:fcm.googleapis.com/x", false},
		{"", false},
		{"https://fcm.googleapis.com/" + strings.Repeat("a", 3000), false},
		{"http://127.0.0.1:9001/", false},
		{"http://127.0.0.1:9000@evil.invalid/push/1", false},
		{"https://127.0.0.1:9000/push/1", false},
		{"http://127.0.0.1:9000/push/../admin", false},
		{"http://127.0.0.1:90000/push/1", false},
	}
	for _, tc := range tests {
		err := allow.Check(tc.endpoint)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q) = %v, want ok=%v", tc.endpoint, err, tc.ok)
		}
		if err != nil {
			if !errors.Is(err, push.ErrEndpointNotAllowed) {
				t.Errorf("Check(%q) = %v, not ErrEndpointNotAllowed", tc.endpoint, err)
			}
			if !strings.HasPrefix(err.Error(), "endpoint must be https on port 443 at a known push service") {
				t.Errorf("error text %q", err)
			}
			if tc.endpoint != "" && strings.Contains(err.Error(), tc.endpoint) {
				t.Errorf("error %q quotes the endpoint", err)
			}
		}
	}
}

func TestAllowlistWithoutExtrasRefusesLoopback(t *testing.T) {
	allow, err := push.NewAllowlist(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := allow.Check("http://127.0.0.1:9000/push/1"); err == nil {
		t.Fatal("loopback accepted without -push-allow")
	}
}

func TestNewAllowlistRejectsBadPrefixes(t *testing.T) {
	for _, p := range []string{"ftp://127.0.0.1/", "127.0.0.1:9000", "http://u@127.0.0.1:9000/", "http://127.0.0.1:9000/?x=1", "http:///x"} {
		if _, err := push.NewAllowlist([]string{p}); err == nil {
			t.Errorf("NewAllowlist(%q) accepted", p)
		}
	}
}

func TestValidateSubscription(t *testing.T) {
	allow, _ := push.NewAllowlist(nil)
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	point := key.PublicKey().Bytes()
	notOnCurve := append([]byte(nil), point...)
	notOnCurve[64] ^= 1
	compressed := append([]byte{0x02 | point[64]&1}, point[1:33]...)
	auth := make([]byte, 16)
	rand.Read(auth)
	raw := base64.RawURLEncoding.EncodeToString
	good := push.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/x", P256dh: raw(point), Auth: raw(auth)}

	tests := []struct {
		name  string
		edit  func(s *push.Subscription)
		field string // "" = valid
	}{
		{"valid", func(s *push.Subscription) {}, ""},
		{"padded base64", func(s *push.Subscription) {
			s.P256dh = base64.URLEncoding.EncodeToString(point)
			s.Auth = base64.URLEncoding.EncodeToString(auth)
		}, ""},
		{"bad endpoint", func(s *push.Subscription) { s.Endpoint = "https://127.0.0.2/a.google.com/" }, "endpoint"},
		{"p256dh empty", func(s *push.Subscription) { s.P256dh = "" }, "p256dh"},
		{"p256dh not base64", func(s *push.Subscription) { s.P256dh = "not base64!" }, "p256dh"},
		{"p256dh standard base64", func(s *push.Subscription) { s.P256dh = "+/" + s.P256dh[2:] }, "p256dh"},
		{"p256dh 64 bytes", func(s *push.Subscription) { s.P256dh = raw(point[:64]) }, "p256dh"},
		{"p256dh compressed", func(s *push.Subscription) { s.P256dh = raw(compressed) }, "p256dh"},
		{"p256dh not on curve", func(s *push.Subscription) { s.P256dh = raw(notOnCurve) }, "p256dh"},
		{"p256dh zero point", func(s *push.Subscription) { s.P256dh = raw(append([]byte{4}, make([]byte, 64)...)) }, "p256dh"},
		{"auth 15 bytes", func(s *push.Subscription) { s.Auth = raw(auth[:15]) }, "auth"},
		{"auth 32 bytes", func(s *push.Subscription) { s.Auth = raw(append(auth, auth...)) }, "auth"},
		{"auth empty", func(s *push.Subscription) { s.Auth = "" }, "auth"},
		{"auth not base64", func(s *push.Subscription) { s.Auth = "%%%%" }, "auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := good
			tc.edit(&s)
			err := allow.ValidateSubscription(s)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid subscription refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			if !errors.Is(err, push.ErrInvalidSubscription) || !strings.Contains(err.Error(), tc.field+":") {
				t.Fatalf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

// FuzzAllowlistCheck: whatever Check accepts without extra prefixes is https
// on 443 at a known push host, with no userinfo.
func FuzzAllowlistCheck(f *testing.F) {
	for _, s := range []string{
		"https://fcm.googleapis.com/fcm/send/x", "https://web.push.apple.com/abc", "https://127.0.0.2/a.google.com/",
		"https://user@fcm.googleapis.com/x", "https://fcm.googleapis.com.evil.invalid/x", "https://[::1]/x",
		"https://wns2-par02p.notify.windows.com/w/?token=x", "https://fcm.googleapis.com%2e/x",
	} {
		f.Add(s)
	}
	allow, _ := push.NewAllowlist(nil)
	f.Fuzz(func(t *testing.T, endpoint string) {
		if allow.Check(endpoint) != nil {
			return
		}
		u, err := url.Parse(endpoint)
		if err != nil {
			t.Fatalf("accepted unparsable %q", endpoint)
		}
		host := strings.ToLower(u.Hostname())
		known := host == "fcm.googleapis.com" || host == "android.googleapis.com" || host == "updates.push.services.mozilla.com" ||
			strings.HasSuffix(host, ".push.apple.com") || strings.HasSuffix(host, ".notify.windows.com")
		if u.Scheme != "https" || (u.Port() != "" && u.Port() != "443") || u.User != nil || !known {
			t.Fatalf("accepted %q (scheme %q host %q port %q)", endpoint, u.Scheme, host, u.Port())
		}
	})
}
