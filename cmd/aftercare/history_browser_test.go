package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// The plan limits and page size as README documents them (model.MaxCheckIns and friends).
const (
	maxCheckIns       = 500
	maxCompletions    = 500
	completionsPerDay = 40
	pageSize          = 20
)

// seedHistory stops the server, stores check-ins and completions for token
// straight into its database (spread evenly from session to now, like a long
// plan's history), and starts it again. Every fiftieth check-in has a red flag.
func seedHistory(t *testing.T, ts *testServer, token string, session time.Time, checkIns, completions int, note string) {
	t.Helper()
	ts.shutdown(t)
	db, err := store.Open(ts.Data)
	if err != nil {
		t.Fatal(err)
	}
	span := time.Since(session)
	at := func(i, n int) time.Time {
		return session.Add(span * time.Duration(i+1) / time.Duration(n+1)).UTC().Truncate(time.Second)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	work := make(chan int)
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				var err error
				if i < checkIns {
					c := model.CheckIn{ID: fmt.Sprintf("seed-ci-%04d", i), At: at(i, checkIns), Soreness: 2 + i%7, Pain: 1 + i%5,
						Areas: []string{"low-back"}, Feelings: []string{"dull"}, RedFlags: []string{}, Note: note, ReceivedAt: at(i, checkIns).Add(time.Minute)}
					if i%50 == 7 {
						c.RedFlags = []string{model.RedFlagSaddle}
					}
					_, err = db.AddCheckIn(token, c)
				} else {
					j := i - checkIns
					_, err = db.AddCompletion(token, model.Completion{ID: fmt.Sprintf("seed-co-%04d", j), At: at(j, completions),
						RoutineID: "gentle-sciatica-aftercare", Done: 5, Total: 5, ReceivedAt: at(j, completions)})
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for i := range checkIns + completions {
		work <- i
	}
	close(work)
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ts.start(t)
}

// sizes returns the decoded and the gzip-transferred size of a GET.
func (ts *testServer) sizes(t *testing.T, path string, headers ...string) (decoded, wire int) {
	t.Helper()
	r := ts.do(t, "GET", path, "", headers...)
	if r.Status != 200 {
		t.Fatalf("GET %s: %d %s", path, r.Status, r.Body)
	}
	req, _ := http.NewRequest("GET", ts.URL+path, nil)
	req.Header.Set("Accept-Encoding", "gzip") // set by hand: the transport then leaves the body compressed
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	n, _ := io.Copy(io.Discard, resp.Body)
	return len(r.Body), int(n)
}

// A plan at its limits (500 check-ins with 500-character notes, 500
// completions): both plan routes stay small, and the therapist's plan page
// shows the newest 20 check-ins and sessions, with "Show older" loading the
// rest page by page, on a 360 px phone.
func TestTherapistPlanPageWithLongHistoryInBrowser(t *testing.T) {
	ts := startServer(t)
	session := time.Now().Add(-29 * 24 * time.Hour)
	token := ts.createPlan(t, planJSON(session, ""))
	note := strings.Repeat("Tight after sitting at work, eased by a walk. ", 11)[:500]
	seedHistory(t, ts, token, session, maxCheckIns, maxCompletions, note)

	for _, route := range []struct {
		path    string
		headers []string
	}{{"/api/p/" + token, nil}, {"/api/plans/" + token, ts.auth()}, {"/api/plans/" + token + "/series", ts.auth()}} {
		decoded, wire := ts.sizes(t, route.path, route.headers...)
		t.Logf("GET %s with %d check-ins and %d completions: %d bytes (%d gzip)",
			strings.Replace(route.path, token, "{token}", 1), maxCheckIns, maxCompletions, decoded, wire)
		if decoded > 48<<10 {
			t.Errorf("GET %s is %d bytes", route.path, decoded)
		}
	}

	ctx := newBrowser(t)
	within(t, ctx, 20*time.Second, "log in",
		chromedp.EmulateViewport(360, 780, chromedp.EmulateMobile, chromedp.EmulateTouch),
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))
	start := time.Now()
	within(t, ctx, 20*time.Second, "plan page", chromedp.Navigate(ts.URL+"/therapist#/plan/"+token), chromedp.WaitVisible(`[data-testid=checkins]`))
	t.Logf("plan page with %d check-ins on screen after %v", maxCheckIns, time.Since(start).Round(time.Millisecond))
	screenshot(t, ctx, "workspace-plan-long-history")

	rows := func(list string) int {
		return eval[int](t, ctx, `document.querySelectorAll('[data-testid=`+list+`] > li').length`)
	}
	elements := eval[int](t, ctx, `document.getElementsByTagName('*').length`)
	nodes := eval[int](t, ctx, `(() => { let n = 0; const w = document.createTreeWalker(document, NodeFilter.SHOW_ALL); while (w.nextNode()) n++; return n; })()`)
	t.Logf("plan page DOM with %d check-ins and %d completions: %d elements, %d nodes", maxCheckIns, maxCompletions, elements, nodes)
	if got := rows("checkins"); got != pageSize {
		t.Fatalf("%d check-in rows, want the newest %d", got, pageSize)
	}
	if got := rows("completions"); got != pageSize {
		t.Fatalf("%d completion rows, want the newest %d", got, pageSize)
	}
	if nodes > 2000 {
		t.Errorf("the plan page builds %d DOM nodes with a full history", nodes)
	}
	if txt := eval[string](t, ctx, `document.getElementById('main').innerText`); !strings.Contains(txt, fmt.Sprintf("Check-ins (%d)", maxCheckIns)) ||
		!strings.Contains(txt, fmt.Sprintf("Stretch sessions (%d)", maxCompletions)) {
		t.Errorf("headings do not count the whole history: %.400s", txt)
	}
	// The newest red flag (check-in 457, far below the first page) still raises the banner.
	within(t, ctx, 5*time.Second, "red-flag banner", chromedp.WaitVisible(`.banner.red-flag`))
	if w := eval[int](t, ctx, `document.documentElement.scrollWidth`); w > 360 {
		t.Errorf("plan page is %d px wide on a 360 px phone: %s", w, eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 360).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right) + ' ' + (e.textContent || '').slice(0, 40)).join('\n')`))
	}

	// "Show older" appends the next page and moves focus to its first row; after the last page it goes away.
	within(t, ctx, 10*time.Second, "show older", chromedp.Click(`[data-testid=checkins-older]`))
	waitFor(t, ctx, 10*time.Second, "second page of check-ins", `document.querySelectorAll('[data-testid=checkins] > li').length === 40`)
	if !eval[bool](t, ctx, `document.activeElement === document.querySelectorAll('[data-testid=checkins] > li')[20]`) {
		t.Error("focus did not move to the first older check-in")
	}
	if got := rows("words"); got != 2*pageSize {
		t.Errorf("%d rows in their words after two pages, want %d", got, 2*pageSize)
	}
	for pages := 2; pages*pageSize < maxCheckIns; pages++ {
		want := min((pages+1)*pageSize, maxCheckIns)
		within(t, ctx, 10*time.Second, "show older", chromedp.Click(`[data-testid=checkins-older]`))
		waitFor(t, ctx, 10*time.Second, fmt.Sprintf("%d check-ins", want), fmt.Sprintf(`document.querySelectorAll('[data-testid=checkins] > li').length === %d`, want))
	}
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid=checkins-older]')`) {
		t.Error(`"Show older" still offered with every check-in shown`)
	}
	texts := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=checkins] > li')].map(li => li.textContent)`)
	flags := 0
	for _, s := range texts {
		if strings.Contains(s, "red flag") {
			flags++
		}
	}
	if len(texts) != maxCheckIns || flags != maxCheckIns/50 {
		t.Errorf("%d check-in rows with %d red flags, want %d with %d", len(texts), flags, maxCheckIns, maxCheckIns/50)
	}
	within(t, ctx, 10*time.Second, "older sessions", chromedp.Click(`[data-testid=completions-older]`))
	waitFor(t, ctx, 10*time.Second, "second page of sessions", `document.querySelectorAll('[data-testid=completions] > li').length === 40`)
}

