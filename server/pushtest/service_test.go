package pushtest

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	webpush "github.com/SherClockHolmes/webpush-go"
	"github.com/golang-jwt/jwt/v5"
)

// RFC 8291 Appendix A: the receiver's keys and the message the RFC encrypts.
func TestDecryptRFC8291Vector(t *testing.T) {
	ua := mustDecode(t, "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")
	key, err := ecdh.P256().NewPrivateKey(ua)
	if err != nil {
		t.Fatal(err)
	}
	if got := base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()); got != "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4" {
		t.Fatalf("ua public %s", got)
	}
	body := mustDecode(t, "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	auth := mustDecode(t, "BTBZMqHH6r4Tts7J_aSIgg")
	got, err := Decrypt(body, key, auth)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "When I grow up, I want to be a watermelon" {
		t.Fatalf("plaintext %q", got)
	}
	body[len(body)-1] ^= 0x40
	if _, err := Decrypt(body, key, auth); err == nil {
		t.Fatal("tampered body decrypted")
	}
}

// A message encrypted by webpush-go decrypts to exactly the bytes sent.
func TestServiceDecryptsWebpushGo(t *testing.T) {
	priv, pub := mustVAPID(t)
	svc := New(t, pub)
	for _, tc := range []struct {
		name       string
		payload    string
		recordSize uint32
	}{
		{"short", `{"title":"Drink water"}`, 0},
		{"unicode", `{"title":"Trinken 💧","body":"<b>&amp;</b>"}`, 2800},
		{"empty", ``, 2800},
		{"large", strings.Repeat("x", 2000), 2800},
	} {
		t.Run(tc.name, func(t *testing.T) {
			endpoint, p256dh, auth := svc.NewSubscription()
			before := len(svc.Received())
			resp, err := webpush.SendNotificationWithContext(context.Background(), []byte(tc.payload),
				&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
				&webpush.Options{Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv,
					TTL: 3600, Urgency: webpush.UrgencyHigh, Topic: "hydration", RecordSize: tc.recordSize})
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				t.Fatalf("status %d, refusals %v", resp.StatusCode, svc.Refusals())
			}
			got := svc.Received()[before]
			if string(got.Payload) != tc.payload {
				t.Errorf("payload %q, want %q", got.Payload, tc.payload)
			}
			if got.Endpoint != endpoint || got.TTL != 3600 || got.Urgency != "high" || got.Topic != "hydration" || got.Subject != "mailto:ops@example.org" {
				t.Errorf("received %+v", got)
			}
		})
	}
}

// captured is a request webpush-go built, kept to be replayed with changes.
type captured struct {
	header http.Header
	body   []byte
}

type captureClient struct{ got *captured }

func (c *captureClient) Do(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	c.got = &captured{header: req.Header.Clone(), body: body}
	return &http.Response{StatusCode: http.StatusCreated, Body: http.NoBody, Header: http.Header{}}, nil
}

// capture lets webpush-go build a request for endpoint without sending it.
func capture(t *testing.T, endpoint, p256dh, auth, subscriber, vapidPub, vapidPriv string) *captured {
	t.Helper()
	cc := &captureClient{}
	_, err := webpush.SendNotificationWithContext(context.Background(), []byte(`{"title":"x"}`),
		&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
		&webpush.Options{HTTPClient: cc, Subscriber: subscriber, VAPIDPublicKey: vapidPub, VAPIDPrivateKey: vapidPriv, TTL: 60, RecordSize: 2800})
	if err != nil {
		t.Fatal(err)
	}
	return cc.got
}

