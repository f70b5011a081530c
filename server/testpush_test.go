package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
)

// newPushWorkspace is a workspace whose scheduler sends through the real
// sender to a decrypting push service on loopback, on the workspace's clock.
func newPushWorkspace(t *testing.T) (*workspace, *pushtest.Service) {
	t.Helper()
	sender, svc := pushtest.NewSender(t, func(c *push.Config) { c.Sleep = func(context.Context, time.Duration) error { return nil } })
	var sched *remind.Scheduler
	w := newWorkspaceWith(t, func(db *store.DB) care.Scheduler {
		sched = remind.New(remind.Config{DB: db, Sender: sender, BaseURL: "http://care.test"})
		return sched
	})
	t.Cleanup(sched.Stop)
	return w, svc
}

func errorOf(t *testing.T, r resp) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	if err := json.Unmarshal([]byte(r.Body), &e); err != nil || e.Error == "" {
		t.Fatalf("no error message in %d %s", r.Status, r.Body)
	}
	return e.Error
}

// TestTestPushSaysWhatHappened: a test notification for a plan without a
// device, or to a device its push service refuses, gets an answer the app
// can show, not "internal error"; the refused device is marked so that the
// phone's next re-sync learns it must subscribe again.
func TestTestPushSaysWhatHappened(t *testing.T) {
	w, svc := newPushWorkspace(t)
	token := w.createPlan(t, w.login(t, "a@example.org"), "")

	r := w.do(t, nil, "POST", "/api/p/"+token+"/test-push", "")
	if r.Status != http.StatusConflict || errorOf(t, r) != "no device has reminders turned on for this plan" {
		t.Fatalf("no device: %d %s", r.Status, r.Body)
	}

	ep, key, auth := svc.NewSubscription()
	sub := subscriptionBody(ep, key, auth)
	if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", sub); r.Status != 201 || strings.Contains(r.Body, `"needsResubscribe":true`) {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	// The phone's subscription was made with another server key (FCM answers 403, Apple 400).
	svc.Behave(ep, pushtest.Behavior{Status: http.StatusForbidden, Reason: "VapidPkHashMismatch"})
	r = w.do(t, nil, "POST", "/api/p/"+token+"/test-push", "")
	if r.Status != http.StatusBadGateway || errorOf(t, r) != "your phone's push service refused this device: turn reminders off and on again" {
		t.Fatalf("refused device: %d %s", r.Status, r.Body)
	}
	// The app re-syncs on its next open and is told to subscribe again.
	if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", sub); r.Status != 200 || !strings.Contains(r.Body, `"needsResubscribe":true`) {
		t.Fatalf("re-sync of the refused device: %d %s", r.Status, r.Body)
	}
	// It does: a fresh subscription is not marked, and the test reaches it.
	ep2, key2, auth2 := svc.NewSubscription()
	if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", subscriptionBody(ep2, key2, auth2)); r.Status != 201 || strings.Contains(r.Body, `"needsResubscribe":true`) {
		t.Fatalf("new subscription: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, nil, "DELETE", "/api/p/"+token+"/subscription", `{"endpoint":"`+ep+`"}`); r.Status != 204 {
		t.Fatalf("drop the old one: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(testPushEvery)
	if r := w.do(t, nil, "POST", "/api/p/"+token+"/test-push", ""); r.Status != http.StatusAccepted || !strings.Contains(r.Body, `"devices":1`) {
		t.Fatalf("after re-subscribing: %d %s", r.Status, r.Body)
	}
	if got := svc.Received(); len(got) != 1 || got[0].Endpoint != ep2 {
		t.Fatalf("delivered %d", len(got))
	}
}

// TestTestPushRefusalsMapToClearStatuses: whatever the push service answers,
// test-push never says "internal error".
func TestTestPushRefusalsMapToClearStatuses(t *testing.T) {
	w, svc := newPushWorkspace(t)
	token := w.createPlan(t, w.login(t, "a@example.org"), "")
	ep, key, auth := svc.NewSubscription()
	if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", subscriptionBody(ep, key, auth)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	for _, tc := range []struct {
		b      pushtest.Behavior
		status int
		says   string
		marked bool
	}{
		{pushtest.Behavior{Status: 400, Reason: "VapidPkHashMismatch"}, 502, "turn reminders off and on again", true},
		{pushtest.Behavior{Status: 403, Reason: "BadJwtToken"}, 502, "-vapid-subject", false},
		{pushtest.Behavior{Status: 401}, 502, "-vapid-subject", false},
		{pushtest.Behavior{Status: 413}, 502, "too large", false},
		{pushtest.Behavior{Status: 429, RetryAfter: "600"}, 503, "try again", false},
		{pushtest.Behavior{Status: 503}, 502, "try again", false},
	} {
		// A fresh record each time: an earlier case may have marked it.
		if err := w.db.DeleteEndpoint(ep); err != nil {
			t.Fatal(err)
		}
		if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", subscriptionBody(ep, key, auth)); r.Status != 201 {
			t.Fatalf("subscribe: %d %s", r.Status, r.Body)
		}
		svc.Behave(ep, tc.b)
		w.clock.Advance(testPushEvery)
		r := w.do(t, nil, "POST", "/api/p/"+token+"/test-push", "")
		if msg := errorOf(t, r); r.Status != tc.status || !strings.Contains(msg, tc.says) {
			t.Errorf("push service answers %d %s: test-push %d %q, want %d saying %q", tc.b.Status, tc.b.Reason, r.Status, msg, tc.status, tc.says)
		}
		// The phone's next re-sync hears whether it must subscribe again.
		r = w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", subscriptionBody(ep, key, auth))
		if marked := strings.Contains(r.Body, `"needsResubscribe":true`); r.Status != 200 || marked != tc.marked {
			t.Errorf("push service answers %d %s: re-sync %d %s, want needsResubscribe %v", tc.b.Status, tc.b.Reason, r.Status, r.Body, tc.marked)
		}
	}
}

