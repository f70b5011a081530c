package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// countingFront is a loopback reverse proxy that counts requests by path and body bytes.
type countingFront struct {
	*httptest.Server
	mu    sync.Mutex
	paths map[string]int
	bytes int
}

func startCountingFront(t *testing.T, backend string) *countingFront {
	t.Helper()
	target, err := url.Parse(backend)
	if err != nil {
		t.Fatal(err)
	}
	forward := httputil.NewSingleHostReverseProxy(target)
	f := &countingFront{paths: map[string]int{}}
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cw := &countingWriter{ResponseWriter: w}
		forward.ServeHTTP(cw, r)
		f.mu.Lock()
		f.paths[r.URL.Path]++
		f.bytes += cw.n
		f.mu.Unlock()
	}))
	t.Cleanup(f.Close)
	return f
}

type countingWriter struct {
	http.ResponseWriter
	n int
}

func (c *countingWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return c.ResponseWriter.Write(p)
}

// TestServiceWorkerShellIsTheServedHashedFiles: the service worker precaches exactly
// the hashed URLs the server stamped into it, and a phone downloads each of the app's
// files once on its first visit (the install takes what the page just loaded from the
// HTTP cache). Offline it still answers for a plain name and for a name of an older
// version of the app (a page kept offline before a deploy) with the current file, so
// such a page still starts.
func TestServiceWorkerShellIsTheServedHashedFiles(t *testing.T) {
	ts := startServer(t)
	front := startCountingFront(t, ts.URL)
	m := regexp.MustCompile(`(?m)^const SHELL = (\{.*\});$`).FindSubmatch(ts.do(t, "GET", "/sw.js", "").Body)
	if m == nil {
		t.Fatal("no stamped shell in /sw.js")
	}
	var shell map[string]string
	if err := json.Unmarshal(m[1], &shell); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, url := range shell {
		want = append(want, url)
	}
	sort.Strings(want)

	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(front.URL+"/p/"+token))
	waitFor(t, ctx, 15*time.Second, "service worker active and controlling",
		`navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
	cached := eval[[]string](t, ctx, `caches.keys().then(async ks => {
		const k = ks.find(k => k.startsWith('aftercare-shell-'));
		return k ? (await (await caches.open(k)).keys()).map(r => new URL(r.url).pathname).sort() : [];
	})`)
	if strings.Join(cached, "\n") != strings.Join(want, "\n") {
		t.Fatalf("the shell cache holds\n%s\nwant the stamped shell\n%s", strings.Join(cached, "\n"), strings.Join(want, "\n"))
	}

	front.mu.Lock()
	requests := 0
	for path, n := range front.paths {
		requests += n
		if n > 1 && (strings.HasPrefix(path, "/app/") || strings.HasPrefix(path, "/shared/")) {
			t.Errorf("%s downloaded %d times on the first visit", path, n)
		}
	}
	t.Logf("first visit with the service worker's install: %d requests, %d bytes of bodies", requests, front.bytes)
	front.mu.Unlock()

	ts.shutdown(t)
	front.Close() // the phone is offline
	fetchText := func(path string) string {
		t.Helper()
		return eval[string](t, ctx, fmt.Sprintf(`fetch(%q).then(r => r.status + ' ' + r.headers.get('Content-Type')).catch(e => 'failed: ' + e.message)`, path))
	}
	for _, path := range []string{shell["/app/app.js"], "/app/outbox.js", "/app/app.000000000000.js", "/shared/dom.0123456789ab.js"} {
		if got := fetchText(path); got != "200 text/javascript; charset=utf-8" {
			t.Errorf("offline %s: %s", path, got)
		}
	}
	same := eval[bool](t, ctx, `Promise.all(['/app/app.000000000000.js', `+jsString(shell["/app/app.js"])+`].map(u => fetch(u).then(r => r.text()))).then(([a, b]) => a === b && a.length > 1000)`)
	if !same {
		t.Error("an older version's name for app.js does not get the current app.js offline")
	}
	if got := fetchText("/app/nothing.000000000000.js"); !strings.HasPrefix(got, "failed") {
		t.Errorf("offline, a file the app does not have: %s", got)
	}
}

// sidewaysCheck says 'ok' when the page does not scroll sideways (after the next
// layout), or how wide it is and which elements stick out. The Chromium and the
// Firefox narrow-phone tests both use it.
const sidewaysCheck = `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
	const w = document.documentElement.scrollWidth;
	r(w <= innerWidth ? 'ok' : w + ' px wide: ' + [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
		.slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', '));
})))`

// TestScreensFitNarrowPhonesInChromium opens every screen of both apps at 360 and
// 390 px: none scrolls sideways; on the client's, the heading shows and every button
// and input (or its label) is at least 44 × 44 px (touchCheck, shared with
// TestScreensFitNarrowPhonesInFirefox).
func TestScreensFitNarrowPhonesInChromium(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-26*time.Hour), ""))
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"narrow-0001","at":"`+time.Now().UTC().Format(time.RFC3339)+`","soreness":4,"pain":2,"areas":["left-buttock"],"feelings":["dull"],"note":"a little stiff in the morning"}`); r.Status != 201 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	fits := func(screen, ready string) {
		t.Helper()
		for _, width := range []int64{360, 390} {
			within(t, ctx, 5*time.Second, "resize", chromedp.EmulateViewport(width, 780, chromedp.EmulateMobile, chromedp.EmulateTouch))
			waitFor(t, ctx, 10*time.Second, screen+" shown", ready)
			got := eval[string](t, ctx, sidewaysCheck)
			if got != "ok" {
				t.Errorf("%s at %d px: %s", screen, width, got)
			}
			if strings.HasPrefix(screen, "client ") {
				r := eval[touchReport](t, ctx, touchCheck)
				if r.Heading == "" {
					t.Errorf("%s at %d px: no heading (h1) to see", screen, width)
				}
				for _, s := range r.Small {
					t.Errorf("%s at %d px: %s", screen, width, s)
				}
			}
			screenshot(t, ctx, fmt.Sprintf("narrow-%s-%d", strings.ReplaceAll(screen, " ", "-"), width))
		}
	}
	client := ts.URL + "/p/" + token
	for _, s := range []struct{ hash, ready string }{
		{"#/today", `!!document.querySelector('[data-testid=start-routine]')`},
		{"#/checkin", `!!document.querySelector('[data-testid=submit-checkin]')`},
		{"#/psfs", `!!document.querySelector('[data-testid=submit-psfs]')`},
		{"#/prepare", `!!document.querySelector('[data-testid=submit-prepare]')`},
		{"#/doctor", `!!document.querySelector('[data-testid=safety-net]')`},
		{"#/reminders", `document.body.dataset.screen === 'reminders'`},
		{"#/about", `document.body.dataset.screen === 'about'`},
		{"#/play", `!!document.querySelector('[data-testid=countdown]')`},
	} {
		within(t, ctx, 20*time.Second, "open "+s.hash, chromedp.Navigate(client+s.hash))
		fits("client "+s.hash, s.ready)
	}

	within(t, ctx, 20*time.Second, "workspace", chromedp.Navigate(ts.URL+"/therapist"))
	fits("workspace login", `!!document.querySelector('[data-testid=login]')`)
	within(t, ctx, 20*time.Second, "log in",
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=client-row]`))
	fits("workspace clients", `!!document.querySelector('[data-testid=client-row]')`)
	within(t, ctx, 20*time.Second, "new plan", chromedp.Navigate(ts.URL+"/therapist#/new"),
		chromedp.WaitVisible(`[data-testid=template-gentle-sciatica-aftercare]`), chromedp.Click(`[data-testid=template-gentle-sciatica-aftercare]`))
	fits("workspace new plan", `!!document.querySelector('[data-testid=stretch-list] li')`)
	for _, s := range []struct{ hash, ready string }{
		{"#/qr/" + token, `!!document.querySelector('[data-testid=plan-link]')`},
		{"#/plan/" + token, `!!document.querySelector('[data-testid=words] li')`},
		{"#/settings", `!!document.querySelector('[data-testid=logout]') && !!document.querySelector('[data-testid=invite-link], #invite-email')`},
	} {
		within(t, ctx, 20*time.Second, "open "+s.hash, chromedp.Navigate(ts.URL+"/therapist"+s.hash))
		fits("workspace "+strings.SplitN(s.hash, "/", 3)[1], s.ready)
	}
}