// A plan limit's answer is final for the phone: a check-in refused with 409
// (the plan's 500) and a completion refused with 429 (40 today) leave the
// outbox instead of waiting in it, and the client reads why, whether the app
// sent it while they watched or later from the outbox.
func TestPlanLimitAnswersAreFinalForTheOutboxInBrowser(t *testing.T) {
	ts := startServer(t)
	session := time.Now().Add(-10 * 24 * time.Hour)
	token := ts.createPlan(t, planJSON(session, ""))
	seedHistory(t, ts, token, session, maxCheckIns, 0, "")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := time.Now().In(berlin).Format(time.DateOnly)
	for i := range completionsPerDay {
		body := fmt.Sprintf(`{"id":"today-co-%03d","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`, i)
		if r := ts.do(t, "POST", "/api/p/"+token+"/completions", body); r.Status != 201 {
			t.Fatalf("completion %d: %d %s", i, r.Status, r.Body)
		}
	}

	ctx := newBrowser(t)
	planURL := ts.URL + "/p/" + token
	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL))
	waitFor(t, ctx, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
	outbox := func() int {
		return eval[int](t, ctx, `new Promise((ok, fail) => { const r = indexedDB.open('aftercare', 1);
			r.onupgradeneeded = () => r.result.createObjectStore('outbox', { keyPath: 'id' });
			r.onsuccess = () => { const q = r.result.transaction('outbox').objectStore('outbox').count(); q.onsuccess = () => { r.result.close(); ok(q.result); }; };
			r.onerror = () => fail(r.error); })`)
	}

	// While the client watches: the check-in form's answer says why it was not sent.
	within(t, ctx, 10*time.Second, "check-in form", chromedp.Navigate(planURL+"#/checkin"), chromedp.WaitVisible(`[data-testid=submit-checkin]`))
	fillCheckIn(t, ctx, checkInAnswers{Soreness: 3, Back: 2, Leg: 2, LegChange: "same"})
	eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
	waitFor(t, ctx, 10*time.Second, "answer on the result screen", `[...document.querySelectorAll('.status')].some(p => p.textContent.startsWith('Not sent'))`)
	status := eval[string](t, ctx, `[...document.querySelectorAll('.status')].map(p => p.textContent).join(' | ')`)
	if !strings.Contains(status, fmt.Sprintf("%d check-ins", maxCheckIns)) {
		t.Errorf("result screen says %q", status)
	}
	if n := outbox(); n != 0 {
		t.Fatalf("%d items wait in the outbox after a 409 from the plan limit", n)
	}

	// A completion refused with 429 for today is dropped, not queued for a retry.
	res := eval[map[string]any](t, ctx, `import('/app/outbox.js').then(m => m.send(`+jsString(token)+`, 'completions',
		{ id: 'browser-co-over', at: new Date().toISOString(), routineId: 'gentle-sciatica-aftercare', done: 5, total: 5 }))
		.then(r => ({ rejected: !!r.rejected, queued: !!r.queued, status: r.error ? r.error.status : 0, message: r.error ? r.error.message : '' }))`)
	if time.Now().In(berlin).Format(time.DateOnly) != day {
		t.Skip("midnight in Europe/Berlin passed during the test: the daily limit started again")
	}
	if res["rejected"] != true || res["status"] != float64(429) || !strings.Contains(fmt.Sprint(res["message"]), "today") {
		t.Fatalf("send of a completion over the daily limit: %v", res)
	}
	if n := outbox(); n != 0 {
		t.Fatalf("%d items wait in the outbox after a 429 from the plan limit", n)
	}

	// Queued earlier (offline), sent later by the outbox: dropped, and the client is told.
	within(t, ctx, 10*time.Second, "today", chromedp.Navigate(planURL+"#/today"), chromedp.WaitVisible(`[data-testid=start-routine]`))
	eval[bool](t, ctx, `new Promise((ok, fail) => { const r = indexedDB.open('aftercare', 1);
		r.onsuccess = () => { const tx = r.result.transaction('outbox', 'readwrite');
			tx.objectStore('outbox').put({ id: 'queued-ci-0001', token: `+jsString(token)+`, kind: 'checkins', queuedAt: new Date().toISOString(),
				body: { id: 'queued-ci-0001', at: new Date().toISOString(), soreness: 4, pain: 2, areas: [], feelings: [], redFlags: [], note: '' } });
			tx.oncomplete = () => { r.result.close(); window.dispatchEvent(new Event('online')); ok(true); }; tx.onerror = () => fail(tx.error); };
		r.onerror = () => fail(r.error); })`)
	waitFor(t, ctx, 10*time.Second, "notice of the refused check-in", `!!document.querySelector('[data-testid=delivery][data-state=dropped]')`)
	screenshot(t, ctx, "client-refused")
	if txt := eval[string](t, ctx, `document.querySelector('[data-testid=delivery][data-state=dropped]').textContent`); !strings.Contains(txt, "could not be sent") ||
		!strings.Contains(txt, fmt.Sprintf("%d check-ins", maxCheckIns)) {
		t.Errorf("notice says %q", txt)
	}
	if n := outbox(); n != 0 {
		t.Fatalf("%d items wait in the outbox after the outbox met the plan limit", n)
	}
	if r := ts.do(t, "GET", "/api/p/"+token, ""); !strings.Contains(string(r.Body), fmt.Sprintf(`"checkinsTotal":%d`, maxCheckIns)) {
		t.Fatalf("plan after the refusals: %.300s", r.Body)
	}
	// A hash change in the page, as a tap on a link is (chromedp.Navigate to the
	// same document with another fragment can wait for a load that never comes).
	eval[bool](t, ctx, `(location.hash = '#/about', true)`)
	waitFor(t, ctx, 10*time.Second, "the About screen", `location.hash === '#/about' && !!document.querySelector('main h1, h1')`)
	waitFor(t, ctx, 5*time.Second, "notice gone once the client moves on", `!document.querySelector('[data-testid=delivery][data-state=dropped]')`)
}
