package openapitest

import (
	"net/http"
	"slices"
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
