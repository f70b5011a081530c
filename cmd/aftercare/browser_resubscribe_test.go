package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// fakePushManager replaces the page's push manager: headless Chromium cannot
// subscribe (no push service of Google's here), so the subscriptions are the
// loopback push service's, made through the API, and this stands in for the
// browser's bookkeeping of them. window.__push.calls records what the app
// asked of it; __push.set(endpoint, p256dh, auth, key) is the phone's
// current subscription, made with VAPID key key; subscribe() hands out
// __push.next.
const fakePushManager = `(() => {
  const bytes = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - s.length % 4) % 4)), (c) => c.charCodeAt(0));
  const b64url = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf))).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  const log = { calls: [], current: null, next: null };
  const make = ([endpoint, p256dh, auth, key]) => ({
    endpoint,
    options: { userVisibleOnly: true, applicationServerKey: bytes(key).buffer },
    toJSON: () => ({ endpoint, expirationTime: null, keys: { p256dh, auth } }),
    unsubscribe: async () => {
      log.calls.push('unsubscribe ' + endpoint);
      if (log.current && log.current.endpoint === endpoint) log.current = null;
      return true;
    },
  });
  log.set = (...s) => { log.current = make(s); };
  const pushManager = {
    getSubscription: async () => log.current,
    subscribe: async (opts) => {
      const key = b64url(opts.applicationServerKey);
      log.calls.push('subscribe ' + key);
      log.current = make([...log.next, key]);
      return log.current;
    },
  };
  const reg = { pushManager, active: {}, scope: location.origin + '/' };
  navigator.serviceWorker.getRegistration = async () => reg;
  Object.defineProperty(navigator.serviceWorker, 'ready', { get: () => Promise.resolve(reg) });
  window.__push = log;
  return true;
})()`

func jsArgs(args ...string) string {
	b, _ := json.Marshal(args)
	return strings.Trim(string(b), "[]")
}

// TestAppRenewsSubscriptionForAnotherKeyOrRefused: on open, a phone whose
// subscription was made with another VAPID key (the server's key changed)
// drops it and subscribes with the server's key, so reminders reach it again
// instead of "Reminders are on" forever; and a test reminder its push service
// refuses shows why, and the app renews the subscription the server marked.
func TestAppRenewsSubscriptionForAnotherKeyOrRefused(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted, Origin: ts.URL,
	}); err != nil {
		t.Fatalf("grant notifications: %v", err)
	}
	other, err := push.LoadOrCreateKeys(t.TempDir()) // the key a former server had
	if err != nil {
		t.Fatal(err)
	}
	open := func(token string) {
		t.Helper()
		within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(ts.URL+"/p/"+token))
		waitFor(t, ctx, 10*time.Second, "app ready", `document.documentElement.dataset.ready === '1'`)
		eval[bool](t, ctx, fakePushManager)
		eval[bool](t, ctx, `localStorage.setItem('aftercare.push.`+token+`', 'on'), true`)
	}
	var key struct{ PublicKey string }
	ts.do(t, "GET", "/api/push/key", "").json(t, &key)

	// 1. The phone's subscription was made with the other key.
	a := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ep1, k1, a1 := ts.Push.NewSubscription()
	ep2, k2, a2 := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+a+"/subscription", subscriptionJSON(ep1, k1, a1)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	open(a)
	eval[bool](t, ctx, `__push.set(`+jsArgs(ep1, k1, a1, other.Public)+`), __push.next = [`+jsArgs(ep2, k2, a2)+`], true`)
	calls := eval[[]string](t, ctx, `import('/app/reminders.js').then((m) => m.syncSubscription('`+a+`')).then(() => __push.calls)`)
	if want := []string{"unsubscribe " + ep1, "subscribe " + key.PublicKey}; strings.Join(calls, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the app did %q, want %q", calls, want)
	}
	if r := ts.do(t, "POST", "/api/p/"+a+"/test-push", ""); r.Status != 202 || !strings.Contains(string(r.Body), `"devices":1`) {
		t.Fatalf("test-push after renewal: %d %s", r.Status, r.Body)
	}
	if got := ts.Push.Wait(1, 10*time.Second); len(got) != 1 || got[0].Endpoint != ep2 {
		t.Fatalf("the test reached %d devices (want only the renewed one)", len(got))
	}

	// 2. Made with the right key, but its push service refuses it.
	b := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ep3, k3, a3 := ts.Push.NewSubscription()
	ep4, k4, a4 := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+b+"/subscription", subscriptionJSON(ep3, k3, a3)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	ts.Push.Behave(ep3, pushtest.Behavior{Status: 403, Reason: "VapidPkHashMismatch"})
	open(b)
	eval[bool](t, ctx, `__push.set(`+jsArgs(ep3, k3, a3, key.PublicKey)+`), __push.next = [`+jsArgs(ep4, k4, a4)+`], true`)
	within(t, ctx, 10*time.Second, "reminders screen", chromedp.Evaluate[chromedp.Void](`location.hash = '#/reminders'`))
	waitFor(t, ctx, 10*time.Second, "reminders are on", `[...document.querySelectorAll('button')].some((b) => b.textContent === 'Send a test reminder')`)
	eval[bool](t, ctx, `[...document.querySelectorAll('button')].find((b) => b.textContent === 'Send a test reminder').click(), true`)
	waitFor(t, ctx, 10*time.Second, "the refusal explained and the subscription renewed",
		`(document.querySelector('.card .status') || {}).textContent.includes('renewed')`)
	status := eval[string](t, ctx, `document.querySelector('.card .status').textContent`)
	if !strings.Contains(status, "your phone's push service refused this device") {
		t.Errorf("status after the refused test: %q", status)
	}
	if calls := eval[[]string](t, ctx, `__push.calls`); len(calls) != 2 || calls[0] != "unsubscribe "+ep3 {
		t.Errorf("the app did %q", calls)
	}
	if r := ts.do(t, "DELETE", "/api/p/"+b+"/subscription", `{"endpoint":"`+ep3+`"}`); r.Status != 404 {
		t.Errorf("the refused device is still the plan's: %d", r.Status)
	}
	if r := ts.do(t, "PUT", "/api/p/"+b+"/subscription", subscriptionJSON(ep4, k4, a4)); r.Status != 200 || strings.Contains(string(r.Body), `"needsResubscribe":true`) {
		t.Errorf("the renewed device is not the plan's: %d %s", r.Status, r.Body)
	}
}
