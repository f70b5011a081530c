package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// The studio owner sets the webhook on the Settings screen: the secret is
// shown once, the test button pings the receiver (signed with that secret),
// and the section fits a 360 px and a 390 px phone.
func TestWebhookSettingsInBrowser(t *testing.T) {
	sink := newHookSink(t)
	dir := filepath.Join(t.TempDir(), "data")
	ts := &testServer{Data: dir, WebhookAllow: []string{sink.srv.URL + "/"}}
	ts.Token = addTherapist(t, dir, "ana@example.org", "Ana Ruiz")
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts.Push = pushtest.New(t, keys.Public)
	ts.start(t)

	owner := newBrowser(t)
	within(t, owner, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))
	within(t, owner, 20*time.Second, "settings",
		chromedp.Navigate(ts.URL+"/therapist#/settings"),
		chromedp.WaitVisible(`#hook-url`))
	hookURL := sink.srv.URL + "/aftercare/" + strings.Repeat("x", 40)
	within(t, owner, 20*time.Second, "save the webhook",
		chromedp.SendKeys(`#hook-url`, hookURL),
		chromedp.Click(`#hook-notes`),
		chromedp.Click(`[data-testid=hook-save]`),
		chromedp.WaitVisible(`[data-testid=hook-secret]`))
	secret := eval[string](t, owner, `document.querySelector('[data-testid=hook-secret]').textContent`)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret on screen: %q", secret)
	}
	fits(t, owner, "webhook-saved")
	within(t, owner, 20*time.Second, "test",
		chromedp.Click(`[data-testid=hook-test]`))
	waitFor(t, owner, 10*time.Second, "test answer", `document.querySelector('[data-testid=hook-status]').textContent.includes('answered 204')`)
	got := sink.wait(t, "ping")
	if !verifyHook(secret, got[0]) {
		t.Fatalf("the ping does not verify with the secret on screen")
	}
	// Reloaded, the screen keeps the settings and no longer shows the secret.
	within(t, owner, 20*time.Second, "reload",
		chromedp.Reload(),
		chromedp.WaitVisible(`#hook-url`))
	url := eval[string](t, owner, `document.querySelector('#hook-url').value`)
	notes := eval[bool](t, owner, `document.querySelector('#hook-notes').checked`)
	shown := eval[bool](t, owner, fmt.Sprintf(`document.body.textContent.includes(%q)`, secret))
	if url != hookURL || !notes || shown {
		t.Fatalf("after reload: url %q notes %v secret shown %v", url, notes, shown)
	}
	fits(t, owner, "webhook-settings")
}

// fits checks the webhook section at the narrow phone widths: on the
// screen, nothing in it wider than its box, no sideways scrolling.
func fits(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, width := range []int64{360, 390} {
		within(t, ctx, 5*time.Second, "resize", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		got := eval[string](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
			const sec = document.querySelector('#hook-url').closest('section');
			const box = sec.getBoundingClientRect();
			if (box.left < 0 || box.right > innerWidth) return r('section outside the screen: ' + box.left + '..' + box.right + ' of ' + innerWidth);
			if (document.documentElement.scrollWidth > innerWidth) return r('page scrolls sideways: ' + document.documentElement.scrollWidth);
			for (const el of sec.querySelectorAll('*')) {
				if (el.tagName !== 'INPUT' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth) return r('overflow in ' + el.tagName + '.' + el.className + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
				const b = el.getBoundingClientRect();
				if (b.width > 0 && (b.left < box.left - 1 || b.right > box.right + 1)) return r(el.tagName + ' sticks out of the section');
			}
			r('ok');
		})))`)
		if got != "ok" {
			t.Errorf("%s at %d px: %s", name, width, got)
		}
		eval[bool](t, ctx, `(document.querySelector('#hook-url').closest('section').scrollIntoView(), true)`)
		screenshot(t, ctx, fmt.Sprintf("%s-%d", name, width))
	}
	within(t, ctx, 5*time.Second, "resize back", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
}
