package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// checkInAnswers is what fillCheckIn answers on the version-2 check-in form.
type checkInAnswers struct {
	Soreness, Back, Leg int
	// Areas maps each area ticked to its side.
	Areas    map[string]string `json:"areas"`
	Feelings []string          `json:"feelings"`
	// LegChange is answered when the form asks it (not on the first check-in).
	LegChange  string `json:"legChange"`
	SitMinutes string `json:"sitMinutes"`
	// Yes lists the warning-sign questions answered yes; the others that must be answered get no,
	// and the optional one is skipped with its button.
	Yes  []string `json:"yes"`
	Note string   `json:"note"`
}

// fillCheckInJS is a JS function that answers the check-in form as a client would
// (called with the JSON fillCheckIn sends); Chromium's and Firefox's tests use it.
const fillCheckInJS = `((x) => {
	  const tap = (sel) => { const i = document.querySelector(sel); if (!i) throw new Error('missing ' + sel); (i.closest('label') || i).click(); if (!i.checked) throw new Error('not ticked ' + sel); };
	  for (const name of ['soreness', 'backPain', 'legPain']) {
	    const r = document.querySelector('input[type=range][name=' + name + ']');
	    r.value = String(x[name]); r.dispatchEvent(new Event('input', { bubbles: true }));
	  }
	  for (const [area, side] of Object.entries(x.a.areas || {})) { tap('input[name=area][value=' + area + ']'); tap('input[name=area-side-' + area + '][value=' + side + ']'); }
	  for (const f of x.a.feelings || []) tap('input[name=feeling][value=' + f + ']');
	  const leg = document.querySelector('input[name=legChange]');
	  if (leg && x.a.legChange) tap('input[name=legChange][value=' + x.a.legChange + ']');
	  if (x.a.sitMinutes) { const s = document.getElementById('sit'); s.value = x.a.sitMinutes; s.dispatchEvent(new Event('input', { bubbles: true })); }
	  for (const fs of document.querySelectorAll('fieldset.yesno[id^=f-rf-]')) {
	    const id = fs.id.slice(5);
	    if ((x.a.yes || []).includes(id)) tap('input[name=rf-' + id + '][value=yes]');
	    else if (fs.querySelector('.btn-skip')) fs.querySelector('.btn-skip').click();
	    else tap('input[name=rf-' + id + '][value=no]');
	  }
	  if (x.a.note) document.getElementById('note').value = x.a.note;
	  return 'ok';
	})`

// fillCheckIn answers the check-in form like a finger would: taps on the labels, each
// slider set and its input event fired (one slider is also dragged for real by the test).
func fillCheckIn(t *testing.T, ctx context.Context, a checkInAnswers) {
	t.Helper()
	waitFor(t, ctx, 10*time.Second, "check-in form", `!!document.querySelector('[data-testid=submit-checkin]') && !!document.querySelector('input[type=range][name=legPain]')`)
	args, err := json.Marshal(map[string]any{"soreness": a.Soreness, "backPain": a.Back, "legPain": a.Leg, "a": a})
	if err != nil {
		t.Fatal(err)
	}
	got := eval[string](t, ctx, fillCheckInJS+`(`+string(args)+`)`)
	if got != "ok" {
		t.Fatalf("fill check-in: %s", got)
	}
}

// clinicContent is the clinic content the server serves in lang, as the app reads it.
type clinicContent struct {
	Questions []struct {
		ID, Tier, Text, Words, Do string
		Optional                  bool
	}
	Screens []struct {
		Tier, Title, Lead, Call, Told, SafetyNet string
		Steps                                    []string
	}
	Advice  []struct{ ID, Kind, Text string }
	CheckIn struct {
		Soreness, BackPain, LegPain struct{ Question, Low, High string }
		LegChange                   struct{ Question string }
		Skip                        string
	}
	PSFS struct {
		Title, Attribution string
		Examples           []string
		Verdicts           []struct{ ID, Label string }
	}
	Preparation struct {
		Title, DayOfTitle string
		DayOf             []string
	}
}

func loadClinicContent(t *testing.T, ts *testServer, lang string) clinicContent {
	t.Helper()
	r := ts.do(t, "GET", "/api/clinic/"+lang, "")
	if r.Status != 200 {
		t.Fatalf("clinic content %s: %d %s", lang, r.Status, r.Body)
	}
	var c clinicContent
	r.json(t, &c)
	return c
}

func (c clinicContent) screen(t *testing.T, tier string) (title, lead, call, told, safetyNet string, steps []string) {
	t.Helper()
	for _, s := range c.Screens {
		if s.Tier == tier {
			return s.Title, s.Lead, s.Call, s.Told, s.SafetyNet, s.Steps
		}
	}
	t.Fatalf("no %s screen in the clinic content", tier)
	return
}

func (c clinicContent) question(t *testing.T, id string) (text, words, do string) {
	t.Helper()
	for _, q := range c.Questions {
		if q.ID == id {
			return q.Text, q.Words, q.Do
		}
	}
	t.Fatalf("no question %s", id)
	return
}

func (c clinicContent) advice(t *testing.T, id string) string {
	t.Helper()
	for _, a := range c.Advice {
		if a.ID == id {
			return a.Text
		}
	}
	t.Fatalf("no advice %s", id)
	return ""
}

