package main

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

const iPhoneUA = "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"

// cardOrder says which of the Reminders screen's two cards comes first.
const cardOrder = `(() => {
	const cal = document.querySelector('[data-testid=calendar-card]'), push = document.getElementById('push-title')?.closest('section');
	if (!cal || !push) return 'missing';
	return (cal.compareDocumentPosition(push) & Node.DOCUMENT_POSITION_FOLLOWING) ? 'calendar first' : 'push first';
})()`

// TestCalendarButtonsInChromium: on 360 and 390 px phones the Reminders screen
// offers the calendar (the address and Google's steps on Android; a webcal link
// on an iPhone, and first there, since a Safari tab gets no push; first as well
// when notifications are blocked), Today offers the next session as a file and
// the printout, and "Stop calendar reminders" retires the feed at once.
func TestCalendarButtonsInChromium(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	planURL := ts.URL + "/p/" + token
	var view struct{ Calendar struct{ URL, Webcal string } }
	ts.do(t, "GET", "/api/p/"+token, "").json(t, &view)
	feedURL := view.Calendar.URL
	ctx := newBrowser(t)

	for _, width := range []int64{360, 390} {
		w := strconv.Itoa(int(width))
		within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch))
		within(t, ctx, 20*time.Second, "open reminders", chromedp.Navigate(planURL+"#/reminders"))
		waitFor(t, ctx, 10*time.Second, "reminders screen", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=calendar-card]')`)
		if got := eval[string](t, ctx, cardOrder); got != "push first" {
			t.Errorf("%s px, push available: %s", w, got)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-testid=calendar-url]').value`); got != feedURL {
			t.Errorf("%s px: calendar address %q, want %q", w, got, feedURL)
		}
		card := eval[string](t, ctx, `document.querySelector('[data-testid=calendar-card]').innerText`)
		for _, want := range []string{"Copy the calendar address", "From URL", "can’t tell when you’ve already stretched", "Stop calendar reminders"} {
			if !strings.Contains(card, want) {
				t.Errorf("%s px: calendar card lacks %q: %s", w, want, card)
			}
		}
		noSidewaysScroll(t, ctx, w+" px reminders")
		screenshot(t, ctx, "calendar-reminders-"+w)

		within(t, ctx, 10*time.Second, "today", chromedp.Navigate(planURL+"#/today"))
		waitFor(t, ctx, 10*time.Second, "today's buttons", `!!document.querySelector('[data-testid=next-session-ics]') && !!document.querySelector('[data-testid=print-plan]')`)
		if got := eval[string](t, ctx, `document.querySelector('[data-testid=print-plan]').getAttribute('href')`); got != "/p/"+token+"/print" {
			t.Errorf("print link %q", got)
		}
		// The button's file, fetched as the phone would: one session in text/calendar.
		file := eval[string](t, ctx, `fetch(document.querySelector('[data-testid=next-session-ics]').href).then(async r => r.status + ' ' + r.headers.get('content-type') + ' ' + (await r.text()).split('BEGIN:VEVENT').length)`)
		if file != "200 text/calendar; charset=utf-8 2" {
			t.Errorf("next-session file: %q, want 200, text/calendar, one event", file)
		}
		for _, sel := range []string{`[data-testid=next-session-ics]`, `[data-testid=print-plan]`} {
			if !eval[bool](t, ctx, `(() => { const r = document.querySelector('`+sel+`').getBoundingClientRect(); return r.width > 0 && r.right <= innerWidth && r.height >= 44; })()`) {
				t.Errorf("%s px: %s is not a full tap target on screen", w, sel)
			}
		}
		noSidewaysScroll(t, ctx, w+" px today")
		eval[bool](t, ctx, `(document.querySelector('[data-testid=next-session-ics]').scrollIntoView({block: 'center'}), true)`)
		screenshot(t, ctx, "calendar-today-"+w)
	}

	// Notifications blocked: the calendar comes first.
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingDenied, Origin: ts.URL,
	}); err != nil {
		t.Fatalf("deny notifications: %v", err)
	}
	within(t, ctx, 20*time.Second, "reminders, notifications blocked", chromedp.Navigate(planURL+"#/reminders"), chromedp.Reload())
	waitFor(t, ctx, 10*time.Second, "reminders screen", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=calendar-card]')`)
	if got := eval[string](t, ctx, cardOrder); got != "calendar first" {
		t.Errorf("notifications blocked: %s", got)
	}

	// An iPhone's Safari tab: no push there, so the calendar comes first, as a webcal link.
	if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: iPhoneUA, Platform: "iPhone"}); err != nil {
		t.Fatal(err)
	}
	for _, width := range []int64{360, 390} {
		w := strconv.Itoa(int(width))
		within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch))
		within(t, ctx, 20*time.Second, "reminders on an iPhone", chromedp.Reload())
		waitFor(t, ctx, 10*time.Second, "reminders screen", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=calendar-card]')`)
		if got := eval[string](t, ctx, cardOrder); got != "calendar first" {
			t.Errorf("iPhone %s px: %s", w, got)
		}
		if got := eval[string](t, ctx, `document.querySelector('[data-testid=add-calendar]').getAttribute('href')`); got != view.Calendar.Webcal || !strings.HasPrefix(got, "webcal://") {
			t.Errorf("iPhone: add-to-calendar link %q, want %q", got, view.Calendar.Webcal)
		}
		noSidewaysScroll(t, ctx, "iPhone "+w+" px reminders")
		screenshot(t, ctx, "calendar-reminders-iphone-"+w)
	}

	// Stop calendar reminders: the old address is dead at once, the card says how to remove it.
	within(t, ctx, 10*time.Second, "stop calendar reminders", chromedp.Click(`[data-testid=stop-calendar]`))
	waitFor(t, ctx, 10*time.Second, "stopped", `document.querySelector('[data-testid=calendar-card]').innerText.includes('Calendar reminders are stopped')`)
	if r := ts.do(t, "GET", strings.TrimPrefix(feedURL, ts.URL), ""); r.Status != 404 {
		t.Errorf("the old feed after Stop: %d, want 404", r.Status)
	}
	card := eval[string](t, ctx, `document.querySelector('[data-testid=calendar-card]').innerText`)
	if !strings.Contains(card, "Subscribed Calendars") || !strings.Contains(card, "Unsubscribe") {
		t.Errorf("no removal steps after Stop: %s", card)
	}
	if got := eval[string](t, ctx, `document.querySelector('[data-testid=add-calendar]').getAttribute('href')`); got == view.Calendar.Webcal {
		t.Error("the card still offers the retired address")
	}
	noSidewaysScroll(t, ctx, "after Stop")
	eval[bool](t, ctx, `(document.querySelector('[data-testid=calendar-card] .status').scrollIntoView({block: 'center'}), true)`)
	screenshot(t, ctx, "calendar-stopped")
}

