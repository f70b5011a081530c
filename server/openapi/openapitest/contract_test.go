package openapitest

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

func TestFiberPath(t *testing.T) {
	for fiber, want := range map[string]string{
		"/":                  "/",
		"/api/plans/":        "/api/plans",
		"/api/p/:token/":     "/api/p/{token}",
		"/api/p/:token/qr":   "/api/p/{token}/qr",
		"/app/*":             "/app/{path}",
		"/img/stretches/:id": "/img/stretches/{id}",
		"/api/tokens/:id?":   "/api/tokens/{id}",
		"/c/:feed.ics":       "/c/{feed}.ics",
		"/c/:feed/open":      "/c/{feed}/open",
	} {
		if got := FiberPath(fiber); got != want {
			t.Errorf("FiberPath(%q) = %q, want %q", fiber, got, want)
		}
	}
}

func TestRouteDiffNamesBothSides(t *testing.T) {
	missing, extra := RouteDiff(
		[]string{"GET /a", "POST /a", "GET /b/{id}", "GET /b/{id}"},
		[]string{"GET /a", "GET /b/{id}", "DELETE /c"})
	if !slices.Equal(missing, []string{"POST /a"}) || !slices.Equal(extra, []string{"DELETE /c"}) {
		t.Fatalf("missing %v, extra %v", missing, extra)
	}
}

// TestFindPrefersConcretePaths: /api/therapists/invites is not /api/therapists/{id},
// and the rest-of-path parameter takes slashes.
func TestFindPrefersConcretePaths(t *testing.T) {
	c := Shared(t)
	for _, tc := range []struct{ method, path, want string }{
		{"GET", "/api/therapists/invites", "/api/therapists/invites"},
		{"PATCH", "/api/therapists/abc", "/api/therapists/{id}"},
		{"GET", "/api/plans/tok/qr", "/api/plans/{token}/qr"},
		{"GET", "/api/plans/tok", "/api/plans/{token}"},
		{"GET", "/api/plans", "/api/plans"},
		{"GET", "/app/icons/icon-192.png", "/app/{path}"},
		{"HEAD", "/sw.js", "/sw.js"},
		{"GET", "/therapist", "/therapist"},
		{"GET", "/therapist/app.js", "/therapist/{path}"},
		{"GET", "/p/tok/manifest.webmanifest", "/p/{token}/manifest.webmanifest"},
		{"GET", "/c/feedtok.ics", "/c/{feed}.ics"},
		{"GET", "/c/feed-tok_1/open", "/c/{feed}/open"},
		{"GET", "/c/.ics", ""},
		{"GET", "/c/feedtok.txt", ""},
		{"GET", "/api/plans/tok/checkins", "/api/plans/{token}/checkins"},
		{"GET", "/api/p/tok/calendar/next-session.ics", "/api/p/{token}/calendar/next-session.ics"},
		{"PUT", "/api/plans/tok", ""},
		{"GET", "/app/", ""},
	} {
		o, _ := c.find(tc.method, tc.path)
		got := ""
		if o != nil {
			got = o.template
		}
		if got != tc.want {
			t.Errorf("%s %s matched %q, want %q", tc.method, tc.path, got, tc.want)
		}
	}
	if _, known := c.find(http.MethodPut, "/api/plans/tok"); !known {
		t.Error("a known path with another method is not reported as a known path")
	}
}

// TestCheckWebhookHoldsDeliveriesToTheDocument: a delivery is checked against
// the webhook its body's type names, headers and body both.
func TestCheckWebhookHoldsDeliveriesToTheDocument(t *testing.T) {
	c := Shared(t)
	sig := "v1," + strings.Repeat("A", 43) + "="
	ping := `{"type":"ping","timestamp":"2026-12-01T10:00:00Z","data":{"message":"A test event from aftercare: the webhook works."}}`
	for _, tc := range []struct {
		name, body, sig, mention string
	}{
		{"a valid ping passes", ping, sig, ""},
		{"a signature that is not v1", ping, "v2,abc", "webhook-signature"},
		{"no signature", ping, "", "webhook-signature"},
		{"an undocumented field", strings.Replace(ping, `"message"`, `"token":"x","message"`, 1), sig, "token"},
		{"an event the document does not list", strings.Replace(ping, `"ping"`, `"plan.paused"`, 1), sig, "plan.paused"},
		{"a check-in without its tier", `{"type":"checkin.created","timestamp":"2026-12-01T10:00:01Z","data":{"planId":"pln_HbceUL9u4cvjQrT9u0FGoA",` +
			`"therapistId":"t1","checkinId":"checkin-0001","at":"2026-12-01T10:00:00Z","receivedAt":"2026-12-01T10:00:01Z","soreness":8,"pain":6,"urgent":true,"stillSore":true}}`, sig, "tier"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := httptest.NewRequest("POST", "/hooks/aftercare", strings.NewReader(tc.body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("webhook-id", "msg_2KWPBgLlAfxdpx2AI54pPg")
			req.Header.Set("webhook-timestamp", "1796032800")
			if tc.sig != "" {
				req.Header.Set("webhook-signature", tc.sig)
			}
			err := c.CheckWebhook(req, []byte(tc.body))
			switch {
			case tc.mention == "" && err != nil:
				t.Fatalf("valid delivery refused: %v", err)
			case tc.mention != "" && err == nil:
				t.Fatal("wrong delivery accepted")
			case tc.mention != "" && !strings.Contains(err.Error(), tc.mention):
				t.Fatalf("error does not mention %q: %v", tc.mention, err)
			}
		})
	}
}
