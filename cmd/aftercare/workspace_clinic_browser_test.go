package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// clinicPlans are the plans of the clinic fixture.
type clinicPlans struct {
	sam, noor, lee string // emergency (and a see-doctor flag a colleague handled), see a doctor, still sore
	session        time.Time
}

// clinicFixture makes, through the real API, what a therapist sees before a session: Sam
// (Bo Lind's client) with a week of version-2 check-ins — a see-doctor sign Bo marked
// handled, then an emergency sign nobody has —, PSFS rated twice, stretch sessions on three
// days, a preparation and the next session tomorrow; Noor, with a see-doctor sign sent after
// Sam's emergency, and Lee, still sore two days after the session, sent last (so neither the
// newest first nor the names put Sam on top).
func clinicFixture(t *testing.T, ts *testServer) clinicPlans {
	t.Helper()
	bo := addTherapistWhileRunning(t, ts, "bo@example.org")
	asBo := []string{"Authorization", "Bearer " + bo}
	now := time.Now().UTC()
	session := now.Add(-7*24*time.Hour - 2*time.Hour)
	plan := func(name string, auth []string, next time.Time) string {
		body := fmt.Sprintf(`{"clientName":%q,"routineId":"gentle-sciatica-aftercare","sessionAt":%q,"nextSessionAt":%q,"timeZone":"Europe/Berlin","stretchTime":"19:00","days":14}`,
			name, session.Format(time.RFC3339), next.Format(time.RFC3339))
		r := ts.do(t, "POST", "/api/plans", body, auth...)
		if r.Status != 201 {
			t.Fatalf("create %s's plan: %d %s", name, r.Status, r.Body)
		}
		var out struct{ Token string }
		r.json(t, &out)
		return out.Token
	}
	post := func(token, kind, body string) {
		t.Helper()
		if r := ts.do(t, "POST", "/api/p/"+token+"/"+kind, body); r.Status != 201 {
			t.Fatalf("%s: %d %s", kind, r.Status, r.Body)
		}
	}
	// checkIn is a version-2 check-in at, with the emergency questions answered no unless yes names one.
	checkIn := func(token, id string, at time.Time, leg, back, sore int, extra, emergencyYes, seeDoctorYes string) {
		t.Helper()
		em := []string{}
		for _, f := range []string{"saddle-numbness", "bladder-bowel", "leg-weakness", "both-legs", "foot-drop"} {
			em = append(em, fmt.Sprintf(`%q:%v`, f, f == emergencyYes))
		}
		sd := ""
		if seeDoctorYes != "" {
			sd = fmt.Sprintf(`,"seeDoctor":{%q:true}`, seeDoctorYes)
		}
		post(token, "checkins", fmt.Sprintf(`{"id":%q,"at":%q,"legPain":%d,"backPain":%d,"soreness":%d,"emergency":{%s}%s%s}`,
			id, at.Format(time.RFC3339), leg, back, sore, strings.Join(em, ","), sd, extra))
	}

	sam := plan("Sam", asBo, now.Add(20*time.Hour))
	day := func(i int) time.Time { return session.Add(time.Duration(i+1)*24*time.Hour - 3*time.Hour) }
	week := []struct {
		leg, back, sore, sit int
		extra, em, sd        string
	}{
		{7, 5, 6, 15, `,"areas":[{"area":"buttock","side":"left"},{"area":"foot","side":"left"}],"feelings":["shooting"],"wokeAtNight":true`, "", ""},
		{7, 5, 5, 15, `,"legChange":"same","wokeAtNight":true`, "", ""},
		{6, 4, 4, 20, `,"legChange":"up","wokeAtNight":true`, "", "night-pain"},
		{6, 4, 3, 20, `,"legChange":"up","wokeAtNight":false`, "", ""},
		{5, 4, 2, 25, `,"legChange":"down","wokeAtNight":false`, "both-legs", ""},
		{4, 3, 2, 30, `,"legChange":"up","wokeAtNight":false`, "", ""},
		{3, 3, 1, 40, `,"areas":[{"area":"thigh","side":"left"},{"area":"below-knee","side":"left"}],"feelings":["tingling","burning"],"legChange":"up","wokeAtNight":false,"note":"Walked to the shops without stopping"`, "", ""},
	}
	for i, c := range week {
		if i == 4 {
			// Bo has dealt with the see-doctor sign of day 3 (and everything before).
			if r := ts.do(t, "PATCH", "/api/plans/"+sam, `{"alertsHandled":true}`, asBo...); r.Status != 200 {
				t.Fatalf("mark handled: %d %s", r.Status, r.Body)
			}
		}
		checkIn(sam, fmt.Sprintf("sam-day-%d", i+1), day(i), c.leg, c.back, c.sore, fmt.Sprintf(`,"sitMinutes":%d%s`, c.sit, c.extra), c.em, c.sd)
	}
	post(sam, "psfs", fmt.Sprintf(`{"id":"sam-psfs-1","at":%q,"activities":[{"name":"Sitting through a film","score":3},{"name":"Putting on socks","score":4}]}`, session.Add(time.Hour).Format(time.RFC3339)))
	post(sam, "psfs", fmt.Sprintf(`{"id":"sam-psfs-2","at":%q,"activities":[{"name":"Sitting through a film","score":6},{"name":"Putting on socks","score":5}]}`, now.Add(-time.Hour).Format(time.RFC3339)))
	for _, i := range []int{0, 2, 5} {
		post(sam, "completions", fmt.Sprintf(`{"id":"sam-done-%d","routineId":"gentle-sciatica-aftercare","at":%q,"done":5,"total":5}`, i, day(i).Format(time.RFC3339)))
	}
	post(sam, "preparation", fmt.Sprintf(`{"id":"sam-prep-1","at":%q,"areas":[{"area":"thigh","side":"left"}],"feelings":["tingling"],"worse":["sitting","driving"],"worseNote":"Long drives to work","goals":["less-leg-pain","sit-longer"],"goalsNote":"Sit through meetings","pressure":"too-much","health":["new-medication"],"healthNote":"Started ibuprofen"}`,
		now.Add(-30*time.Minute).Format(time.RFC3339)))

	noor := plan("Noor", ts.auth(), now.Add(5*24*time.Hour))
	checkIn(noor, "noor-check-1", now.Add(-20*time.Minute), 4, 4, 3, "", "", "fever")
	lee := plan("Lee", ts.auth(), now.Add(5*24*time.Hour))
	checkIn(lee, "lee-check-1", now.Add(-10*time.Minute), 2, 2, 8, "", "", "")
	return clinicPlans{sam: sam, noor: noor, lee: lee, session: session}
}