// signJWT signs claims with the raw VAPID private key.
func signJWT(t *testing.T, privB64 string, claims jwt.MapClaims) string {
	t.Helper()
	key, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), mustDecode(t, privB64))
	if err != nil {
		t.Fatal(err)
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodES256, claims).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestServiceRefuses(t *testing.T) {
	priv, pub := mustVAPID(t)
	otherPriv, otherPub := mustVAPID(t)
	svc := New(t, pub)
	endpoint, p256dh, auth := svc.NewSubscription()
	exp := time.Now().Add(12 * time.Hour).Unix()
	vapid := func(token, k string) string { return "vapid t=" + token + ", k=" + k }

	tests := []struct {
		name   string
		change func(c *captured)
		status int
	}{
		{"valid", func(c *captured) {}, http.StatusCreated},
		{"key of another server", func(c *captured) {
			*c = *capture(t, endpoint, p256dh, auth, "ops@example.org", otherPub, otherPriv)
		}, http.StatusForbidden},
		{"JWT signed by another key", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, otherPriv, jwt.MapClaims{"aud": svc.URL, "exp": exp, "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"wrong aud", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": "https://fcm.googleapis.com", "exp": exp, "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"aud with path", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL + "/push", "exp": exp, "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"double mailto from webpush-go", func(c *captured) {
			*c = *capture(t, endpoint, p256dh, auth, "mailto:ops@example.org", pub, priv)
		}, http.StatusForbidden},
		{"sub at localhost", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL, "exp": exp, "sub": "mailto:ops@localhost"}), pub))
		}, http.StatusForbidden},
		{"sub without scheme", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL, "exp": exp, "sub": "ops@example.org"}), pub))
		}, http.StatusForbidden},
		{"expired", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL, "exp": time.Now().Add(-time.Minute).Unix(), "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"exp beyond 24 h", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL, "exp": time.Now().Add(25 * time.Hour).Unix(), "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"no exp", func(c *captured) {
			c.header.Set("Authorization", vapid(signJWT(t, priv, jwt.MapClaims{"aud": svc.URL, "sub": "mailto:ops@example.org"}), pub))
		}, http.StatusUnauthorized},
		{"alg none", func(c *captured) {
			tok, _ := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"aud": svc.URL, "exp": exp, "sub": "mailto:ops@example.org"}).SignedString(jwt.UnsafeAllowNoneSignatureType)
			c.header.Set("Authorization", vapid(tok, pub))
		}, http.StatusUnauthorized},
		{"no Authorization", func(c *captured) { c.header.Del("Authorization") }, http.StatusUnauthorized},
		{"WebPush scheme", func(c *captured) {
			c.header.Set("Authorization", strings.Replace(c.header.Get("Authorization"), "vapid ", "WebPush ", 1))
		}, http.StatusUnauthorized},
		{"no TTL", func(c *captured) { c.header.Del("TTL") }, http.StatusBadRequest},
		{"aesgcm encoding", func(c *captured) { c.header.Set("Content-Encoding", "aesgcm") }, http.StatusBadRequest},
		{"bad urgency", func(c *captured) { c.header.Set("Urgency", "urgent") }, http.StatusBadRequest},
		{"topic too long", func(c *captured) { c.header.Set("Topic", strings.Repeat("a", 33)) }, http.StatusBadRequest},
		{"tampered body", func(c *captured) { c.body[len(c.body)-1] ^= 1 }, http.StatusBadRequest},
		{"truncated body", func(c *captured) { c.body = c.body[:50] }, http.StatusBadRequest},
		{"body too large", func(c *captured) { c.body = append(c.body, make([]byte, 4096)...) }, http.StatusRequestEntityTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := capture(t, endpoint, p256dh, auth, "ops@example.org", pub, priv)
			tc.change(c)
			before, requests := len(svc.Received()), svc.Requests()
			req, err := http.NewRequest(http.MethodPost, endpoint, bytes.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header = c.header
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d; refusals %v", resp.StatusCode, tc.status, svc.Refusals())
			}
			if r := svc.Refusals(); tc.status != http.StatusCreated && len(r) > 0 {
				t.Log(r[len(r)-1])
			}
			if svc.Requests() != requests+1 {
				t.Errorf("requests %d, want %d", svc.Requests(), requests+1)
			}
			delivered := len(svc.Received()) - before
			if want := map[bool]int{true: 1, false: 0}[tc.status == http.StatusCreated]; delivered != want {
				t.Errorf("recorded %d deliveries, want %d", delivered, want)
			}
		})
	}
}

