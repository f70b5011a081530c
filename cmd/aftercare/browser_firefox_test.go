package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// touchCheck is what a thumb finds on the screen: the main heading's text ("" when
// there is none to see), and every button, link styled as a button, input, select or
// text area shown that is smaller than 44 × 44 CSS px and is not inside (or named by)
// a label at least that big; and two tab labels less than 8 px apart, which read as
// one ("Check in Reminders"), or a tab label broken over two lines.
const touchCheck = `(() => {
  const name = (el) => el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '') + (el.dataset.testid ? '[data-testid=' + el.dataset.testid + ']' : '') +
    ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  const small = [];
  for (const el of document.querySelectorAll('button, a.btn, input:not([type=hidden]), select, textarea')) {
    if (el.closest('dialog:not([open])')) continue;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const shown = r.width > 0 && r.height > 0 && cs.visibility !== 'hidden';
    let box = shown ? r : null, what = el;
    if (!box || r.width < 43.5 || r.height < 43.5) {
      const label = el.closest('label') || (el.id ? document.querySelector('label[for="' + CSS.escape(el.id) + '"]') : null);
      const lr = label && label.getBoundingClientRect();
      if (lr && lr.width > 0 && lr.height > 0) { box = lr; what = label; }
    }
    if (!box) continue;
    if (box.width < 43.5 || box.height < 43.5) small.push('smaller than a fingertip: ' + Math.round(box.width) + '×' + Math.round(box.height) + ' ' + name(el) + (what !== el ? ' (label)' : ''));
  }
  const words = [...document.querySelectorAll('.tabbar a')].map((a) => { const r = document.createRange(); r.selectNodeContents(a); return [a.textContent.trim(), r.getBoundingClientRect(), r.getClientRects()]; });
  for (const [word, , lines] of words) if (new Set([...lines].map((l) => Math.round(l.top))).size > 1) small.push('tab label "' + word + '" breaks over two lines');
  for (let i = 1; i < words.length; i++) {
    const gap = words[i][1].left - words[i - 1][1].right;
    if (gap < 8) small.push('tab labels "' + words[i - 1][0] + '" and "' + words[i][0] + '" only ' + Math.round(gap) + ' px apart');
  }
  const h1 = document.querySelector('h1');
  const hr = h1 && h1.getBoundingClientRect();
  return { heading: h1 && hr.width > 0 && hr.height > 0 ? h1.textContent.trim() : '', small };
})()`

type touchReport struct {
	Heading string
	Small   []string
}

