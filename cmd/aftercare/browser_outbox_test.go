package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// Proxy modes: the server is reachable, or it fails the way a real outage does.
const (
	proxyUp          = iota
	proxyDrop        // the connection closes without an answer (a dead host, a broken route)
	proxyUnavailable // 503 from the front end (the app behind it is down)
	proxyRefuse      // check-ins get a final 400; everything else reaches the server
)

// refusal is the proxy's final answer to a check-in in proxyRefuse mode.
const refusal = "at: more than a day in the future"

// outageProxy is a loopback reverse proxy in front of the test server that can be
// switched into an outage. Unlike stopping Chromium's network, the phone keeps its
// connection: navigator.onLine stays true and no "online" event fires, as on a
// phone whose server (or its route) is down.
type outageProxy struct {
	URL  string
	mode atomic.Int32
	mu   sync.Mutex
	// failed holds when each check-in POST reached the proxy during an outage.
	failed []time.Time
}

func startOutageProxy(t *testing.T, backend string) *outageProxy {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	p := &outageProxy{}
	forward := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mode := p.mode.Load()
		if mode != proxyUp && r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/checkins") {
			p.mu.Lock()
			p.failed = append(p.failed, time.Now())
			p.mu.Unlock()
		}
		switch {
		case mode == proxyUp, mode == proxyRefuse && !strings.HasSuffix(r.URL.Path, "/checkins"):
			forward.ServeHTTP(w, r)
		case mode == proxyRefuse:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":%q}`, refusal)
		case mode == proxyUnavailable:
			http.Error(w, "Service Unavailable", http.StatusServiceUnavailable)
		default:
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}
	}))
	t.Cleanup(srv.Close)
	p.URL = srv.URL
	return p
}

func (p *outageProxy) set(mode int32) { p.mode.Store(mode) }

// failedPosts returns when each check-in POST failed at the proxy.
func (p *outageProxy) failedPosts() []time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]time.Time(nil), p.failed...)
}

// schedule reads like "0.0 1.8 5.5 s": when each failed attempt came, from the first.
func schedule(at []time.Time) string {
	var b strings.Builder
	for _, t := range at {
		fmt.Fprintf(&b, "%.1f ", t.Sub(at[0]).Seconds())
	}
	return b.String() + "s"
}

// serverCheckIns lists the red flags of each check-in the therapist's API has for the plan.
func serverCheckIns(t *testing.T, ts *testServer, token string) [][]string {
	t.Helper()
	r := ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...)
	var tp struct {
		CheckIns []struct{ RedFlags []string } `json:"checkins"`
	}
	r.json(t, &tp)
	var out [][]string
	for _, c := range tp.CheckIns {
		out = append(out, c.RedFlags)
	}
	return out
}

// tick ticks the check-in form's radios and chips like a finger would (on the label).
func tick(t *testing.T, ctx context.Context, sels ...string) {
	t.Helper()
	for _, sel := range sels {
		if !eval[bool](t, ctx, `(() => { const i = document.querySelector(`+jsString(sel)+`); if (!i) return false; (i.closest('label') || i).click(); return i.checked; })()`) {
			t.Fatalf("could not tick %s", sel)
		}
	}
}