func TestServiceUnknownSubscription(t *testing.T) {
	priv, pub := mustVAPID(t)
	svc := New(t, pub)
	_, p256dh, auth := svc.NewSubscription()
	resp, err := webpush.SendNotificationWithContext(context.Background(), []byte("x"),
		&webpush.Subscription{Endpoint: svc.URL + "/push/nope", Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
		&webpush.Options{Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 60})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound || len(svc.Received()) != 0 {
		t.Fatalf("status %d, received %d", resp.StatusCode, len(svc.Received()))
	}
}

func TestServiceBehave(t *testing.T) {
	priv, pub := mustVAPID(t)
	svc := New(t, pub)
	endpoint, p256dh, auth := svc.NewSubscription()
	svc.Behave(endpoint, Behavior{Status: http.StatusTooManyRequests, Times: 2, RetryAfter: "7"})
	send := func() *http.Response {
		resp, err := webpush.SendNotificationWithContext(context.Background(), []byte("x"),
			&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
			&webpush.Options{Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 60})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for i := range 2 {
		if r := send(); r.StatusCode != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "7" {
			t.Fatalf("request %d: status %d, Retry-After %q", i, r.StatusCode, r.Header.Get("Retry-After"))
		}
	}
	if r := send(); r.StatusCode != http.StatusCreated {
		t.Fatalf("after Times: status %d", r.StatusCode)
	}
	if got := svc.Wait(1, time.Second); len(got) != 1 {
		t.Fatalf("received %d", len(got))
	}
}

func mustVAPID(t *testing.T) (priv, pub string) {
	t.Helper()
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

func mustDecode(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkDecrypt is the decryption part of what the service does per message.
func BenchmarkDecrypt(b *testing.B) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		b.Fatal(err)
	}
	key, err := ecdh.P256().GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	secret := bytes.Repeat([]byte{7}, 16)
	c := captureFor(b, "http://127.0.0.1:1/push/x", base64.RawURLEncoding.EncodeToString(key.PublicKey().Bytes()),
		base64.RawURLEncoding.EncodeToString(secret), pub, priv)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decrypt(c.body, key, secret); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkServe is everything the service does per message (VAPID JWT
// verification, header checks, decryption, recording) without the network.
func BenchmarkServe(b *testing.B) {
	priv, pub, err := webpush.GenerateVAPIDKeys()
	if err != nil {
		b.Fatal(err)
	}
	svc := New(b, pub)
	endpoint, p256dh, auth := svc.NewSubscription()
	c := captureFor(b, endpoint, p256dh, auth, pub, priv)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, endpoint, bytes.NewReader(c.body))
		req.Header = c.header
		w := httptest.NewRecorder()
		svc.ServeHTTP(w, req)
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d: %v", w.Code, svc.Refusals())
		}
	}
}

func captureFor(b *testing.B, endpoint, p256dh, auth, pub, priv string) *captured {
	cc := &captureClient{}
	_, err := webpush.SendNotificationWithContext(context.Background(), []byte(`{"title":"x"}`),
		&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
		&webpush.Options{HTTPClient: cc, Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 60, RecordSize: 2800})
	if err != nil {
		b.Fatal(err)
	}
	return cc.got
}

// FuzzDecrypt: arbitrary bodies are refused with an error, never a panic.
func FuzzDecrypt(f *testing.F) {
	body, _ := base64.RawURLEncoding.DecodeString("DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN")
	f.Add(body)
	f.Add(body[:86])
	f.Add([]byte{})
	ua, _ := base64.RawURLEncoding.DecodeString("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94")
	key, err := ecdh.P256().NewPrivateKey(ua)
	if err != nil {
		f.Fatal(err)
	}
	auth, _ := base64.RawURLEncoding.DecodeString("BTBZMqHH6r4Tts7J_aSIgg")
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = Decrypt(body, key, auth)
	})
}

// MaxConns and MaxInFlight report the peaks a sender caused: three slow
// requests at once on separate connections count three of each.
func TestServiceCountsPeakConnections(t *testing.T) {
	priv, pub := mustVAPID(t)
	svc := New(t, pub)
	endpoint, p256dh, auth := svc.NewSubscription()
	svc.Behave(endpoint, Behavior{Delay: 200 * time.Millisecond})
	done := make(chan error, 3)
	for range 3 {
		go func() {
			// A client of its own: no connection is shared.
			client := &http.Client{Transport: &http.Transport{}}
			resp, err := webpush.SendNotificationWithContext(context.Background(), []byte("x"),
				&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
				&webpush.Options{HTTPClient: client, Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 60})
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
	}
	for range 3 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	if c, f := svc.MaxConns(), svc.MaxInFlight(); c != 3 || f != 3 {
		t.Fatalf("peak connections %d, in flight %d; want 3 and 3", c, f)
	}
}

// A sampling service verifies every third request in full: a good one is
// received and decrypted, a broken one (garbage body) refused; the others
// are only counted as arrivals.
func TestSamplingServiceVerifiesItsSample(t *testing.T) {
	priv, pub := mustVAPID(t)
	svc := NewSampling(t, pub, 3)
	endpoint, p256dh, auth := svc.NewSubscription()
	send := func(payload string) int {
		t.Helper()
		resp, err := webpush.SendNotificationWithContext(context.Background(), []byte(payload),
			&webpush.Subscription{Endpoint: endpoint, Keys: webpush.Keys{P256dh: p256dh, Auth: auth}},
			&webpush.Options{Subscriber: "ops@example.org", VAPIDPublicKey: pub, VAPIDPrivateKey: priv, TTL: 60})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 6 {
		if status := send(`{"n":` + string(rune('0'+i)) + `}`); status != http.StatusCreated {
			t.Fatalf("request %d: %d, refusals %v", i+1, status, svc.Refusals())
		}
	}
	got := svc.Received()
	if len(got) != 2 || string(got[0].Payload) != `{"n":2}` || string(got[1].Payload) != `{"n":5}` {
		t.Fatalf("sampled %+v, want requests 3 and 6 decrypted", got)
	}
	if n := len(svc.Arrivals()); n != 6 {
		t.Fatalf("%d arrivals, want 6", n)
	}
	// Requests 7 and 8 pass unverified; 9, garbage, is sampled and refused.
	for range 2 {
		resp, err := http.Post(endpoint, "application/octet-stream", strings.NewReader("garbage"))
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("unsampled request: %v %v", resp, err)
		}
		resp.Body.Close()
	}
	resp, err := http.Post(endpoint, "application/octet-stream", strings.NewReader("garbage"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusCreated || len(svc.Refusals()) != 1 || len(svc.Arrivals()) != 8 {
		t.Fatalf("sampled garbage: status %d, refusals %v, %d arrivals", resp.StatusCode, svc.Refusals(), len(svc.Arrivals()))
	}
}