// screenFits fails the test for anything on the screen that runs off its box or the screen
// (the languages test's screenCheck), and for a screen not in lang.
func screenFits(t *testing.T, ctx context.Context, lang, where string) {
	t.Helper()
	r := eval[screenReport](t, ctx, screenCheck)
	if r.Lang != lang {
		t.Errorf("%s: <html lang=%q>, want %q", where, r.Lang, lang)
	}
	for _, b := range r.Bad {
		t.Errorf("%s: %s", where, b)
	}
	fullScreenshot(t, ctx, "clinic-"+strings.NewReplacer(" ", "-", "×", "x", "/", "-").Replace(where))
}

// innerText is the text a client reads in the element sel ("" when there is none).
func innerText(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	return eval[string](t, ctx, `(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? e.innerText : ''; })()`)
}

// TestClinicCheckInOnAPhone fills the version-2 check-in on a phone at 360 and 390 px: a
// plain check-in shows the server's advice in plain words (the first check-in does not
// ask where the leg symptoms moved; the next one does), a see-doctor answer the calmer
// screen with its steps and the safety net, an emergency answer the "Get medical care now"
// screen with the call button, what the client told us and the steps, and every check-in
// reaches the therapist with its answers.
func TestClinicCheckInOnAPhone(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	c := loadClinicContent(t, ts, "en")
	en := catalog(t, ts, "en")
	for _, size := range phoneSizes {
		at := fmt.Sprintf("%d×%d", size[0], size[1])
		t.Run(at, func(t *testing.T) {
			within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
			token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
			planURL := ts.URL + "/p/" + token
			within(t, ctx, 20*time.Second, "open check-in", chromedp.Navigate(planURL+"#/checkin"))
			waitFor(t, ctx, 10*time.Second, "check-in form", `document.documentElement.dataset.ready === "1" && !!document.querySelector('input[type=range][name=legPain]')`)

			// Every question is the clinic content's; the first check-in has no "did it move" question.
			form := innerText(t, ctx, "form")
			for _, want := range []string{c.CheckIn.Soreness.Question, c.CheckIn.BackPain.Question, c.CheckIn.LegPain.Question,
				"0 = " + c.CheckIn.LegPain.Low, "10 = " + c.CheckIn.LegPain.High, c.CheckIn.Skip} {
				if !strings.Contains(form, want) {
					t.Errorf("the form does not say %q", want)
				}
			}
			for _, q := range c.Questions {
				if !strings.Contains(form, q.Text) {
					t.Errorf("the form does not ask %q", q.Text)
				}
			}
			if strings.Contains(form, c.CheckIn.LegChange.Question) {
				t.Error("the first check-in asks where the leg symptoms moved since the last one")
			}
			// Nothing chosen: the form says what is missing and sends nothing.
			eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
			if got := innerText(t, ctx, ".form-error"); !strings.Contains(got, text(t, en, "checkin.missing.legPain")) {
				t.Errorf("missing answers: %q", got)
			}
			screenFits(t, ctx, "en", "check-in "+at)

			// A real drag on the leg-pain slider, as a thumb would: it lands on the value under it.
			eval[bool](t, ctx, `(document.querySelector('input[name=legPain]').scrollIntoView({block: 'center'}), true)`)
			box := eval[[]float64](t, ctx, `(() => { const r = document.querySelector('input[name=legPain]').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })()`)
			x := box[0] + 20 + (box[2]-40)*7/10 // the thumb is 40 px wide: its centre runs from 20 px in
			within(t, ctx, 5*time.Second, "tap the slider", chromedp.MouseClickXY(x, box[1]+box[3]/2))
			if got := eval[string](t, ctx, `document.querySelector('input[name=legPain]').value + ' ' + document.querySelector('input[name=legPain]').classList.contains('unset')`); got != "7 false" {
				t.Errorf("after a tap at 7 the slider says %q", got)
			}

			// A plain check-in: the server's advice, in plain words, styled by kind.
			fillCheckIn(t, ctx, checkInAnswers{Soreness: 4, Back: 3, Leg: 2, Areas: map[string]string{"buttock": "left", "below-knee": "left"},
				Feelings: []string{"tingling"}, SitMinutes: "45"})
			within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 10*time.Second, "advice", `!!document.querySelector('[data-testid=checkin-done] [data-testid=advice] li')`)
			kinds := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=advice] li')].map((li) => li.dataset.id + ' ' + li.className + ' ' + li.textContent)`)
			if len(kinds) != 1 || kinds[0] != "soreness-normal advice advice-reassure "+c.advice(t, "soreness-normal") {
				t.Errorf("advice for normal soreness: %q", kinds)
			}
			sent := strings.ReplaceAll(text(t, en, "advice.status.sent"), "{{.Therapist}}", "Ana Ruiz")
			waitFor(t, ctx, 5*time.Second, "sent", `[...document.querySelectorAll('.status')].some((p) => p.textContent === `+jsString(sent)+`)`)
			screenFits(t, ctx, "en", "advice "+at)

			// A see-doctor answer: the calmer screen, and the next check-in asks where the leg symptoms went.
			eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
			waitFor(t, ctx, 10*time.Second, "second check-in", `!!document.querySelector('input[name=legChange]')`)
			fillCheckIn(t, ctx, checkInAnswers{Soreness: 3, Back: 4, Leg: 5, Areas: map[string]string{"thigh": "right"}, LegChange: "down", Yes: []string{"night-pain"}})
			within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 10*time.Second, "see-doctor screen", `!!document.querySelector('[data-testid=doctor]')`)
			title, lead, _, told, safetyNet, steps := c.screen(t, "see-doctor-soon")
			_, words, _ := c.question(t, "night-pain")
			doctor := innerText(t, ctx, "[data-testid=doctor]")
			for _, want := range append([]string{title, lead, words, safetyNet}, steps...) {
				if !strings.Contains(doctor, want) {
					t.Errorf("the see-doctor screen does not say %q:\n%s", want, doctor)
				}
			}
			_, emergencyWords, _ := c.question(t, "saddle-numbness")
			if !strings.Contains(innerText(t, ctx, "[data-testid=safety-net]"), emergencyWords) {
				t.Error("the safety net does not list the emergency signs")
			}
			if eval[bool](t, ctx, `!!document.querySelector('[data-testid=urgent]') || document.body.dataset.screen !== 'doctor'`) {
				t.Error("a see-doctor answer shows the emergency screen")
			}
			// The server tells the therapist, and the symptoms moving down the leg add advice to call them.
			waitFor(t, ctx, 10*time.Second, "told, with the server's advice", `[...document.querySelectorAll('.status')].some((p) => p.textContent === `+jsString(told)+`) && !!document.querySelector('[data-testid=doctor] .advice-contact')`)
			if got := innerText(t, ctx, "[data-testid=doctor] .advice-contact"); got != c.advice(t, "leg-moving-down") {
				t.Errorf("advice on the see-doctor screen: %q", got)
			}
			screenFits(t, ctx, "en", "see a doctor "+at)

			// An emergency answer: the emergency screen at once, with the call button.
			eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
			waitFor(t, ctx, 10*time.Second, "third check-in", `!!document.querySelector('input[name=legChange]')`)
			fillCheckIn(t, ctx, checkInAnswers{Soreness: 2, Back: 6, Leg: 8, Areas: map[string]string{"foot": "both"}, LegChange: "same", Yes: []string{"saddle-numbness", "fever"}})
			within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 5*time.Second, "emergency screen", `!!document.querySelector('[data-testid=urgent]')`)
			title, lead, call, told, _, steps := c.screen(t, "emergency-now")
			urgent := innerText(t, ctx, "[data-testid=urgent]")
			for _, want := range append([]string{title, lead, emergencyWords}, steps...) {
				if !strings.Contains(urgent, want) {
					t.Errorf("the emergency screen does not say %q:\n%s", want, urgent)
				}
			}
			if got := innerText(t, ctx, "[data-testid=told-us]"); got != emergencyWords {
				t.Errorf("the emergency screen lists %q, want only what the client told us", got)
			}
			if href := eval[string](t, ctx, `document.querySelector('[data-testid=urgent] [data-testid=call]').getAttribute('href') + ' ' + document.querySelector('[data-testid=call]').textContent`); href != "tel:112 "+strings.ReplaceAll(call, "{number}", "112") {
				t.Errorf("call button: %q", href)
			}
			waitFor(t, ctx, 10*time.Second, "therapist told", `document.querySelector('[data-testid=urgent] .status').textContent === `+jsString(told))
			screenFits(t, ctx, "en", "emergency "+at)

			// The therapist has all three, in the client's words.
			var tp struct {
				Clinic struct {
					Latest struct {
						LegPain   int
						LegChange string
						Areas     []struct{ Area, Side string }
					}
					Flags []struct{ Tier string }
				}
			}
			ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &tp)
			if tp.Clinic.Latest.LegPain != 8 || tp.Clinic.Latest.LegChange != "same" || len(tp.Clinic.Latest.Areas) != 1 || tp.Clinic.Latest.Areas[0].Side != "both" {
				t.Errorf("latest check-in on the therapist's side: %+v", tp.Clinic.Latest)
			}
			if len(tp.Clinic.Flags) != 2 || tp.Clinic.Flags[0].Tier != "emergency-now" || tp.Clinic.Flags[1].Tier != "see-doctor-soon" {
				t.Errorf("flags on the therapist's side: %+v", tp.Clinic.Flags)
			}
		})
	}
}

