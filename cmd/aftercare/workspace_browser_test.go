package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWorkspaceInBrowser drives the real binary's workspace on a 390×844 phone
// viewport: log in, create a plan from a template, see the QR, open the plan as
// the client in a separate browser context, check in, and find the check-in on
// the therapist's clients list. It reports taps and time from dashboard to QR.
func TestWorkspaceInBrowser(t *testing.T) {
	ts := startServer(t)
	therapist := newBrowser(t)
	within(t, therapist, 20*time.Second, "open workspace",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`))
	within(t, therapist, 20*time.Second, "log in",
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))

	// From the dashboard to a QR on screen, as a new user taps it.
	taps := 0
	tap := func(sel string) chromedp.Action[chromedp.Void] {
		taps++
		return chromedp.Steps(chromedp.WaitVisible(sel), chromedp.Click(sel))
	}
	start := time.Now()
	within(t, therapist, 20*time.Second, "assign",
		tap(`[data-testid=new-plan]`),
		tap(`[data-testid=template-gentle-sciatica-aftercare]`),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			screenshot(t, ctx, "workspace-assign")
			return nil
		}),
		// The name field has focus after the template tap: the therapist just types.
		chromedp.WaitVisible(`[data-testid=client-name]`),
		chromedp.SendKeys(`[data-testid=client-name]`, "Sam"),
		tap(`[data-testid=create-plan]`),
		chromedp.WaitVisible(`[data-testid=qr]`))
	within(t, therapist, 20*time.Second, "QR loaded", chromedp.Steps(func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Poll[bool](`document.querySelector('[data-testid=qr]').complete && document.querySelector('[data-testid=qr]').naturalWidth > 100`,
			chromedp.WithPollingTimeout(10*time.Second))(ctx, tg)
		return chromedp.Void{}, err
	}))
	elapsed := time.Since(start)
	t.Logf("dashboard → QR on screen: %d taps + typing the client's first name, %v in the browser", taps, elapsed.Round(time.Millisecond))
	if taps > 4 || elapsed > time.Minute {
		t.Errorf("assigning took %d taps and %v", taps, elapsed)
	}
	screenshot(t, therapist, "workspace-qr")
	link := eval[string](t, therapist, `document.querySelector('[data-testid=plan-link]').value`)
	if !strings.HasPrefix(link, ts.URL+"/p/") {
		t.Fatalf("plan link %q", link)
	}
	if w := eval[float64](t, therapist, `document.querySelector('[data-testid=qr]').getBoundingClientRect().width`); w < 300 {
		t.Errorf("QR code is %.0f CSS px wide on a 390 px phone: too small to scan across a table", w)
	}

	// The client opens the link in a browser context of their own (no therapist cookies).
	client, cancelClient := chromedp.NewContext(therapist, chromedp.WithNewBrowserContext())
	defer cancelClient()
	if err := chromedp.Do(client, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatalf("client context: %v", err)
	}
	within(t, client, 20*time.Second, "open plan as client", chromedp.Navigate(link+"#/checkin"))
	if eval[bool](t, client, `document.cookie.includes('aftercare_csrf')`) {
		t.Fatal("the client context shares the therapist's cookies")
	}
	within(t, client, 10*time.Second, "client check-in form", chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, client, checkInAnswers{Soreness: 5, Back: 3, Leg: 2}) // the clients list's pain is the worse of the two
	eval[bool](t, client, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)

	// The therapist sees it on the clients list.
	within(t, therapist, 20*time.Second, "back to the clients list", chromedp.Navigate(ts.URL+"/therapist#/"), chromedp.WaitVisible(`[data-testid=new-plan]`))
	deadline := time.Now().Add(15 * time.Second)
	for {
		row := eval[string](t, therapist, `(document.querySelector('[data-testid=client-row]') || {}).textContent || ''`)
		if strings.Contains(row, "Sam") && strings.Contains(row, "Soreness 5") && strings.Contains(row, "Pain 3") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("check-in not on the clients list; first row: %q", row)
		}
		within(t, therapist, 20*time.Second, "reload", chromedp.Reload(), chromedp.WaitVisible(`[data-testid=new-plan]`))
		time.Sleep(300 * time.Millisecond)
	}
	screenshot(t, therapist, "workspace-clients")

	// A red flag puts a "Mark as handled" button next to the banner; pressing it from
	// the keyboard records who handled it and takes the badge off the clients list.
	token := strings.TrimPrefix(link, ts.URL+"/p/")
	now := time.Now().UTC().Format(time.RFC3339)
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-browser-flag","at":"`+now+`","soreness":4,"pain":6,"redFlags":["leg-weakness"]}`); r.Status != 201 {
		t.Fatalf("red-flag check-in: %d %s", r.Status, r.Body)
	}
	within(t, therapist, 20*time.Second, "clients list with the red flag",
		chromedp.Reload(), chromedp.WaitVisible(`[data-testid=client-row] .badge.emergency-now`))
	within(t, therapist, 20*time.Second, "plan page with red flag",
		chromedp.Navigate(ts.URL+"/therapist#/plan/"+token),
		chromedp.WaitVisible(`.banner.red-flag`),
		chromedp.WaitVisible(`[data-testid=mark-handled]`))
	if hgt := eval[float64](t, therapist, `document.querySelector('[data-testid=mark-handled]').getBoundingClientRect().height`); hgt < 44 {
		t.Errorf("Mark as handled is %.0f px tall, want at least 44", hgt)
	}
	within(t, therapist, 20*time.Second, "mark handled with the keyboard",
		chromedp.Focus(`[data-testid=mark-handled]`),
		chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`[data-testid=alerts-handled]`))
	if txt := eval[string](t, therapist, `document.querySelector('[data-testid=alerts-handled]').textContent`); !strings.Contains(txt, "by you") {
		t.Errorf("handled note %q", txt)
	}
	if eval[bool](t, therapist, `!!document.querySelector('.banner.red-flag, [data-testid=mark-handled]')`) {
		t.Error("red-flag banner still shown after marking it handled")
	}
	within(t, therapist, 20*time.Second, "clients list after handling", chromedp.Navigate(ts.URL+"/therapist#/"), chromedp.WaitVisible(`[data-testid=client-row]`))
	if eval[bool](t, therapist, `!!document.querySelector('[data-testid=client-row] .badge.emergency-now')`) {
		t.Error("handled red flag still badged on the clients list")
	}

	// Own templates can be deleted from Settings.
	if r := ts.do(t, "POST", "/api/templates", `{"name":"Sam's routine","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`, ts.auth()...); r.Status != 201 {
		t.Fatalf("save template: %d %s", r.Status, r.Body)
	}
	within(t, therapist, 20*time.Second, "settings", chromedp.Navigate(ts.URL+"/therapist#/settings"), chromedp.WaitVisible(`[data-testid=own-template]`))
	eval[bool](t, therapist, `(() => { window.confirm = () => true; document.querySelector('[data-testid=own-template] button').click(); return true; })()`)
	waitFor(t, therapist, 10*time.Second, "template gone from settings", `!document.querySelector('[data-testid=own-template]')`)
	if r := ts.do(t, "GET", "/api/templates", "", ts.auth()...); strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("template still stored: %s", r.Body)
	}
}