// TestScreensFitNarrowPhonesInFirefox opens the client's screens in headless Firefox
// (firefox-esr over WebDriver BiDi) at 360 × 740 and 390 × 844: Today, the check-in,
// the see-a-doctor and urgent screens reached by answering the check-in, the PSFS,
// the preparation, Reminders, Help and the player. On each the page does not scroll
// sideways, no message id shows instead of words, the screen's heading is there, and
// every button and input is at least 44 × 44 px or its label is.
func TestScreensFitNarrowPhonesInFirefox(t *testing.T) {
	ts := startServer(t)
	ff := newFirefox(t)
	en := catalog(t, ts, "en")
	knownIDs = map[string]bool{}
	for id := range en {
		knownIDs[id] = true
	}
	token := ts.createPlan(t, planJSON(time.Now().Add(-26*time.Hour), ""))
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"narrow-0001","at":"`+time.Now().UTC().Format(time.RFC3339)+`","soreness":4,"pain":2,"areas":["left-buttock"],"feelings":["dull"],"note":"a little stiff in the morning"}`); r.Status != 201 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	client := ts.URL + "/p/" + token

	check := func(screen, heading string, size [2]int64) {
		t.Helper()
		where := fmt.Sprintf("%s at %d×%d", screen, size[0], size[1])
		if got := ffEval[string](t, ff, sidewaysCheck); got != "ok" {
			t.Errorf("%s: the page scrolls sideways: %s", where, got)
		}
		var ids []string
		for _, id := range ffEval[screenReport](t, ff, screenCheck).IDs {
			if knownIDs[id] {
				ids = append(ids, id)
			}
		}
		if len(ids) > 0 {
			t.Errorf("%s: message ids instead of words: %v", where, ids)
		}
		r := ffEval[touchReport](t, ff, touchCheck)
		if r.Heading == "" {
			t.Errorf("%s: no heading (h1) to see", where)
		} else if heading != "" && r.Heading != heading {
			t.Errorf("%s: heading %q, want %q", where, r.Heading, heading)
		}
		for _, s := range r.Small {
			t.Errorf("%s: %s", where, s)
		}
		ff.screenshot(t, fmt.Sprintf("firefox-%s-%d", strings.NewReplacer(" ", "-", "#/", "").Replace(screen), size[0]))
	}
	answer := func(a checkInAnswers) {
		t.Helper()
		ffWaitFor(t, ff, 10*time.Second, "check-in form", `!!document.querySelector('[data-testid=submit-checkin]') && !!document.querySelector('input[type=range][name=legPain]')`)
		args, err := json.Marshal(map[string]any{"soreness": a.Soreness, "backPain": a.Back, "legPain": a.Leg, "a": a})
		if err != nil {
			t.Fatal(err)
		}
		if got := ffEval[string](t, ff, fillCheckInJS+`(`+string(args)+`)`); got != "ok" {
			t.Fatalf("fill check-in: %s", got)
		}
		ffEval[bool](t, ff, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
	}

	for _, size := range phoneSizes {
		ff.setViewport(t, size[0], size[1])
		if got := ffEval[[2]int64](t, ff, `[innerWidth, innerHeight]`); got != size {
			t.Fatalf("viewport %v, want %v", got, size)
		}
		for _, s := range []struct{ hash, ready, heading string }{
			{"#/today", `!!document.querySelector('[data-testid=start-routine]')`, ""},
			{"#/checkin", `!!document.querySelector('[data-testid=submit-checkin]')`, text(t, en, "checkin.title")},
			{"#/psfs", `!!document.querySelector('[data-testid=submit-psfs]')`, ""},
			{"#/prepare", `!!document.querySelector('[data-testid=submit-prepare]')`, ""},
			{"#/reminders", `document.body.dataset.screen === 'reminders' && !!document.getElementById('push-title')`, text(t, en, "reminders.title")},
			{"#/about", `!!document.querySelector('[data-testid=language]')`, text(t, en, "help.title")},
			{"#/play", `!!document.querySelector('[data-testid=countdown]')`, ""},
		} {
			ff.navigate(t, client+s.hash)
			ffWaitFor(t, ff, 10*time.Second, s.hash+" shown", `document.documentElement.dataset.ready === "1" && `+s.ready)
			check("client "+s.hash, s.heading, size)
		}

		// A see-a-doctor answer, then a warning sign: the screens a client is sent to.
		ff.navigate(t, client+"#/checkin")
		answer(checkInAnswers{Soreness: 3, Back: 4, Leg: 5, Areas: map[string]string{"thigh": "right"}, LegChange: "down", Yes: []string{"night-pain"}})
		ffWaitFor(t, ff, 10*time.Second, "see-a-doctor screen", `document.body.dataset.screen === 'doctor' && !!document.querySelector('[data-testid=doctor]') && !!document.querySelector('[data-testid=safety-net]')`)
		check("client #/doctor", "", size)
		ff.navigate(t, client+"#/checkin")
		answer(checkInAnswers{Soreness: 4, Back: 2, Leg: 1, LegChange: "same", Yes: []string{"saddle-numbness"}})
		ffWaitFor(t, ff, 10*time.Second, "urgent screen", `!!document.querySelector('[data-testid=urgent] .status')`)
		check("client #/urgent", text(t, en, "urgent.title"), size)
	}
}