// TestClinicEmergencyBeforeTheFormIsDone: a yes to an emergency question shows the emergency
// screen at once even with the rest of the form unanswered, and sends the warning signs to the
// therapist at once (a partial check-in: their plan view has the emergency flag before the form
// is finished, and the screen says they were told). The form kept its answers; finishing it sends
// one complete check-in with its own id: two in the history, the partial one never twice, even
// after going back to the screen with the form still unfinished. At 360 and 390 px.
func TestClinicEmergencyBeforeTheFormIsDone(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	en := catalog(t, ts, "en")
	c := loadClinicContent(t, ts, "en")
	_, _, _, told, _, _ := c.screen(t, "emergency-now")
	type history struct {
		Checkins []struct {
			ID       string
			Partial  bool
			Soreness int
			RedFlags []string
		}
		CheckinsTotal int
		Clinic        struct {
			Latest *struct{ ID string }
			Flags  []struct{ CheckInID, Tier string }
		}
	}
	planView := func(t *testing.T, token string) history {
		t.Helper()
		var tp history
		ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &tp)
		return tp
	}
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/therapist/subscription", subscriptionJSON(ep, key, auth), ts.auth()...); r.Status >= 300 {
		t.Fatalf("therapist device: %d %s", r.Status, r.Body)
	}
	alerted := func(token string) bool {
		for _, m := range ts.Push.Received() {
			var p struct{ URL string }
			if json.Unmarshal(m.Payload, &p) == nil && p.URL == "/therapist#/plan/"+token {
				return true
			}
		}
		return false
	}
	for _, size := range phoneSizes {
		at := fmt.Sprintf("%d×%d", size[0], size[1])
		t.Run(at, func(t *testing.T) {
			within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
			token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
			within(t, ctx, 20*time.Second, "open check-in", chromedp.Navigate(ts.URL+"/p/"+token+"#/checkin"))
			waitFor(t, ctx, 10*time.Second, "check-in form", `document.documentElement.dataset.ready === "1" && !!document.querySelector('input[name=rf-bladder-bowel]')`)
			tick(t, ctx, `input[name=rf-bladder-bowel][value=yes]`)
			within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 5*time.Second, "emergency screen", `!!document.querySelector('[data-testid=urgent] [data-testid=call]')`)
			if got, want := innerText(t, ctx, "[data-testid=unfinished]"), strings.ReplaceAll(text(t, en, "urgent.status.unfinished"), "{{.Therapist}}", "Ana Ruiz"); got != want {
				t.Errorf("unfinished notice %q, want %q", got, want)
			}
			// The therapist hears of it now, not when the form is done.
			waitFor(t, ctx, 10*time.Second, "told", `(document.querySelector('[data-testid=urgent] .status[role=status]') || {}).textContent === `+jsString(told))
			tp := planView(t, token)
			if len(tp.Clinic.Flags) != 1 || tp.Clinic.Flags[0].Tier != "emergency-now" {
				t.Fatalf("the therapist's flags before the form is finished: %+v", tp.Clinic.Flags)
			}
			if tp.CheckinsTotal != 1 || !tp.Checkins[0].Partial || strings.Join(tp.Checkins[0].RedFlags, ",") != "bladder-bowel" || tp.Clinic.Latest != nil {
				t.Fatalf("the therapist's history before the form is finished: %+v", tp)
			}
			partialID := tp.Checkins[0].ID
			for deadline := time.Now().Add(10 * time.Second); !alerted(token) && time.Now().Before(deadline); {
				time.Sleep(50 * time.Millisecond)
			}
			if !alerted(token) {
				t.Fatal("the therapist's device was not alerted before the form was finished")
			}
			screenFits(t, ctx, "en", "emergency before the form is done "+at)

			// Back to the form, still unfinished, and the screen again: nothing sent twice.
			within(t, ctx, 10*time.Second, "back to the form", chromedp.Click(`[data-testid=finish-checkin]`))
			waitFor(t, ctx, 5*time.Second, "the form, as it was", `!!document.querySelector('input[name=rf-bladder-bowel][value=yes]:checked')`)
			within(t, ctx, 10*time.Second, "submit unfinished again", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 5*time.Second, "emergency screen again", `!!document.querySelector('[data-testid=urgent] [data-testid=finish-checkin]')`)
			within(t, ctx, 10*time.Second, "back to the form", chromedp.Click(`[data-testid=finish-checkin]`))
			waitFor(t, ctx, 5*time.Second, "the form, as it was", `!!document.querySelector('input[name=rf-bladder-bowel][value=yes]:checked')`)

			fillCheckIn(t, ctx, checkInAnswers{Soreness: 1, Back: 2, Leg: 3, Yes: []string{"bladder-bowel"}})
			within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
			waitFor(t, ctx, 10*time.Second, "told", `!!document.querySelector('[data-testid=urgent] .status') && !document.querySelector('[data-testid=unfinished]')`)
			deadline := time.Now().Add(10 * time.Second)
			for tp = planView(t, token); tp.CheckinsTotal < 2 && time.Now().Before(deadline); tp = planView(t, token) {
				time.Sleep(200 * time.Millisecond)
			}
			if tp.CheckinsTotal != 2 || len(tp.Checkins) != 2 || tp.Checkins[0].Partial || tp.Checkins[0].ID == partialID || tp.Checkins[0].Soreness != 1 ||
				tp.Checkins[1].ID != partialID || !tp.Checkins[1].Partial {
				t.Fatalf("history after finishing: %+v (want the complete one, then the partial %s)", tp, partialID)
			}
			if tp.Clinic.Latest == nil || tp.Clinic.Latest.ID != tp.Checkins[0].ID || len(tp.Clinic.Flags) != 2 {
				t.Fatalf("the therapist's view after finishing: %+v", tp.Clinic)
			}
			// Opening the form again is a fresh one, and sends nothing by itself.
			within(t, ctx, 10*time.Second, "reopen the form", chromedp.Navigate(ts.URL+"/p/"+token+"#/checkin"))
			waitFor(t, ctx, 10*time.Second, "a fresh form", `document.documentElement.dataset.ready === "1" && !document.querySelector('input[name=rf-bladder-bowel]:checked')`)
			if got := innerText(t, ctx, "main"); strings.Contains(got, "undefined") {
				t.Errorf("the form reads undefined: %.300s", got)
			}
			if n := planView(t, token).CheckinsTotal; n != 2 {
				t.Fatalf("%d check-ins after reopening, want 2", n)
			}

			// The therapist's plan page: the partial check-in reads "warning signs only", not zeros.
			if size == phoneSizes[0] {
				within(t, ctx, 20*time.Second, "log in",
					chromedp.Navigate(ts.URL+"/therapist"),
					chromedp.WaitVisible(`[data-testid=login]`),
					chromedp.SendKeys(`#email`, "ana@example.org"),
					chromedp.SendKeys(`#password`, "correct horse battery"),
					chromedp.Click(`[data-testid=login]`),
					chromedp.WaitVisible(`[data-testid=new-plan]`))
			}
			within(t, ctx, 20*time.Second, "plan page", chromedp.Navigate(ts.URL+"/therapist#/plan/"+token), chromedp.WaitVisible(`[data-testid=checkins] > li`))
			rows := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=checkins] > li')].map((li) => li.textContent)`)
			ws := workspaceCatalog(t, ts, "en")
			if len(rows) != 2 || !strings.Contains(rows[1], strings.TrimPrefix(text(t, ws, "plan.checkinRowPartial"), "{{.When}}")) || strings.Contains(rows[1], "soreness 0") ||
				!strings.Contains(rows[0], "soreness 1") {
				t.Errorf("the therapist's check-in rows: %q", rows)
			}
			screenFits(t, ctx, "en", "plan page with a partial check-in "+at)
		})
	}
}

