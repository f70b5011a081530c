package server

import (
	"encoding/json"
	"strings"
	"testing"
)

// Bad settings are refused with 400 naming the field, and change nothing:
// the webhook stays as it was.
func TestWebhookSettingsRefuseBadInput(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	allowed := w.hooks.URL + "/aftercare"
	tests := []struct{ body, field string }{
		{`{}`, "url"},
		{`{"url": 7}`, "url"},
		{`{"url": "http://hooks.example.invalid/aftercare"}`, "url"},
		{`{"url": "https://127.0.0.2/aftercare"}`, "url"},
		{`{"url": "https://[::1]/aftercare"}`, "url"},
		{`{"url": "https://localhost/aftercare"}`, "url"},
		{`{"url": "https://user:pw@hooks.example.invalid/"}`, "url"},
		{`{"url": "` + allowed + `", "events": ["plan.deleted"]}`, "events"},
		{`{"url": "` + allowed + `", "events": ["plan.created", "plan.created"]}`, "events"},
		{`{"url": "` + allowed + `", "includeNotes": "yes"}`, "includeNotes"},
		{`{"url": "` + allowed + `", "secret": "whsec_mine"}`, "secret"},
		{`[]`, ""},
	}
	for _, tc := range tests {
		r := w.do(t, owner, "PUT", "/api/admin/webhook", tc.body)
		var got struct{ Error string }
		_ = json.Unmarshal([]byte(r.Body), &got)
		if r.Status != 400 || !strings.HasPrefix(got.Error, tc.field) || got.Error == "" {
			t.Errorf("PUT %s: %d %s, want 400 naming %q", tc.body, r.Status, r.Body, tc.field)
		}
	}
	r := w.do(t, owner, "GET", "/api/admin/webhook", "")
	if r.Status != 200 || jsonField(t, r.Body, "url") != "" || strings.Contains(r.Body, "whsec_") {
		t.Fatalf("after refused saves: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, owner, "POST", "/api/admin/webhook/test", ""); r.Status != 409 {
		t.Fatalf("test with no webhook: %d %s, want 409", r.Status, r.Body)
	}
}

// The secret is made by the server and shown once, in the answer that made
// it; GET shows only its first characters. The test button pings the receiver.
func TestWebhookSecretShownOnce(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	body := `{"url": "` + w.hooks.URL + `/aftercare", "events": ["checkin.created"]}`
	r := w.do(t, owner, "PUT", "/api/admin/webhook", body)
	secret := jsonField(t, r.Body, "secret")
	if r.Status != 200 || !strings.HasPrefix(secret, "whsec_") || len(secret) != len("whsec_")+44 {
		t.Fatalf("first save: %d %s", r.Status, r.Body)
	}
	for _, step := range []struct{ method, body string }{{"GET", ""}, {"PUT", body}} {
		r := w.do(t, owner, step.method, "/api/admin/webhook", step.body)
		if r.Status != 200 || strings.Contains(r.Body, secret) || jsonField(t, r.Body, "secretHint") != secret[:10]+"…" {
			t.Fatalf("%s shows the secret or no hint: %s", step.method, r.Body)
		}
		if !strings.Contains(r.Body, `"events":["checkin.created"]`) || !strings.Contains(r.Body, `"enabled":true`) {
			t.Fatalf("%s: %s", step.method, r.Body)
		}
	}
	r = w.do(t, owner, "PUT", "/api/admin/webhook", `{"url": "`+w.hooks.URL+`/aftercare", "rotateSecret": true}`)
	if rotated := jsonField(t, r.Body, "secret"); r.Status != 200 || rotated == "" || rotated == secret || jsonField(t, r.Body, "previousSecretUntil") == "" {
		t.Fatalf("rotation: %d %s", r.Status, r.Body)
	}
	r = w.do(t, owner, "POST", "/api/admin/webhook/test", "")
	if r.Status != 200 || !strings.Contains(r.Body, `"status":204`) || !strings.HasPrefix(jsonField(t, r.Body, "id"), "msg_") {
		t.Fatalf("test: %d %s", r.Status, r.Body)
	}
	r = w.do(t, owner, "PUT", "/api/admin/webhook", `{"url": ""}`)
	if r.Status != 200 || jsonField(t, r.Body, "url") != "" || strings.Contains(r.Body, `"enabled":true`) {
		t.Fatalf("removal: %d %s", r.Status, r.Body)
	}
}
