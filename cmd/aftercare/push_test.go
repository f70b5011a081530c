package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func subscriptionJSON(endpoint, p256dh, auth string) string {
	b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
	return string(b)
}

func TestSubscribeAndTestPushReachADecryptingPushService(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ep1, k1, a1 := ts.Push.NewSubscription()
	ep2, k2, a2 := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep1, k1, a1)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	// Re-sync on every app open: same endpoint → 200, still one device.
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep1, k1, a1)); r.Status != 200 {
		t.Fatalf("re-sync: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep2, k2, a2)); r.Status != 201 {
		t.Fatalf("second device: %d %s", r.Status, r.Body)
	}
	// A returning client's new plan on the same phone shares the device; the first plan keeps it.
	second := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	if r := ts.do(t, "PUT", "/api/p/"+second+"/subscription", subscriptionJSON(ep1, k1, a1)); r.Status != 201 {
		t.Fatalf("second plan, same phone: %d %s", r.Status, r.Body)
	}
	r := ts.do(t, "POST", "/api/p/"+token+"/test-push", "")
	if r.Status != 202 || !strings.Contains(string(r.Body), `"devices":2`) {
		t.Fatalf("test-push: %d %s", r.Status, r.Body)
	}
	got := ts.Push.Wait(2, 10*time.Second)
	if len(got) != 2 {
		t.Fatalf("push service decrypted %d messages, want 2", len(got))
	}
	for _, m := range got {
		var p struct{ Title, Body, URL, Kind, Tag string }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		if p.Kind != "test" || p.Title == "" || !strings.HasSuffix(p.URL, "/p/"+token) && !strings.Contains(p.URL, "/p/"+token+"#") {
			t.Fatalf("payload %s", m.Payload)
		}
	}

	// A second test within 10 s is refused and sends nothing.
	if r := ts.do(t, "POST", "/api/p/"+token+"/test-push", ""); r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("second test at once: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "DELETE", "/api/p/"+token+"/subscription", `{"endpoint":"`+ep2+`"}`); r.Status != 204 {
		t.Fatalf("unsubscribe: %d %s", r.Status, r.Body)
	}
	// Gone: subscribing it again makes a new device.
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep2, k2, a2)); r.Status != 201 {
		t.Fatalf("after unsubscribe: %d %s", r.Status, r.Body)
	}
	if n := len(ts.Push.Received()); n != 2 {
		t.Fatalf("%d test notifications, want 2", n)
	}
}

func TestSubscribeRefusesEndpointsOutsideTheAllowlist(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	_, key, auth := ts.Push.NewSubscription()
	for _, ep := range []string{
		"https://127.0.0.2/a.google.com/",
		"https://[::1]/push",
		"http://fcm.googleapis.com/fcm/send/x",
		"https://user@fcm.googleapis.com/fcm/send/x",
		"https://fcm.googleapis.com.evil.invalid/x",
		"https://evil.invalid/fcm.googleapis.com",
	} {
		r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth))
		if r.Status != 400 || !strings.Contains(r.errorText(t), "endpoint") {
			t.Errorf("%s: %d %s", ep, r.Status, r.Body)
		}
	}
	ep, _, _ := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, "BAAA", auth)); r.Status != 400 || !strings.Contains(r.errorText(t), "p256dh") {
		t.Errorf("bad key: %d %s", r.Status, r.Body)
	}
	r := ts.do(t, "POST", "/api/p/"+token+"/test-push", "")
	if r.Status != 409 || r.errorText(t) != "no device has reminders turned on for this plan" {
		t.Fatalf("a refused subscription was stored: %d %s", r.Status, r.Body)
	}
}
