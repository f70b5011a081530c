package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPasswordChangeListsTokensInBrowser: on the narrowest phone (360 px), a
// password change in Settings confirms that other devices were logged out and
// names the API tokens that still work, so the therapist can revoke them.
func TestPasswordChangeListsTokensInBrowser(t *testing.T) {
	ts := startServer(t) // ana has one API token, "cli", from the operator command
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))
	within(t, ctx, 20*time.Second, "change password",
		chromedp.Navigate(ts.URL+"/therapist#/settings"),
		chromedp.WaitVisible(`#cur-pw`),
		chromedp.SendKeys(`#cur-pw`, "correct horse battery"),
		chromedp.SendKeys(`#new-pw`, "a brand new passphrase"))
	eval[bool](t, ctx, `(() => { [...document.querySelectorAll('button')].find((b) => b.textContent === 'Change password').click(); return true; })()`)
	waitFor(t, ctx, 10*time.Second, "confirmation", `(document.querySelector('#new-pw').closest('section').querySelector('[role=status]').textContent || '').includes('Password changed')`)
	msg := eval[string](t, ctx, `document.querySelector('#new-pw').closest('section').querySelector('[role=status]').textContent`)
	if !strings.Contains(msg, "still work: cli.") || !strings.Contains(msg, "logged out") {
		t.Errorf("confirmation %q does not name the remaining API token", msg)
	}
	eval[bool](t, ctx, `(() => { document.querySelector('#new-pw').closest('section').scrollIntoView(); return true; })()`)
	screenshot(t, ctx, "workspace-password-changed-360")
	if eval[bool](t, ctx, `document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("settings overflow a 360 px screen")
	}
	if r := ts.do(t, "POST", "/api/session", `{"email":"ana@example.org","password":"a brand new passphrase"}`); r.Status != 200 {
		t.Fatalf("login with the new password: %d %s", r.Status, r.Body)
	}
}
