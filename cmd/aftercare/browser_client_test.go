package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestClientJourneyInChromium walks the client's path on a phone-sized screen:
// open the plan, the service worker takes over, the plan opens while the server
// is down, a routine runs to its finish screen, a check-in with an emergency sign shows
// the urgent-care screen (offline), and once the server is back it has both records.
func TestClientJourneyInChromium(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	// Short holds so the first stretch runs its full timer quickly.
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour),
		`,"overrides":[{"stretchId":"pelvic-tilt","holdSeconds":5,"reps":1}]`))
	planURL := ts.URL + "/p/" + token

	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL))
	waitFor(t, ctx, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
	within(t, ctx, 5*time.Second, "today screen", chromedp.WaitVisible(`[data-testid=start-routine]`), chromedp.WaitVisible(`[data-testid=plan-notes]`))
	// Page weight of the first visit, as the phone downloads it (headers included): the page,
	// its styles and modules, the plan and the words of its language.
	waitFor(t, ctx, 10*time.Second, "page load complete", `document.readyState === "complete"`)
	firstLoad := eval[int](t, ctx, `(() => { const nav = performance.getEntriesByType('navigation')[0];
		return nav.transferSize + performance.getEntriesByType('resource').filter(r => r.initiatorType !== 'fetch' || r.name.includes('/api/p/') || r.name.includes('/api/messages/')).reduce((n, r) => n + r.transferSize, 0); })()`)
	t.Logf("first load of a plan page: %d bytes transferred", firstLoad)
	if testing.Verbose() {
		t.Log(eval[string](t, ctx, `performance.getEntriesByType('navigation').concat(performance.getEntriesByType('resource')).map(r => new URL(r.name).pathname.replace(/\/p\/[^/]+/, '/p/…') + ' ' + r.transferSize + ' (' + r.decodedBodySize + ')').join('\n')`))
	}
	if firstLoad > 60_000 {
		t.Errorf("first load transferred %d bytes; budget is 60 KB", firstLoad)
	}
	if notes := eval[string](t, ctx, `document.querySelector('[data-testid=plan-notes]').textContent`); !strings.Contains(notes, "left piriformis") {
		t.Fatalf("therapist notes not shown: %q", notes)
	}
	screenshot(t, ctx, "client-today")
	waitFor(t, ctx, 10*time.Second, "service worker active and controlling",
		`navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
	// A reload under the service worker caches the page and the plan.
	within(t, ctx, 20*time.Second, "reload online", chromedp.Reload())
	waitFor(t, ctx, 10*time.Second, "plan rendered again", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	waitFor(t, ctx, 10*time.Second, "plan and images cached",
		`caches.keys().then(async ks => { let page=false, api=false, img=false;
		  for (const k of ks) { const c = await caches.open(k);
		    for (const r of await c.keys()) { const u = new URL(r.url).pathname;
		      if (u === '/p/`+token+`') page = true; if (u === '/api/p/`+token+`') api = true; if (u.startsWith('/img/stretches/')) img = true; } }
		  return page && api && img; })`)

	// The server goes away: the phone is effectively offline.
	ts.shutdown(t)
	within(t, ctx, 20*time.Second, "reload offline", chromedp.Reload())
	waitFor(t, ctx, 10*time.Second, "plan shown offline", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	if name := eval[string](t, ctx, `document.getElementById('app').textContent`); !strings.Contains(name, "Sam") {
		t.Fatalf("offline page does not show the plan: %.200q", name)
	}

	// Guided player: the first stretch runs its whole timer, the rest are skipped.
	within(t, ctx, 5*time.Second, "start routine", chromedp.Click(`[data-testid=start-routine]`), chromedp.WaitVisible(`[data-testid=countdown]`))
	screenshot(t, ctx, "client-player")
	first := eval[string](t, ctx, `document.querySelector('[data-testid=stretch-name]').textContent`)
	if first == "" {
		t.Fatal("no stretch name in the player")
	}
	// Lead-in 5 s + hold 5 s per side: the player moves on by itself.
	waitFor(t, ctx, 30*time.Second, "player moves past the first stretch on its own",
		`(() => { const n = document.querySelector('[data-testid=stretch-name]'); return !!document.querySelector('[data-testid=finish]') || (n && n.textContent !== `+jsString(first)+`); })()`)
	for i := 0; i < 10; i++ {
		if eval[bool](t, ctx, `!!document.querySelector('[data-testid=finish]')`) {
			break
		}
		within(t, ctx, 5*time.Second, "skip", chromedp.Click(`[data-testid=skip]`))
	}
	within(t, ctx, 5*time.Second, "finish screen", chromedp.WaitVisible(`[data-testid=finish]`))
	screenshot(t, ctx, "client-finish")
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid=finish]').textContent`); !strings.Contains(txt, "You did 1 of") {
		t.Fatalf("finish screen: %q", txt)
	}

	// Check-in with an emergency sign → the urgent-care screen, even offline: the phone
	// decides the tier from the clinic content the service worker kept.
	within(t, ctx, 5*time.Second, "open check-in", chromedp.Navigate(planURL+"#/checkin"))
	within(t, ctx, 10*time.Second, "check-in form", chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, ctx, checkInAnswers{Soreness: 5, Back: 4, Leg: 6, Areas: map[string]string{"buttock": "left"}, Feelings: []string{"shooting"},
		Yes: []string{"saddle-numbness"}})
	screenshot(t, ctx, "client-checkin")
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	if !eval[bool](t, ctx, `new Promise(r => setTimeout(() => r(!!document.querySelector('[data-testid=urgent]')), 1500))`) {
		t.Fatalf("no urgent screen after a red-flag check-in; page says: %.600s", eval[string](t, ctx, `document.getElementById('app').innerText`))
	}
	screenshot(t, ctx, "client-urgent")
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid=urgent]').textContent`); !strings.Contains(strings.ToLower(txt), "medical care") {
		t.Fatalf("urgent screen: %q", txt)
	}
	// The plan is in Europe/Berlin: the button dials 112 and says so.
	if call := eval[string](t, ctx, `(() => { const a = document.querySelector('[data-testid=urgent] a[href^="tel:"]'); return a ? a.getAttribute('href') + ' ' + a.textContent : ''; })()`); !strings.HasPrefix(call, "tel:112 Call 112") {
		t.Fatalf("urgent screen call button: %q", call)
	}

	// Back online: the queued completion and check-in reach the server.
	ts.start(t)
	within(t, ctx, 20*time.Second, "reload online again", chromedp.Navigate(planURL))
	deadline := time.Now().Add(20 * time.Second)
	for {
		r := ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...)
		var tp struct {
			Completions []struct{ Done, Total int }
			CheckIns    []struct {
				RedFlags []string
				Areas    []string
			} `json:"checkins"`
		}
		r.json(t, &tp)
		if len(tp.Completions) == 1 && len(tp.CheckIns) == 1 {
			if tp.Completions[0].Done != 1 || len(tp.CheckIns[0].RedFlags) != 1 || tp.CheckIns[0].RedFlags[0] != "saddle-numbness" {
				t.Fatalf("records arrived wrong: %s", r.Body)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("queued records never reached the server: %s", r.Body)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}
