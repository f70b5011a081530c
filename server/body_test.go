package server

import (
	"strings"
	"testing"
)

// TestUnknownPlanIs404WhateverTheBody: handlers decode bodies into typed
// input, yet what the path addresses is checked first, as when the services
// read the raw body: an unknown (or another therapist's) plan answers 404
// for a malformed body too, and a known one 400 naming the field.
func TestUnknownPlanIs404WhateverTheBody(t *testing.T) {
	w := newWorkspace(t)
	a, b := w.login(t, "a@example.org"), w.login(t, "b@example.org")
	plan := w.createPlan(t, a, "")
	malformed := []string{`{"nope":1}`, `[1,2]`, `{"id": 5}`, `{`}
	for _, route := range [][2]string{
		{"POST", "/completions"}, {"POST", "/checkins"}, {"PUT", "/prefs"}, {"PUT", "/subscription"}, {"DELETE", "/subscription"},
	} {
		for _, body := range malformed {
			if r := w.do(t, nil, route[0], "/api/p/not-a-plan"+route[1], body); r.Status != 404 {
				t.Errorf("%s %s on an unknown plan with %s: %d %s, want 404", route[0], route[1], body, r.Status, r.Body)
			}
			if r := w.do(t, nil, route[0], "/api/p/"+plan+route[1], body); r.Status != 400 || !strings.Contains(r.Body, "error") {
				t.Errorf("%s %s with %s: %d %s, want 400", route[0], route[1], body, r.Status, r.Body)
			}
		}
	}
	for _, body := range malformed {
		if r := w.do(t, b, "PATCH", "/api/plans/"+plan, body); r.Status != 404 {
			t.Errorf("PATCH another therapist's plan with %s: %d %s, want 404", body, r.Status, r.Body)
		}
		if r := w.do(t, a, "PATCH", "/api/plans/"+plan, body); r.Status != 400 {
			t.Errorf("PATCH own plan with %s: %d %s, want 400", body, r.Status, r.Body)
		}
	}
}