// TestClinicEmergencyBeforeTheFormIsDoneOffline: with the server out of reach the emergency
// screen says the warning signs are waiting to be sent (with the call button), and the outbox
// delivers the partial check-in first once the server is back. Today does not read it as a
// check-in with numbers.
func TestClinicEmergencyBeforeTheFormIsDoneOffline(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)
	waitFor(t, ctx, 15*time.Second, "clinic content kept for offline",
		`caches.keys().then(async (ks) => { for (const k of ks) { const c = await caches.open(k);
		  if ((await c.keys()).some((r) => new URL(r.url).pathname.startsWith('/api/clinic/'))) return true; } return false; })`)
	proxy.set(proxyDrop)
	eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
	waitFor(t, ctx, 10*time.Second, "check-in form", `!!document.querySelector('input[name=rf-foot-drop]')`)
	tick(t, ctx, `input[name=rf-foot-drop][value=yes]`)
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	waitFor(t, ctx, 10*time.Second, "emergency screen", `!!document.querySelector('[data-testid=urgent] [data-testid=call]')`)
	waitFor(t, ctx, 30*time.Second, "waiting to be sent", `(document.querySelector('[data-testid=urgent] [data-testid=delivery]') || {dataset: {}}).dataset.state === 'waiting' && !!document.querySelector('[data-testid=delivery] .btn-call')`)
	waitFor(t, ctx, 5*time.Second, "the partial check-in in the outbox", outboxCount+`.then((n) => n === 1)`)
	proxy.set(proxyUp)
	eval[bool](t, ctx, `(window.dispatchEvent(new Event('online')), true)`)
	waitFor(t, ctx, 20*time.Second, "sent", outboxCount+`.then((n) => n === 0)`)
	var tp struct {
		CheckinsTotal int
		Clinic        struct{ Flags []struct{ Tier string } }
	}
	ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &tp)
	if tp.CheckinsTotal != 1 || len(tp.Clinic.Flags) != 1 || tp.Clinic.Flags[0].Tier != "emergency-now" {
		t.Fatalf("after the outbox delivered: %+v", tp)
	}
	eval[bool](t, ctx, `(location.hash = '#/today', true)`)
	waitFor(t, ctx, 10*time.Second, "today", `!!document.querySelector('[data-testid=start-routine]')`)
	if got := innerText(t, ctx, "main"); strings.Contains(got, "undefined") || strings.Contains(got, "Last check-in") {
		t.Errorf("the partial check-in reads as a check-in on Today: %.400s", got)
	}
}