// openWithServiceWorker opens the plan through the proxy and waits until the service
// worker controls the page, so the app's files come from its cache during the outage.
func openWithServiceWorker(t *testing.T, ctx context.Context, planURL string) {
	t.Helper()
	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL))
	waitFor(t, ctx, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
	waitFor(t, ctx, 15*time.Second, "service worker active and controlling",
		`navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
	// The check-in's words (the clinic content) are kept too.
	waitFor(t, ctx, 15*time.Second, "clinic content kept for offline",
		`caches.keys().then(async (ks) => { for (const k of ks) { const c = await caches.open(k);
		  if ((await c.keys()).some((r) => new URL(r.url).pathname.startsWith('/api/clinic/'))) return true; } return false; })`)
	// Later checks prove the page was never reloaded and the browser never said "online".
	eval[bool](t, ctx, `(window.__sameDocument = true, window.__onlineEvents = 0,
		addEventListener('online', () => window.__onlineEvents++), true)`)
}

// noticeFits checks the delivery notice at the narrow phone widths: shown, inside the
// screen, and nothing in it (the Call link included) wider than its box.
func noticeFits(t *testing.T, ctx context.Context, screen string) {
	t.Helper()
	for _, width := range []int64{360, 390} {
		within(t, ctx, 5*time.Second, "resize", chromedp.EmulateViewport(width, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		got := eval[string](t, ctx, `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
			const n = document.querySelector('[data-testid=delivery]');
			if (!n) return r('no notice');
			const box = n.getBoundingClientRect();
			if (box.height === 0) return r('notice hidden');
			if (box.left < 0 || box.right > innerWidth) return r('notice outside the screen: ' + box.left + '..' + box.right + ' of ' + innerWidth);
			if (document.documentElement.scrollWidth > innerWidth) return r('page scrolls sideways: ' + document.documentElement.scrollWidth);
			for (const el of [n, ...n.querySelectorAll('*')]) {
				if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth) return r('overflow in ' + el.tagName + '.' + el.className + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
			}
			r('ok');
		})))`)
		if got != "ok" {
			t.Errorf("%s at %d px: %s", screen, width, got)
		}
		eval[bool](t, ctx, `(document.querySelector('[data-testid=delivery]').scrollIntoView({block: 'center'}), true)`)
		screenshot(t, ctx, fmt.Sprintf("outbox-%s-%d", screen, width))
	}
	within(t, ctx, 5*time.Second, "resize back", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
}

const noticeText = `(document.querySelector('[data-testid=delivery]')?.innerText || '')`

// outboxCount counts the items in the app's IndexedDB outbox.
const outboxCount = `new Promise(r => { const q = indexedDB.open('aftercare'); q.onsuccess = () => {
	const db = q.result; const g = db.transaction('outbox').objectStore('outbox').count();
	g.onsuccess = () => { r(g.result); db.close(); }; }; })`

// TestQueuedRedFlagReachesTherapistWhilePageStaysOpen: the server is unreachable while a
// client reports a red flag. The app says plainly that the therapist does not know yet
// and offers a call; once the server is back the check-in is delivered while the page
// stays open — no reload, no "online" event — and the notice says it was sent.
func TestQueuedRedFlagReachesTherapistWhilePageStaysOpen(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)

	proxy.set(proxyDrop)
	eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
	within(t, ctx, 10*time.Second, "check-in form", chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, ctx, checkInAnswers{Soreness: 4, Back: 7, Leg: 7, Yes: []string{"saddle-numbness"}})
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	within(t, ctx, 5*time.Second, "urgent screen", chromedp.WaitVisible(`[data-testid=urgent]`))

	// Not delivered: the urgent screen says so and offers the call.
	waitFor(t, ctx, 10*time.Second, "notice that the therapist has not got it", noticeText+`.includes('not reached')`)
	if txt := eval[string](t, ctx, noticeText); !strings.Contains(txt, "have not reached Ana Ruiz yet") || !strings.Contains(txt, "We keep trying") {
		t.Errorf("urgent screen notice: %q", txt)
	}
	if call := eval[string](t, ctx, `(() => { const a = document.querySelector('[data-testid=delivery] a[href^="tel:"]'); return a ? a.getAttribute('href') + ' ' + a.textContent : ''; })()`); !strings.HasPrefix(call, "tel:112 Call 112") {
		t.Errorf("urgent screen notice call link: %q", call)
	}
	noticeFits(t, ctx, "urgent")

	// The same on Today.
	eval[bool](t, ctx, `(location.hash = '#/today', true)`)
	waitFor(t, ctx, 5*time.Second, "Today with the notice", `document.body.dataset.screen === 'today' && `+noticeText+`.includes('not reached')`)
	if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=delivery] a[href="tel:112"]')`) {
		t.Error("Today's notice has no call link")
	}
	noticeFits(t, ctx, "today")

	// The front end answers 503 for a while: still waiting, never dropped.
	eval[bool](t, ctx, `(history.back(), true)`)
	waitFor(t, ctx, 5*time.Second, "back on the urgent screen", `!!document.querySelector('[data-testid=urgent]') && `+noticeText+`.includes('not reached')`)
	proxy.set(proxyUnavailable)
	failed := len(proxy.failedPosts())
	deadline := time.Now().Add(20 * time.Second)
	for len(proxy.failedPosts()) <= failed {
		if time.Now().After(deadline) {
			t.Fatalf("no retry while the page stayed open: the check-in was tried only at %s", schedule(proxy.failedPosts()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := serverCheckIns(t, ts, token); len(got) != 0 {
		t.Fatalf("server has check-ins during the outage: %v", got)
	}
	if txt := eval[string](t, ctx, noticeText); !strings.Contains(txt, "not reached") {
		t.Fatalf("after a 503 the notice says %q", txt)
	}

	// Back: delivered by the page's own retry, within the backoff cap (30 s).
	proxy.set(proxyUp)
	back := time.Now()
	for {
		got := serverCheckIns(t, ts, token)
		if len(got) == 1 {
			if len(got[0]) != 1 || got[0][0] != "saddle-numbness" {
				t.Fatalf("check-in arrived with red flags %v", got[0])
			}
			break
		}
		if time.Since(back) > 40*time.Second {
			t.Fatalf("the check-in did not reach the server within 40 s of its return (tried at %s)", schedule(proxy.failedPosts()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("delivered %.1f s after the server came back; failed attempts at %s", time.Since(back).Seconds(), schedule(proxy.failedPosts()))
	waitFor(t, ctx, 5*time.Second, "notice says sent", noticeText+`.includes('Sent to Ana Ruiz')`)
	if txt := eval[string](t, ctx, noticeText); strings.Contains(txt, "not reached") {
		t.Errorf("after delivery the notice still says %q", txt)
	}
	if !eval[bool](t, ctx, `window.__sameDocument === true && window.__onlineEvents === 0 && navigator.onLine`) {
		t.Fatal("the page was reloaded or saw an online event: the test does not show a retry while the page stays open")
	}
	if n := eval[int](t, ctx, outboxCount); n != 0 {
		t.Errorf("%d items still in the outbox after delivery", n)
	}
	eval[bool](t, ctx, `(location.hash = '#/today', true)`)
	waitFor(t, ctx, 5*time.Second, "Today says sent", `document.body.dataset.screen === 'today' && `+noticeText+`.includes('Sent to Ana Ruiz')`)
	screenshot(t, ctx, "outbox-today-sent")
}

// TestQueuedCheckinRetriesWhenPageBecomesVisible: a client whose check-in is waiting
// switches away from the app and back (the window is minimized and restored, so the
// page really turns hidden and visible). Coming back sends it at once, without waiting
// for the next backoff step.
func TestQueuedCheckinRetriesWhenPageBecomesVisible(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)

	proxy.set(proxyUnavailable)
	eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
	within(t, ctx, 10*time.Second, "check-in form", chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, ctx, checkInAnswers{Soreness: 3, Back: 2, Leg: 2})
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	eval[bool](t, ctx, `(location.hash = '#/today', true)`)
	waitFor(t, ctx, 10*time.Second, "notice on Today", noticeText+`.includes('not reached')`)

	// Backoff steps are 2, 4, 8, 16 s (each 75–100 % of that, for jitter). After the
	// fourth failed POST the next timed retry is at least 6 s away (one of the four may
	// be the service worker's Background Sync attempt).
	deadline := time.Now().Add(30 * time.Second)
	for len(proxy.failedPosts()) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("only %d attempts in 30 s (at %s)", len(proxy.failedPosts()), schedule(proxy.failedPosts()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	posts := proxy.failedPosts()
	fourth := posts[3]
	t.Logf("failed attempts at %s", schedule(posts))

	w, err := chromedp.Call(ctx, browser.GetWindowForTarget, browser.GetWindowForTargetParams{})
	if err != nil {
		t.Fatal(err)
	}
	setWindow := func(st browser.WindowState) {
		t.Helper()
		if _, err := chromedp.CallBrowser(ctx, browser.SetWindowBounds, browser.SetWindowBoundsParams{WindowID: w.WindowID, Bounds: &browser.Bounds{WindowState: st}}); err != nil {
			t.Fatal(err)
		}
	}
	setWindow(browser.WindowStateMinimized)
	waitFor(t, ctx, 3*time.Second, "page hidden", `document.visibilityState === 'hidden'`)
	proxy.set(proxyUp)
	setWindow(browser.WindowStateNormal)
	waitFor(t, ctx, 3*time.Second, "page visible", `document.visibilityState === 'visible'`)
	for len(serverCheckIns(t, ts, token)) == 0 {
		if time.Since(fourth) > 5*time.Second {
			t.Fatalf("coming back to the app did not send the waiting check-in (attempts at %s)", schedule(proxy.failedPosts()))
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("delivered %.1f s after the fourth failed attempt", time.Since(fourth).Seconds())
	waitFor(t, ctx, 5*time.Second, "notice says sent", noticeText+`.includes('Sent to Ana Ruiz')`)
	if !eval[bool](t, ctx, `window.__sameDocument === true && window.__onlineEvents === 0`) {
		t.Fatal("the page was reloaded or saw an online event")
	}
}

// TestQueuedCheckinRefusedForGoodIsDroppedAndSaid: a waiting red-flag check-in that the
// server refuses with a final 4xx is not retried for ever; it leaves the outbox and the
// client is told, with the server's reason and the call button.
func TestQueuedCheckinRefusedForGoodIsDroppedAndSaid(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)

	proxy.set(proxyUnavailable)
	eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
	within(t, ctx, 10*time.Second, "check-in form", chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, ctx, checkInAnswers{Soreness: 4, Back: 7, Leg: 7, Yes: []string{"leg-weakness"}})
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	waitFor(t, ctx, 10*time.Second, "notice that the therapist has not got it", `!!document.querySelector('[data-testid=urgent]') && `+noticeText+`.includes('not reached')`)

	proxy.set(proxyRefuse)
	waitFor(t, ctx, 15*time.Second, "notice that it could not be sent", noticeText+`.includes(`+jsString(refusal)+`)`)
	txt := eval[string](t, ctx, noticeText)
	if !strings.Contains(txt, "could not be sent to Ana Ruiz") || strings.Contains(txt, "not reached") {
		t.Errorf("notice after a final refusal: %q", txt)
	}
	if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=delivery] a[href="tel:112"]')`) {
		t.Error("no call button after a red-flag check-in was refused")
	}
	if n := eval[int](t, ctx, outboxCount); n != 0 {
		t.Errorf("%d items still in the outbox after a final refusal", n)
	}
	if got := serverCheckIns(t, ts, token); len(got) != 0 {
		t.Errorf("server has check-ins %v", got)
	}
}
