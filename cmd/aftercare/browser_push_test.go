package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"
)

// TestPushShowsNotificationAndClickOpensScreen feeds the service worker the exact
// payload the server sent (decrypted by the loopback push service), checks the
// notification it shows, and follows a click on its "Start stretches" action.
func TestPushShowsNotificationAndClickOpensScreen(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	planURL := ts.URL + "/p/" + token

	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted, Origin: ts.URL,
	}); err != nil {
		t.Fatalf("grant notifications: %v", err)
	}
	regs := chromedp.Events(ctx, serviceworker.WorkerRegistrationUpdated)
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL))
	waitFor(t, ctx, 10*time.Second, "service worker active", `navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
	var regID serviceworker.RegistrationID
	for ev, err := range regs {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ev.Registrations {
			if !r.IsDeleted && strings.HasPrefix(r.ScopeURL, ts.URL) {
				regID = r.RegistrationID
			}
		}
		if regID != "" {
			break
		}
	}

	// The server sends a real stretch-kind message through the real sender.
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/test-push", ""); r.Status != 202 {
		t.Fatalf("test-push: %d", r.Status)
	}
	got := ts.Push.Wait(1, 10*time.Second)
	if len(got) != 1 {
		t.Fatal("push service received nothing")
	}
	// Deliver a stretch reminder shaped like the scheduler's (a path for the page, the buttons
	// worded by the server), plus the real test payload.
	stretch := `{"title":"Time for your stretches","body":"About 7 minutes.","url":"/p/` + token + `#/today","kind":"stretch","tag":"stretch","actions":{"start":"Start stretches","done":"Done"}}`
	for _, data := range []string{string(got[0].Payload), stretch, "not json at all"} {
		if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{Origin: ts.URL, RegistrationID: regID, Data: data}); err != nil {
			t.Fatalf("deliver push: %v", err)
		}
	}
	waitFor(t, ctx, 10*time.Second, "three notifications", `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.length === 3)`)
	type note struct {
		Title, Body, Tag, Icon string
		Actions                []string
		URL                    string
	}
	notes := eval[[]note](t, ctx, `navigator.serviceWorker.ready.then(r => r.getNotifications()).then(ns => ns.map(n => ({
		title: n.title, body: n.body, tag: n.tag, icon: n.icon, actions: (n.actions||[]).map(a => a.action), url: (n.data && n.data.url) || '' })))`)
	byTag := map[string]note{}
	for _, n := range notes {
		byTag[n.Tag] = n
	}
	if n := byTag["test"]; n.Title == "" || !strings.Contains(n.URL, "/p/"+token) {
		t.Errorf("test notification %+v", n)
	}
	if n := byTag["stretch"]; len(n.Actions) != 2 || n.Actions[0] != "start" || !strings.HasSuffix(n.Icon, "/app/icons/icon-192.png") {
		t.Errorf("stretch notification %+v", n)
	}
	if n := byTag[""]; n.Title != "aftercare" {
		t.Errorf("an unreadable payload must still show a notification: %+v", notes)
	}

	// "Start stretches" on the stretch notification opens the player in the open window.
	swCtx := serviceWorkerContext(t, ctx, ts.URL)
	if _, err := chromedp.Run(swCtx, chromedp.Evaluate[chromedp.Void](`self.registration.getNotifications({tag: 'stretch'}).then(ns => {
		self.dispatchEvent(new NotificationEvent('notificationclick', {notification: ns[0], action: 'start'})); })`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("click notification: %v", err)
	}
	waitFor(t, ctx, 10*time.Second, "player opened by the notification", `location.hash.startsWith('#/play') && !!document.querySelector('[data-testid=countdown]')`)
}

// serviceWorkerContext attaches to the origin's service worker target.
func serviceWorkerContext(t *testing.T, ctx context.Context, origin string) context.Context {
	t.Helper()
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, ti := range targets {
		if ti.Type == "service_worker" && strings.HasPrefix(ti.URL, origin) {
			c, cancel := chromedp.NewContext(ctx, chromedp.WithTargetID(ti.TargetID))
			t.Cleanup(cancel)
			return c
		}
	}
	t.Fatalf("no service worker target for %s", origin)
	return nil
}