// TestTherapistClinicSummaryInBrowser: before the next session, on 360 and 390 px phones,
// the therapist finds on the plan page one chart of leg and back pain, soreness and PSFS
// with the tiers marked, the latest answers in the client's words, and the warning signs
// with their tier and who handled them; the summary shows the trends, the PSFS change
// (meaningful ones marked), the days stretched and the client's preparation, and prints as
// a clean page; the clients list puts the emergency first, then see a doctor, then still
// sore; and Settings turns on the morning "prepare" alert.
func TestTherapistClinicSummaryInBrowser(t *testing.T) {
	ts := startServer(t)
	plans := clinicFixture(t, ts)
	var sum struct {
		Summary struct {
			Adherence struct{ DaysStretched, Days int }
		}
	}
	ts.do(t, "GET", "/api/plans/"+plans.sam+"/summary", "", ts.auth()...).json(t, &sum)
	if sum.Summary.Adherence.DaysStretched != 3 {
		t.Fatalf("adherence %+v, want 3 days stretched", sum.Summary.Adherence)
	}

	ctx := newBrowser(t)
	within(t, ctx, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=client-row]`))
	text := func(sel string) string {
		t.Helper()
		return eval[string](t, ctx, `[...document.querySelectorAll(`+jsString(sel)+`)].map((e) => e.innerText).join(' | ')`)
	}
	has := func(where, got string, want ...string) {
		t.Helper()
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s lacks %q: %q", where, w, got)
			}
		}
	}

	for _, size := range phoneSizes {
		w := size[0]
		within(t, ctx, 5*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))

		// The clients list: emergency first, visibly unlike see a doctor; then still sore.
		within(t, ctx, 20*time.Second, "clients", chromedp.Navigate(ts.URL+"/therapist#/"), chromedp.WaitVisible(`[data-testid=client-row]`))
		waitFor(t, ctx, 10*time.Second, "three clients", `document.querySelectorAll('[data-testid=client-row]').length === 3`)
		order := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=client-row]')].map((r) => r.querySelector('.name').textContent + ' ' + (r.querySelector('.badge') || {}).textContent)`)
		if strings.Join(order, ", ") != "Sam Emergency, Noor See a doctor, Lee Still sore at 48 h" {
			t.Errorf("%d px: clients list %q", w, order)
		}
		looks := eval[[]string](t, ctx, `['emergency-now', 'see-doctor-soon'].map((c) => { const b = document.querySelector('.badge.' + c); return b ? getComputedStyle(b).backgroundColor + ' ' + getComputedStyle(b).color : 'none'; })`)
		if looks[0] == looks[1] {
			t.Errorf("%d px: the emergency and see-doctor badges look alike (%s)", w, looks[0])
		}
		noSidewaysScroll(t, ctx, fmt.Sprintf("%d px clients", w))
		screenshot(t, ctx, fmt.Sprintf("workspace-clinic-clients-%d", w))

		// The plan page.
		within(t, ctx, 20*time.Second, "plan page", chromedp.Navigate(ts.URL+"/therapist#/plan/"+plans.sam), chromedp.WaitVisible(`[data-testid=chart]`))
		lines := eval[map[string]int](t, ctx, `Object.fromEntries([...document.querySelectorAll('.chart polyline[data-line]')].map((l) => [l.dataset.line, l.points.numberOfItems]))`)
		if lines["legPain"] != 7 || lines["backPain"] != 7 || lines["soreness"] != 7 || lines["psfs"] != 2 || len(lines) != 4 {
			t.Errorf("%d px: chart lines %v, want leg pain, back pain and soreness from 7 check-ins and PSFS from 2 ratings", w, lines)
		}
		if n := eval[[]int](t, ctx, `['emergency-now', 'see-doctor-soon'].map((c) => document.querySelectorAll('.chart .tier-line.' + c).length)`); n[0] != 1 || n[1] != 1 {
			t.Errorf("%d px: tier markers %v, want one emergency and one see-doctor", w, n)
		}
		// Readable on the phone: the chart spans the screen and its numbers are not tiny.
		if got := eval[[]float64](t, ctx, `[document.querySelector('[data-testid=chart]').getBoundingClientRect().width, document.querySelector('.chart .axis').getBoundingClientRect().height]`); got[0] < float64(w)-40 || got[1] < 9 {
			t.Errorf("%d px: chart %.0f px wide with %.1f px numbers", w, got[0], got[1])
		}
		has(fmt.Sprintf("%d px chart legend", w), text(`[data-testid=chart-legend]`), "leg pain", "back pain", "soreness", "PSFS", "Emergency now", "See a doctor within days")
		has(fmt.Sprintf("%d px chart scale", w), text(`[data-testid=chart-scale]`), "lower is better", "higher is better")
		has(fmt.Sprintf("%d px latest answers", w), text(`[data-testid=latest]`), "leg 3 · back 3 · soreness 1", "Thigh (left)", "Below the knee (left)",
			"Tingling", "Burning", "Higher up, closer to my back", "40 min", "“Walked to the shops without stopping”")
		if got := text(`[data-testid=latest-night]`); got != "no" {
			t.Errorf("%d px: woken at night %q", w, got)
		}
		flags := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=flags] > li')].map((li) => li.dataset.tier + ': ' + li.innerText.replace(/\s+/g, ' '))`)
		if len(flags) != 2 || !strings.HasPrefix(flags[0], "emergency-now: Emergency now") || !strings.Contains(flags[0], "both legs") || !strings.Contains(flags[0], "Not handled yet") ||
			!strings.HasPrefix(flags[1], "see-doctor-soon: See a doctor within days") || !strings.Contains(flags[1], "pain at night") || !strings.Contains(flags[1], "by Bo Lind") {
			t.Errorf("%d px: flags %q", w, flags)
		}
		if !eval[bool](t, ctx, `!!document.querySelector('.banner.red-flag') && !!document.querySelector('[data-testid=mark-handled]')`) {
			t.Errorf("%d px: the unhandled emergency has no banner or no Mark as handled", w)
		}
		// The session is tomorrow: the summary is offered on top.
		if !eval[bool](t, ctx, `(() => { const a = document.querySelector('[data-testid=open-summary]'); const r = a && a.getBoundingClientRect();
			return !!a && a.getAttribute('href') === '#/plan/`+plans.sam+`/summary' && r.top < innerHeight && r.height >= 44; })()`) {
			t.Errorf("%d px: the summary is not offered on the first screen of the plan page", w)
		}
		noSidewaysScroll(t, ctx, fmt.Sprintf("%d px plan", w))
		fullScreenshot(t, ctx, fmt.Sprintf("workspace-clinic-plan-%d", w))

		// The summary.
		within(t, ctx, 20*time.Second, "summary", chromedp.Click(`[data-testid=open-summary]`), chromedp.WaitVisible(`[data-testid=summary]`))
		has(fmt.Sprintf("%d px summary heading", w), text(`h1`), "Before Sam’s next session")
		has(fmt.Sprintf("%d px leg trend", w), text(`[data-testid=trend-legPain]`), "7 → 3", "better")
		has(fmt.Sprintf("%d px back trend", w), text(`[data-testid=trend-backPain]`), "5 → 3", "better")
		has(fmt.Sprintf("%d px soreness trend", w), text(`[data-testid=trend-soreness]`), "6 → 1", "better")
		has(fmt.Sprintf("%d px sitting trend", w), text(`[data-testid=trend-sitting]`), "15 min → 40 min", "better")
		psfs := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=psfs] tr')].map((tr) => tr.innerText.replace(/\s+/g, ' ').trim())`)
		if len(psfs) != 3 || !strings.HasPrefix(psfs[0], "Sitting through a film 3 → 6 +3 meaningful") || psfs[1] != "Putting on socks 4 → 5 +1" || !strings.HasPrefix(psfs[2], "Average 3.5 → 5.5 +2 meaningful") {
			t.Errorf("%d px: PSFS rows %q", w, psfs)
		}
		has(fmt.Sprintf("%d px adherence", w), text(`[data-testid=summary-adherence]`), fmt.Sprintf("Stretched on 3 of %d days", sum.Summary.Adherence.Days))
		prep := map[string][]string{
			"where": {"Thigh (left)"}, "feels": {"Tingling"}, "worse": {"Sitting", "Driving", "“Long drives to work”"},
			"goals": {"Less leg pain", "Sit for longer", "“Sit through meetings”"}, "pressure": {"Too much"}, "health": {"A new medicine", "“Started ibuprofen”"},
		}
		for key, want := range prep {
			has(fmt.Sprintf("%d px preparation %s", w, key), text(`[data-testid=prep-`+key+`]`), want...)
		}
		has(fmt.Sprintf("%d px summary flags", w), text(`[data-testid=summary-flags]`), "Emergency now", "Not handled yet", "See a doctor within days", "by Bo Lind")
		noSidewaysScroll(t, ctx, fmt.Sprintf("%d px summary", w))
		fullScreenshot(t, ctx, fmt.Sprintf("workspace-clinic-summary-%d", w))
		if !eval[bool](t, ctx, `(() => { const b = document.querySelector('[data-testid=print-summary]'); const r = b.getBoundingClientRect(); return r.height >= 44 && r.right <= innerWidth; })()`) {
			t.Errorf("%d px: no Print button within reach", w)
		}
	}

	// The printed summary, as Chromium prints it to PDF and poppler reads it: one A4 page,
	// everything above on it, none of the workspace's buttons and menu.
	yes := true
	res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: 8.27, PaperHeight: 11.69, PrintBackground: &yes})
	if err != nil {
		t.Fatalf("print to PDF: %v", err)
	}
	dir := os.Getenv("AFTERCARE_SCREENSHOTS") // to look at it; else a temporary file
	if dir == "" {
		dir = t.TempDir()
	}
	file := filepath.Join(dir, "workspace-clinic-summary.pdf")
	if err := os.WriteFile(file, res.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(runTool(t, "pdfinfo", file)))
	if pages, _ := strconv.Atoi(m[1]); pages != 1 {
		t.Errorf("the summary prints on %d pages, want one", pages)
	}
	// Read in the page's order (-raw: the two printed columns one after the other).
	printed := spaces.ReplaceAllString(string(runTool(t, "pdftotext", "-raw", "-enc", "UTF-8", file, "-")), " ")
	for _, w := range []string{"Before Sam’s next session", "Leg pain 7 → 3", "Sitting through a film 3 → 6 +3 meaningful", "Putting on socks 4 → 5 +1", "Average 3.5 → 5.5 +2 meaningful",
		fmt.Sprintf("Stretched on 3 of %d days", sum.Summary.Adherence.Days), "Thigh (left)", "Long drives to work", "Less leg pain", "Too much", "A new medicine",
		"Started ibuprofen", "Emergency now", "by Bo Lind", "Stratford"} {
		if !strings.Contains(printed, w) {
			t.Errorf("the printed summary lacks %q: %s", w, printed)
		}
	}
	for _, w := range []string{"Back to the plan", "Print", "Settings", "New plan"} {
		if strings.Contains(printed, w) {
			t.Errorf("the printed summary shows the workspace's %q", w)
		}
	}

	// Settings: the morning alert before sessions is off until the therapist turns it on.
	within(t, ctx, 20*time.Second, "settings", chromedp.Navigate(ts.URL+"/therapist#/settings"), chromedp.WaitVisible(`[data-testid=prepare-reminder]`))
	if eval[bool](t, ctx, `document.querySelector('[data-testid=prepare-reminder]').checked`) {
		t.Error("the prepare reminder is on before the therapist chose it")
	}
	within(t, ctx, 10*time.Second, "turn on", chromedp.Click(`label[for=prepare-reminder]`))
	waitFor(t, ctx, 10*time.Second, "saved", `document.querySelector('[data-testid=prepare-reminder]').checked && !document.querySelector('[data-testid=prepare-reminder]').disabled && /on/.test(document.querySelector('label[for=prepare-reminder] ~ [role=status]').textContent)`)
	if !eval[bool](t, ctx, `fetch('/api/session').then((r) => r.json()).then((s) => s.therapist.prepareReminder === true)`) {
		t.Error("the server did not keep the prepare reminder")
	}
	within(t, ctx, 20*time.Second, "settings again", chromedp.Reload(), chromedp.WaitVisible(`[data-testid=prepare-reminder]`))
	if !eval[bool](t, ctx, `document.querySelector('[data-testid=prepare-reminder]').checked`) {
		t.Error("the prepare reminder is off again after a reload")
	}
}