// TestCalendarLinkOpensThePlanInChromium: an event's link (/c/{feed}/open#/play)
// opens the plan's player in a browser that opened the plan before, without the
// feed naming the plan; a browser that never did is told to open the therapist's
// link; a stopped feed's link says so.
func TestCalendarLinkOpensThePlanInChromium(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	var view struct{ Calendar struct{ URL string } }
	ts.do(t, "GET", "/api/p/"+token, "").json(t, &view)
	open := strings.TrimSuffix(view.Calendar.URL, ".ics") + "/open"

	// A phone that never opened the plan.
	stranger := newBrowser(t)
	within(t, stranger, 20*time.Second, "open the event link", chromedp.Navigate(open+"#/play"))
	waitFor(t, stranger, 10*time.Second, "told to open the therapist's link",
		`document.documentElement.dataset.ready === "1" && !document.getElementById('elsewhere').hidden && document.getElementById('opening').hidden`)
	if !strings.HasSuffix(eval[string](t, stranger, `location.pathname`), "/open") {
		t.Error("the stranger's browser left the open page")
	}
	noSidewaysScroll(t, stranger, "open page")
	screenshot(t, stranger, "calendar-open-elsewhere")

	// The client's phone opened the plan once; the event link goes straight to the player.
	phone := newBrowser(t)
	within(t, phone, 20*time.Second, "open the plan", chromedp.Navigate(ts.URL+"/p/"+token))
	waitFor(t, phone, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
	within(t, phone, 20*time.Second, "open the event link", chromedp.Navigate(open+"#/play"))
	waitThroughNavigation(t, phone, 15*time.Second, "the player of the plan",
		`location.pathname === "/p/`+token+`" && location.hash.startsWith("#/play") && document.body.dataset.screen === "play"`)

	// After "Stop calendar reminders", the old event links say the calendar is no longer active.
	if r := ts.do(t, "POST", "/api/p/"+token+"/calendar/rotate", ""); r.Status != 200 {
		t.Fatalf("rotate: %d", r.Status)
	}
	within(t, phone, 20*time.Second, "open an old event link", chromedp.Navigate(open+"#/checkin"))
	waitFor(t, phone, 10*time.Second, "feed gone", `!!document.querySelector('[data-testid=feed-gone]')`)
	if path := eval[string](t, phone, `location.pathname`); strings.HasPrefix(path, "/p/") {
		t.Errorf("a retired feed's link opened the plan (%s)", path)
	}
}

// waitThroughNavigation polls a JS predicate across the page navigating away
// under it (a poll's context dies with its page; this one asks again).
func waitThroughNavigation(t *testing.T, ctx context.Context, d time.Duration, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 2*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](expr))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	c, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	where, _ := chromedp.Run(c, chromedp.Evaluate[string](`location.href + ' ' + document.body.innerText.slice(0, 300) + ' ' + JSON.stringify(Object.keys(localStorage))`))
	t.Fatalf("waiting for %s: not within %v; the page: %s", what, d, where)
}

// noSidewaysScroll fails when the page is wider than the phone.
func noSidewaysScroll(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if over := eval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); over > 0 {
		t.Errorf("%s: the page scrolls sideways by %d px", where, over)
	}
}