// TestTestPushIsRateLimitedPerPlan: one test notification per plan every
// TestPushEvery; a second tap is answered 429 with Retry-After and a message,
// and sends nothing. Other plans are not held up.
func TestTestPushIsRateLimitedPerPlan(t *testing.T) {
	w, svc := newPushWorkspace(t)
	b := w.login(t, "a@example.org")
	one, other := w.createPlan(t, b, ""), w.createPlan(t, b, "")
	for _, token := range []string{one, other} {
		ep, key, auth := svc.NewSubscription()
		if r := w.do(t, nil, "PUT", "/api/p/"+token+"/subscription", subscriptionBody(ep, key, auth)); r.Status != 201 {
			t.Fatalf("subscribe: %d %s", r.Status, r.Body)
		}
	}
	if r := w.do(t, nil, "POST", "/api/p/"+one+"/test-push", ""); r.Status != 202 {
		t.Fatalf("first test: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(3 * time.Second)
	r := w.do(t, nil, "POST", "/api/p/"+one+"/test-push", "")
	if r.Status != http.StatusTooManyRequests || r.Header.Get("Retry-After") != "7" ||
		errorOf(t, r) != "a test reminder was just sent: wait 7 seconds before sending another" {
		t.Fatalf("second test within 10 s: %d Retry-After %q %s", r.Status, r.Header.Get("Retry-After"), r.Body)
	}
	if r := w.do(t, nil, "POST", "/api/p/"+other+"/test-push", ""); r.Status != 202 {
		t.Fatalf("another plan: %d %s", r.Status, r.Body)
	}
	w.clock.Advance(7 * time.Second)
	if r := w.do(t, nil, "POST", "/api/p/"+one+"/test-push", ""); r.Status != 202 {
		t.Fatalf("after 10 s: %d %s", r.Status, r.Body)
	}
	if n := len(svc.Wait(3, 5*time.Second)); n != 3 {
		t.Fatalf("%d test notifications delivered, want 3", n)
	}
}

// testPushEvery is the least time between two test notifications of a plan.
const testPushEvery = 10 * time.Second

func subscriptionBody(endpoint, p256dh, auth string) string {
	b, _ := json.Marshal(map[string]any{"endpoint": endpoint, "expirationTime": nil, "keys": map[string]string{"p256dh": p256dh, "auth": auth}})
	return string(b)
}

// TestBidiControlsInNamesAreRefused: names and labels shown to other people
// (client name, therapist name, template and token names) refuse Unicode
// bidi controls, which can make "Sam" read as someone else; the 400 names
// the field and nothing is stored.
func TestBidiControlsInNamesAreRefused(t *testing.T) {
	w := newWorkspace(t)
	a := w.login(t, "a@example.org")
	owner := w.login(t, "owner@example.org")
	for i, bidi := range []string{"\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"} {
		esc := bidi // raw in the JSON body, as a browser sends it
		cases := []struct {
			who         *browser
			path, body  string
			field       string
			countBefore func() int
		}{
			{a, "/api/plans", strings.Replace(planBody(w.clock.Now(), ""), `"Sam"`, `"Sam`+esc+`ten"`, 1), "clientName",
				func() int { l, _ := w.db.PlansByTherapist(w.a.ID); return len(l) }},
			{a, "/api/templates", `{"name":"Hip` + esc + `","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`, "name",
				func() int { l, _ := w.db.Templates(w.a.ID); return len(l) }},
			{a, "/api/tokens", `{"name":"booking` + esc + `"}`, "name",
				func() int { l, _ := w.db.APITokens(w.a.ID); return len(l) }},
		}
		for _, tc := range cases {
			before := tc.countBefore()
			r := w.do(t, tc.who, "POST", tc.path, tc.body)
			if r.Status != 400 || !strings.HasPrefix(errorOf(t, r), tc.field+":") {
				t.Errorf("%s with %U: %d %s", tc.path, []rune(bidi)[0], r.Status, r.Body)
			}
			if after := tc.countBefore(); after != before {
				t.Errorf("%s with %U stored something", tc.path, []rune(bidi)[0])
			}
		}
		// A new therapist's own name, from an invitation.
		email := fmt.Sprintf("cara%d@example.org", i)
		r := w.do(t, owner, "POST", "/api/therapists/invites", `{"email":"`+email+`"}`)
		secret, _ := strings.CutPrefix(jsonField(t, r.Body, "url"), "http://care.test/therapist#/join/")
		r = w.do(t, nil, "POST", "/api/invites/"+secret, `{"email":"`+email+`","name":"Cara`+esc+`","password":"`+testPassword+`","timeZone":"Europe/Paris"}`)
		if r.Status != 400 || !strings.HasPrefix(errorOf(t, r), "name:") {
			t.Errorf("therapist name with %U: %d %s", []rune(bidi)[0], r.Status, r.Body)
		}
	}
	// Names in right-to-left scripts are fine without controls.
	if r := w.do(t, a, "POST", "/api/plans", strings.Replace(planBody(w.clock.Now(), ""), `"Sam"`, `"سام"`, 1)); r.Status != 201 {
		t.Fatalf("Arabic name: %d %s", r.Status, r.Body)
	}
}