// TestClinicPSFSAndPrepareOnAPhone: Today offers the everyday-activities rating on the first
// open; the client names two activities and rates them (the authors' attribution shown);
// a week later rates them again, swapping one, and a rise of 3 points shows as a real
// change. The day before the next session Today highlights "Prepare for your session";
// the form is filled and sent, with the day-of advice, and the therapist's summary has it.
func TestClinicPSFSAndPrepareOnAPhone(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	c := loadClinicContent(t, ts, "en")
	en := catalog(t, ts, "en")
	for i, size := range phoneSizes {
		at := fmt.Sprintf("%d×%d", size[0], size[1])
		t.Run(at, func(t *testing.T) {
			within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
			// The next session is tomorrow: the preparation is due.
			session := time.Now().Add(-6*24*time.Hour - 2*time.Hour)
			token := ts.createPlan(t, planJSON(session, ""))
			planURL := ts.URL + "/p/" + token
			within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL+"#/today"))
			waitFor(t, ctx, 10*time.Second, "today", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
			if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=psfs-card]') && !!document.querySelector('[data-testid=prepare-card].card-accent')`) {
				t.Fatalf("Today offers neither the rating nor the preparation: %s", innerText(t, ctx, "main"))
			}
			screenFits(t, ctx, "en", "today with psfs and prepare "+at)

			// First rating: two activities named, each rated.
			within(t, ctx, 10*time.Second, "open psfs", chromedp.Click(`[data-testid=open-psfs]`))
			waitFor(t, ctx, 10*time.Second, "psfs form", `!!document.querySelector('[data-testid=psfs-name-1]')`)
			page := innerText(t, ctx, "[data-testid=psfs]")
			for _, want := range []string{c.PSFS.Title, c.PSFS.Attribution, c.PSFS.Examples[0]} {
				if !strings.Contains(page, want) {
					t.Errorf("the rating does not say %q", want)
				}
			}
			rate := func(n int, name string, score int) {
				t.Helper()
				eval[bool](t, ctx, fmt.Sprintf(`(() => { const i = document.querySelector('[data-testid=psfs-name-%d]'); if (%q && !i.hidden) i.value = %q;
				  const r = document.querySelector('input[name=psfs-%d]'); r.value = '%d'; r.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`, n, name, name, n, score))
			}
			rate(1, "Sitting through a film", 3)
			rate(2, "Putting on socks", 5)
			screenFits(t, ctx, "en", "psfs first "+at)
			within(t, ctx, 10*time.Second, "save", chromedp.Click(`[data-testid=submit-psfs]`))
			waitFor(t, ctx, 10*time.Second, "starting point", `(document.querySelector('[data-testid=psfs-change]') || {}).textContent === `+jsString(text(t, en, "psfs.start")))
			if !strings.Contains(innerText(t, ctx, "main"), c.PSFS.Attribution) {
				t.Error("no attribution after the rating")
			}

			// Again: the same activities, one swapped; the film goes from 3 to 6.
			within(t, ctx, 20*time.Second, "reopen", chromedp.Navigate(planURL+"#/psfs"), chromedp.Reload())
			waitFor(t, ctx, 10*time.Second, "psfs again", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=psfs-activity-1]')`)
			if got := eval[string](t, ctx, `[...document.querySelectorAll('.activity-name')].map((p) => p.textContent).join(', ')`); got != "Sitting through a film, Putting on socks" {
				t.Errorf("the activities named before: %q", got)
			}
			within(t, ctx, 5*time.Second, "swap one", chromedp.Click(`[data-testid=psfs-change-2]`))
			if eval[int](t, ctx, `document.querySelectorAll('[data-testid^=psfs-change-]').length`) != 0 {
				t.Error("more than one activity may be swapped")
			}
			rate(1, "", 6)
			rate(2, "Walking to the shops", 4)
			screenFits(t, ctx, "en", "psfs again "+at)
			within(t, ctx, 10*time.Second, "save", chromedp.Click(`[data-testid=submit-psfs]`))
			waitFor(t, ctx, 10*time.Second, "the change", `!!document.querySelector('[data-testid=psfs-average]')`)
			better := ""
			for _, v := range c.PSFS.Verdicts {
				if v.ID == "better" {
					better = v.Label
				}
			}
			changes := eval[[]string](t, ctx, `[...document.querySelectorAll('.psfs-changes li')].map((li) => li.dataset.meaningful + ' ' + li.innerText.replace(/\s+/g, ' '))`)
			if len(changes) != 1 || changes[0] != "true Sitting through a film: 3 → 6 "+better {
				t.Errorf("the change per activity: %q", changes)
			}
			if got := eval[string](t, ctx, `document.querySelector('[data-testid=psfs-average]').dataset.meaningful + ' ' + document.querySelector('[data-testid=psfs-average]').innerText.replace(/\s+/g, ' ')`); got != "true On average: 3 → 6 "+better {
				t.Errorf("the average change: %q", got)
			}
			screenFits(t, ctx, "en", "psfs change "+at)

			// Prepare for the session, from Today's highlighted card.
			within(t, ctx, 20*time.Second, "today", chromedp.Navigate(planURL+"#/today"))
			within(t, ctx, 10*time.Second, "open prepare", chromedp.Click(`[data-testid=prepare-card] [data-testid=open-prepare]`))
			waitFor(t, ctx, 10*time.Second, "prepare form", `!!document.querySelector('[data-testid=submit-prepare]')`)
			for _, want := range append([]string{c.Preparation.Title, c.Preparation.DayOfTitle}, c.Preparation.DayOf...) {
				if !strings.Contains(innerText(t, ctx, "[data-testid=prepare]"), want) {
					t.Errorf("the preparation does not say %q", want)
				}
			}
			tick(t, ctx, `input[name=prep-area][value=buttock]`, `input[name=prep-area-side-buttock][value=right]`, `input[name=prep-feeling][value=shooting]`,
				`input[name=prep-worse][value=sitting]`, `input[name=prep-goals][value=less-leg-pain]`, `input[name=prep-pressure][value=too-much]`,
				`input[name=prep-health][value=new-medication]`, `input[name=prep-health][value=nothing-new]`)
			if eval[bool](t, ctx, `document.querySelector('input[name=prep-health][value=new-medication]').checked`) {
				t.Error("\"Nothing new\" stays ticked together with a new item")
			}
			tick(t, ctx, `input[name=prep-health][value=new-medication]`)
			eval[bool](t, ctx, `(document.getElementById('prep-goals-note').value = 'Sleep through the night', true)`)
			screenFits(t, ctx, "en", "prepare "+at)
			within(t, ctx, 10*time.Second, "send", chromedp.Click(`[data-testid=submit-prepare]`))
			waitFor(t, ctx, 10*time.Second, "sent", `(document.querySelector('[data-testid=prepare-status]') || {}).textContent === `+jsString(strings.ReplaceAll(text(t, en, "advice.status.sent"), "{{.Therapist}}", "Ana Ruiz")))
			if !strings.Contains(innerText(t, ctx, "main"), c.Preparation.DayOf[0]) {
				t.Error("no day-of advice after sending")
			}
			screenFits(t, ctx, "en", "prepared "+at)

			var sum struct {
				Summary struct {
					Preparation struct {
						Areas                []struct{ Area, Side string }
						Worse, Goals, Health []string
						GoalsNote, Pressure  string
					}
					PSFS *struct{ AverageChange float64 }
				}
			}
			ts.do(t, "GET", "/api/plans/"+token+"/summary", "", ts.auth()...).json(t, &sum)
			p := sum.Summary.Preparation
			if len(p.Areas) != 1 || p.Areas[0].Side != "right" || p.Pressure != "too-much" || strings.Join(p.Health, ",") != "new-medication" || p.GoalsNote != "Sleep through the night" {
				t.Errorf("the therapist's summary has the preparation as %+v", p)
			}
			if sum.Summary.PSFS == nil || math.Abs(sum.Summary.PSFS.AverageChange-3) > 0.01 {
				t.Errorf("the therapist's summary has the PSFS change as %+v", sum.Summary.PSFS)
			}
			// Prepared: Today no longer highlights it.
			within(t, ctx, 20*time.Second, "today again", chromedp.Navigate(planURL+"#/today"), chromedp.Reload())
			waitFor(t, ctx, 10*time.Second, "today", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
			if eval[bool](t, ctx, `!!document.querySelector('[data-testid=prepare-card]')`) {
				t.Error("Today still highlights the preparation after it was sent")
			}
			_ = i
		})
	}
}

