package push_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// A message sealed ahead and sent later reaches the phone exactly as Send's
// does: the same plaintext, headers and body size; sealing itself sends nothing.
func TestSealedDecryptsLikeSend(t *testing.T) {
	f := newFixture(t, nil)
	sealer := f.sender.Sealer()
	for _, n := range []int{0, 300, 409, 410, 1500, push.MaxPayload} {
		msg := reminder
		if n > 0 {
			msg = sized(t, n)
		}
		sent := f.sender.Send(context.Background(), f.subscribe(), msg)
		sub := f.subscribe()
		before := f.svc.Requests()
		m, err := sealer.Seal(sub, msg, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if f.svc.Requests() != before {
			t.Fatal("Seal reached the push service")
		}
		res := f.sender.SendSealed(context.Background(), m)
		if !sent.Delivered() || !res.Delivered() || res.Attempts != 1 || res.Bytes != sent.Bytes {
			t.Fatalf("payload %d: Send %+v, SendSealed %+v, refusals %v", n, sent, res, f.svc.Refusals())
		}
		got := f.svc.Received()
		viaSend, viaSeal := got[len(got)-2], got[len(got)-1]
		want, _ := msg.Payload()
		if !bytes.Equal(viaSeal.Payload, want) || !bytes.Equal(viaSeal.Payload, viaSend.Payload) {
			t.Errorf("payload %d: sealed message decrypted to %q, Send's to %q", n, viaSeal.Payload, viaSend.Payload)
		}
		if viaSeal.Endpoint != sub.Endpoint || viaSeal.TTL != viaSend.TTL || viaSeal.Urgency != viaSend.Urgency ||
			viaSeal.Topic != viaSend.Topic || viaSeal.Subject != viaSend.Subject || viaSeal.BodySize != viaSend.BodySize ||
			viaSeal.BodySize != len(m.Body) {
			t.Errorf("payload %d: sealed %+v, sent %+v", n, viaSeal, viaSend)
		}
	}
}

// TTL is relative to when the push service receives a message: one sealed at
// T and sent at T+2 min carries what Send sets at T+2 min, and sealing never
// stretches how long a phone can get it.
func TestSealedTTLIsRelative(t *testing.T) {
	clk := &clock{t: time.Now()}
	f := newFixture(t, func(c *push.Config) { c.Now = clk.Now })
	m, err := f.sender.Sealer().Seal(f.subscribe(), reminder, clk.Now().Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(2 * time.Minute)
	if res := f.sender.SendSealed(context.Background(), m); !res.Delivered() {
		t.Fatalf("%+v", res)
	}
	if res := f.sender.Send(context.Background(), f.subscribe(), reminder); !res.Delivered() {
		t.Fatalf("%+v", res)
	}
	got := f.svc.Wait(2, time.Second)
	if got[0].TTL != got[1].TTL || got[0].TTL != int(reminder.TTL/time.Second) {
		t.Errorf("TTL sealed %d, sent %d, want %d", got[0].TTL, got[1].TTL, int(reminder.TTL/time.Second))
	}
}

// A sealed message is not sent at or after its Expires.
func TestSendSealedRefusesExpired(t *testing.T) {
	clk := &clock{t: time.Now()}
	f := newFixture(t, func(c *push.Config) { c.Now = clk.Now })
	m, err := f.sender.Sealer().Seal(f.subscribe(), reminder, clk.Now().Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	clk.Add(time.Minute)
	res := f.sender.SendSealed(context.Background(), m)
	if !errors.Is(res.Err, push.ErrSealExpired) || res.Attempts != 0 || res.Delivered() {
		t.Errorf("%+v", res)
	}
	if n := f.svc.Requests(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// The endpoint is checked again at send time: a sealed message whose endpoint
// the sending side does not allow (another allowlist, or a value changed
// after sealing) is refused before any request.
func TestSendSealedChecksAllowlistAtSendTime(t *testing.T) {
	f := newFixture(t, nil)
	m, err := f.sender.Sealer().Seal(f.subscribe(), reminder, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	strict, err := push.NewSender(push.Config{Keys: f.keys, Subject: "ops@example.org"})
	if err != nil {
		t.Fatal(err)
	}
	moved := m
	moved.Endpoint = "https://127.0.0.2/push/1"
	for name, res := range map[string]push.Result{
		"endpoint no longer allowed": strict.SendSealed(context.Background(), m),
		"endpoint changed":           f.sender.SendSealed(context.Background(), moved),
	} {
		if !errors.Is(res.Err, push.ErrEndpointNotAllowed) || res.Attempts != 0 || res.Delivered() {
			t.Errorf("%s: %+v", name, res)
		}
	}
	if n := f.svc.Requests(); n != 0 {
		t.Errorf("%d requests reached the service", n)
	}
}

// 404 and 410 on a sealed message: the subscription is gone, no retry.
func TestSendSealedGone(t *testing.T) {
	f := newFixture(t, nil)
	for _, status := range []int{http.StatusGone, http.StatusNotFound} {
		sub := f.subscribe()
		f.svc.Behave(sub.Endpoint, pushtest.Behavior{Status: status})
		m, err := f.sender.Sealer().Seal(sub, reminder, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		res := f.sender.SendSealed(context.Background(), m)
		if !res.Gone || res.Status != status || res.Attempts != 1 || res.Delivered() {
			t.Errorf("%d: %+v", status, res)
		}
	}
	if s := f.sender.Stats(); s["gone"] != 2 || s["kind:hydration"] != 2 {
		t.Errorf("stats %v", s)
	}
}

// Retries resend the same sealed bytes, after Retry-After, and the phone
// decrypts them; a service that keeps failing gets MaxAttempts tries.
func TestSendSealedRetries(t *testing.T) {
	f := newFixture(t, nil)
	sub := f.subscribe()
	f.svc.Behave(sub.Endpoint, pushtest.Behavior{Status: http.StatusTooManyRequests, Times: 1, RetryAfter: "2"})
	m, err := f.sender.Sealer().Seal(sub, reminder, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	res := f.sender.SendSealed(context.Background(), m)
	if !res.Delivered() || res.Attempts != 2 {
		t.Fatalf("%+v", res)
	}
	if s := f.recordedSleeps(); len(s) != 1 || s[0] != 2*time.Second {
		t.Errorf("slept %v, want [2s]", s)
	}
	want, _ := reminder.Payload()
	if got := f.svc.Wait(1, time.Second); !bytes.Equal(got[0].Payload, want) {
		t.Errorf("retried message decrypted to %q", got[0].Payload)
	}

	down := f.subscribe()
	f.svc.Behave(down.Endpoint, pushtest.Behavior{Status: http.StatusServiceUnavailable})
	m, _ = f.sender.Sealer().Seal(down, reminder, time.Time{})
	if res := f.sender.SendSealed(context.Background(), m); res.Delivered() || res.Attempts != push.DefaultMaxAttempts || res.Status != 503 {
		t.Errorf("503 forever: %+v", res)
	}
}

// Seal refuses what Send refuses, before encrypting anything.
func TestSealRefuses(t *testing.T) {
	f := newFixture(t, nil)
	sub := f.subscribe()
	badKey := sub
	badKey.P256dh = "AAAA"
	badUrgency := reminder
	badUrgency.Urgency = "urgent"
	tooLarge := sized(t, push.MaxPayload)
	tooLarge.Body += "x"
	for _, tc := range []struct {
		name string
		sub  push.Subscription
		msg  push.Message
		is   error
	}{
		{"endpoint not allowed", push.Subscription{Endpoint: "https://127.0.0.2/push/1", P256dh: sub.P256dh, Auth: sub.Auth}, reminder, push.ErrEndpointNotAllowed},
		{"payload too large", sub, tooLarge, push.ErrPayloadTooLarge},
		{"bad urgency", sub, badUrgency, nil},
		{"bad p256dh", badKey, reminder, nil},
	} {
		m, err := f.sender.Sealer().Seal(tc.sub, tc.msg, time.Time{})
		if err == nil || (tc.is != nil && !errors.Is(err, tc.is)) || m.Body != nil {
			t.Errorf("%s: err %v", tc.name, err)
		}
	}
	if res := f.sender.SendSealed(context.Background(), push.Sealed{Endpoint: sub.Endpoint}); res.Err == nil || res.Attempts != 0 {
		t.Errorf("unsealed value: %+v", res)
	}
	if n := f.svc.Requests(); n != 0 {
		t.Errorf("%d requests", n)
	}
}

// Matches tells the due-minute path whether a sealed message is still exactly
// what it would send: any change to the text, headers or device is a mismatch.
func TestSealedMatches(t *testing.T) {
	f := newFixture(t, nil)
	sub := f.subscribe()
	m, err := f.sender.Sealer().Seal(sub, reminder, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	// MatchesExpected, built once per message for many devices, says the same.
	matchesExpected := func(sub push.Subscription, msg push.Message) bool {
		e, err := push.Expect(msg)
		if err != nil {
			t.Fatal(err)
		}
		return m.MatchesExpected(sub, e)
	}
	if !m.Matches(sub, reminder) || !matchesExpected(sub, reminder) {
		t.Fatal("does not match what it was sealed from")
	}
	rekeyed := f.subscribe()
	rekeyed.Endpoint = sub.Endpoint // the same device subscribed again: new keys
	change := func(edit func(*push.Message)) push.Message { msg := reminder; edit(&msg); return msg }
	for name, tc := range map[string]struct {
		sub push.Subscription
		msg push.Message
	}{
		"body":    {sub, change(func(m *push.Message) { m.Body += "!" })},
		"url":     {sub, change(func(m *push.Message) { m.URL = "/p/other" })},
		"ttl":     {sub, change(func(m *push.Message) { m.TTL = time.Hour })},
		"urgency": {sub, change(func(m *push.Message) { m.Urgency = "low" })},
		"topic":   {sub, change(func(m *push.Message) { m.Topic = "stretch" })},
		"device":  {f.subscribe(), reminder},
		"rekeyed": {rekeyed, reminder},
	} {
		if m.Matches(tc.sub, tc.msg) || matchesExpected(tc.sub, tc.msg) {
			t.Errorf("matches after a change of %s", name)
		}
	}
	e, _ := push.Expect(reminder)
	if (&push.Sealed{}).Matches(sub, reminder) || (&push.Sealed{}).MatchesExpected(sub, e) || m.MatchesExpected(sub, push.Expected{}) {
		t.Error("an empty Sealed or Expected matches")
	}
}

// SendAllSealed returns results in input order across push services.
func TestSendAllSealed(t *testing.T) {
	f := newFixture(t, nil)
	other := pushtest.New(t, f.keys.Public)
	allow, _ := push.NewAllowlist([]string{f.svc.URL + "/", other.URL + "/"})
	s, err := push.NewSender(push.Config{Keys: f.keys, Subject: "ops@example.org", Allow: allow})
	if err != nil {
		t.Fatal(err)
	}
	var msgs []push.Sealed
	var gone string
	for i := range 10 {
		svc := f.svc
		if i%2 == 1 {
			svc = other
		}
		ep, p256dh, auth := svc.NewSubscription()
		if i == 7 {
			svc.Behave(ep, pushtest.Behavior{Status: http.StatusGone})
			gone = ep
		}
		m, err := s.Sealer().Seal(push.Subscription{Endpoint: ep, P256dh: p256dh, Auth: auth}, reminder, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		msgs = append(msgs, m)
	}
	results := s.SendAllSealed(context.Background(), msgs)
	for i, res := range results {
		if (msgs[i].Endpoint == gone) != res.Gone || (msgs[i].Endpoint != gone) != res.Delivered() {
			t.Errorf("message %d: %+v", i, res)
		}
	}
	if st := s.Stats(); st["delivered"] != 9 || st["gone"] != 1 {
		t.Errorf("stats %v", st)
	}
}