// TestClinicCheckInInGerman: a German plan's check-in, tier screens, PSFS and preparation
// read the clinic content the server serves in German and the app's German words, at 360 px.
func TestClinicCheckInInGerman(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	c := loadClinicContent(t, ts, "de")
	de := catalog(t, ts, "de")
	within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"de"`))
	planURL := ts.URL + "/p/" + token
	within(t, ctx, 20*time.Second, "open check-in", chromedp.Navigate(planURL+"#/checkin"))
	waitFor(t, ctx, 10*time.Second, "check-in form", `document.documentElement.dataset.ready === "1" && !!document.querySelector('input[name=legPain]')`)
	form := innerText(t, ctx, "form")
	for _, want := range []string{text(t, de, "checkin.group.pain"), text(t, de, "checkin.group.health"), text(t, de, "checkin.submit"), c.CheckIn.LegPain.Question, c.Questions[0].Text} {
		if !strings.Contains(form, want) {
			t.Errorf("the German form does not say %q", want)
		}
	}
	if got := eval[string](t, ctx, `document.querySelector('input[name=legPain]').getAttribute('aria-valuetext')`); got != text(t, de, "checkin.scale.unset") {
		t.Errorf("an untouched slider says %q", got)
	}
	screenFits(t, ctx, "de", "check-in de")

	fillCheckIn(t, ctx, checkInAnswers{Soreness: 2, Back: 2, Leg: 1, Yes: []string{"weight-loss"}})
	within(t, ctx, 10*time.Second, "submit check-in", chromedp.Click(`[data-testid=submit-checkin]`))
	waitFor(t, ctx, 10*time.Second, "see-doctor screen", `!!document.querySelector('[data-testid=doctor]')`)
	title, _, _, told, _, _ := c.screen(t, "see-doctor-soon")
	waitFor(t, ctx, 10*time.Second, "told", `[...document.querySelectorAll('.status')].some((p) => p.textContent === `+jsString(told)+`)`)
	if got := innerText(t, ctx, "h1"); got != title {
		t.Errorf("see-doctor title %q, want %q", got, title)
	}
	if got := innerText(t, ctx, "[data-testid=doctor] > a.btn-primary"); got != text(t, de, "advice.backToToday") {
		t.Errorf("back button %q", got)
	}
	if got := eval[string](t, ctx, `document.title`); got != text(t, de, "app.title.doctor")+" · aftercare" {
		t.Errorf("page title %q", got)
	}
	screenFits(t, ctx, "de", "see a doctor de")

	within(t, ctx, 20*time.Second, "today", chromedp.Navigate(planURL+"#/today"))
	waitFor(t, ctx, 10*time.Second, "psfs offered", `!!document.querySelector('[data-testid=psfs-card]')`)
	if got := innerText(t, ctx, "[data-testid=open-psfs]"); got != text(t, de, "today.psfs.button") {
		t.Errorf("PSFS button %q", got)
	}
	within(t, ctx, 10*time.Second, "open psfs", chromedp.Click(`[data-testid=open-psfs]`))
	waitFor(t, ctx, 10*time.Second, "psfs form", `!!document.querySelector('[data-testid=submit-psfs]')`)
	if got := innerText(t, ctx, "[data-testid=submit-psfs]"); got != text(t, de, "psfs.submit") {
		t.Errorf("PSFS save button %q", got)
	}
	if !strings.Contains(innerText(t, ctx, "[data-testid=psfs]"), c.PSFS.Attribution) {
		t.Error("no attribution on the German rating")
	}
	screenFits(t, ctx, "de", "psfs de")

	within(t, ctx, 20*time.Second, "prepare", chromedp.Navigate(planURL+"#/prepare"))
	waitFor(t, ctx, 10*time.Second, "prepare form", `!!document.querySelector('[data-testid=submit-prepare]')`)
	if got := innerText(t, ctx, "h1"); got != c.Preparation.Title {
		t.Errorf("preparation title %q, want %q", got, c.Preparation.Title)
	}
	if got := innerText(t, ctx, "[data-testid=submit-prepare]"); got != text(t, de, "prepare.submit") {
		t.Errorf("preparation send button %q", got)
	}
	screenFits(t, ctx, "de", "prepare de")
	within(t, ctx, 20*time.Second, "emergency screen", chromedp.Navigate(planURL+"#/urgent"))
	waitFor(t, ctx, 10*time.Second, "emergency screen", `!!document.querySelector('[data-testid=urgent] [data-testid=call]')`)
	if title, _, _, _, _, _ := c.screen(t, "emergency-now"); innerText(t, ctx, "h1") != title {
		t.Errorf("emergency title %q, want %q", innerText(t, ctx, "h1"), title)
	}
	screenFits(t, ctx, "de", "emergency de")
}

// notClinicContent drops from english the texts that the clinic content served in lang
// contains: those words are the clinic content's (translated behind clinic.TextsIn, and
// checked there), not the app's, and until a language's translation lands they are English.
func notClinicContent(t *testing.T, ts *testServer, lang string, english []string) []string {
	t.Helper()
	r := ts.do(t, "GET", "/api/clinic/"+lang, "")
	var doc any
	r.json(t, &doc)
	var b strings.Builder
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			b.WriteString(x + "\n")
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(doc)
	words := b.String()
	var out []string
	for _, w := range english {
		if !containsWord(words, w) {
			out = append(out, w)
		}
	}
	return out
}

// TestQueuedVersion1CheckInStillDelivers: a red-flag check-in the version-1 form left in a
// phone's outbox before the app changed is still sent first, as it is, and the therapist
// gets it with its red flag; until then the notice offers the call.
func TestQueuedVersion1CheckInStillDelivers(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), ""))
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)
	proxy.set(proxyDrop) // the phone reopens the app while the server is out of reach
	eval[bool](t, ctx, `new Promise((ok, fail) => { const r = indexedDB.open('aftercare', 1);
		r.onsuccess = () => { const tx = r.result.transaction('outbox', 'readwrite');
			tx.objectStore('outbox').put({ id: 'queued-v1-0001', token: `+jsString(token)+`, kind: 'checkins', queuedAt: new Date().toISOString(),
				body: { id: 'queued-v1-0001', at: new Date().toISOString(), soreness: 4, pain: 6, areas: ['left-buttock'], feelings: ['shooting'], redFlags: ['leg-weakness'], note: '' } });
			tx.oncomplete = () => { r.result.close(); ok(true); }; tx.onerror = () => fail(tx.error); };
		r.onerror = () => fail(r.error); })`)
	within(t, ctx, 20*time.Second, "reopen", chromedp.Reload())
	waitFor(t, ctx, 15*time.Second, "the notice with the call", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=delivery][data-state=waiting] a[href="tel:112"]')`)
	proxy.set(proxyUp)
	deadline := time.Now().Add(40 * time.Second)
	for {
		got := serverCheckIns(t, ts, token)
		if len(got) == 1 && len(got[0]) == 1 && got[0][0] == "leg-weakness" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the queued version-1 check-in never arrived: %v", got)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestQueuedRatingAndPreparationOffline: an activities rating and a preparation sent while
// the server is out of reach wait in the outbox; the app opened again offline knows they
// are done (Today offers neither again) and does not take them for check-ins; once the
// server is back both arrive.
func TestQueuedRatingAndPreparationOffline(t *testing.T) {
	ts := startServer(t)
	proxy := startOutageProxy(t, ts.URL)
	ctx := newBrowser(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-6*24*time.Hour-2*time.Hour), "")) // the next session is tomorrow
	openWithServiceWorker(t, ctx, proxy.URL+"/p/"+token)
	if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=psfs-card]') && !!document.querySelector('[data-testid=prepare-card]')`) {
		t.Fatal("Today offers neither the rating nor the preparation")
	}
	proxy.set(proxyDrop)
	eval[bool](t, ctx, `(location.hash = '#/psfs', true)`)
	waitFor(t, ctx, 10*time.Second, "psfs form", `!!document.querySelector('[data-testid=psfs-name-1]')`)
	eval[bool](t, ctx, `(() => { document.querySelector('[data-testid=psfs-name-1]').value = 'Driving to work';
	  const r = document.querySelector('input[name=psfs-1]'); r.value = '4'; r.dispatchEvent(new Event('input', { bubbles: true })); return true; })()`)
	within(t, ctx, 10*time.Second, "save", chromedp.Click(`[data-testid=submit-psfs]`))
	eval[bool](t, ctx, `(location.hash = '#/prepare', true)`)
	waitFor(t, ctx, 10*time.Second, "prepare form", `!!document.querySelector('[data-testid=submit-prepare]')`)
	tick(t, ctx, `input[name=prep-goals][value=sit-longer]`)
	within(t, ctx, 10*time.Second, "send", chromedp.Click(`[data-testid=submit-prepare]`))
	waitFor(t, ctx, 10*time.Second, "both wait in the outbox", outboxCount+`.then((n) => n === 2)`)

	within(t, ctx, 20*time.Second, "reopen offline", chromedp.Navigate(proxy.URL+"/p/"+token+"#/today"), chromedp.Reload())
	waitFor(t, ctx, 10*time.Second, "today offline", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	if eval[bool](t, ctx, `!!document.querySelector('[data-testid=psfs-card]') || !!document.querySelector('[data-testid=prepare-card]')`) {
		t.Error("Today offers the rating or the preparation again while they wait to be sent")
	}
	if got := innerText(t, ctx, "main"); strings.Contains(got, "undefined") || strings.Contains(got, "Last check-in") {
		t.Errorf("a waiting rating or preparation reads as a check-in on Today: %.400s", got)
	}
	proxy.set(proxyUp)
	eval[bool](t, ctx, `(window.dispatchEvent(new Event('online')), true)`)
	waitFor(t, ctx, 20*time.Second, "both sent", outboxCount+`.then((n) => n === 0)`)
	var sum struct {
		Summary struct {
			Preparation *struct{ Goals []string }
		}
	}
	ts.do(t, "GET", "/api/plans/"+token+"/summary", "", ts.auth()...).json(t, &sum)
	if sum.Summary.Preparation == nil || strings.Join(sum.Summary.Preparation.Goals, ",") != "sit-longer" {
		t.Errorf("the preparation on the therapist's side: %+v", sum.Summary.Preparation)
	}
	var view struct {
		Clinic struct {
			PSFSLatest *struct{ Activities []struct{ Name string } } `json:"psfsLatest"`
		}
	}
	ts.do(t, "GET", "/api/p/"+token, "").json(t, &view)
	if view.Clinic.PSFSLatest == nil || len(view.Clinic.PSFSLatest.Activities) != 1 || view.Clinic.PSFSLatest.Activities[0].Name != "Driving to work" {
		t.Errorf("the rating on the server: %+v", view.Clinic.PSFSLatest)
	}
}
