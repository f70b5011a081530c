package main

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/serviceworker"
	"github.com/chromedp/chromedp"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
)

// clientLanguages are the languages a client may read the app in.
var clientLanguages = []string{"en", "es", "de", "fr", "pt-BR"}

// phoneSizes are the narrowest common phone and a common one (CSS pixels).
var phoneSizes = [][2]int64{{360, 740}, {390, 844}}

// catalog fetches a language's messages as the app loads them.
func catalog(t *testing.T, ts *testServer, lang string) map[string]map[string]string {
	t.Helper()
	r := ts.do(t, "GET", "/api/messages/"+lang, "")
	if r.Status != 200 {
		t.Fatalf("messages %s: %d %s", lang, r.Status, r.Body)
	}
	var raw map[string]json.RawMessage
	r.json(t, &raw)
	return messageForms(t, "messages "+lang, raw)
}

// messageFile is the language's whole message file, the texts only the
// server renders too (push notifications: locale.ServerOnly), which the app's
// catalog leaves out.
func messageFile(t *testing.T, lang string) map[string]map[string]string {
	t.Helper()
	b, _ := routines.MessageFile(language.MustParse(lang))
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	return messageForms(t, "message file "+lang, raw)
}

// messageForms decodes a go-i18n catalog: each message as its forms (a plain message
// has the one form "other").
func messageForms(t *testing.T, what string, raw map[string]json.RawMessage) map[string]map[string]string {
	t.Helper()
	out := make(map[string]map[string]string, len(raw))
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = map[string]string{"other": s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			t.Fatalf("%s: %s: %v", what, id, err)
		}
		out[id] = forms
	}
	return out
}

// text is one plain message of a catalog.
func text(t *testing.T, c map[string]map[string]string, id string) string {
	t.Helper()
	s, ok := c[id]["other"]
	if !ok {
		t.Fatalf("no message %s", id)
	}
	return s
}

var placeholderRE = regexp.MustCompile(`\{\{\.[A-Za-z]+\}\}`)

// routineTexts are the words of a plan's routine as the client view has them.
func routineTexts(t *testing.T, ts *testServer, token string) []string {
	t.Helper()
	var v struct {
		Routine struct {
			Name, Summary string
			Stretches     []struct {
				Name, Summary, Feel, StopIf, Breathing, Easier string
				Steps                                          []string
			}
		}
	}
	ts.do(t, "GET", "/api/p/"+token, "").json(t, &v)
	out := []string{v.Routine.Name, v.Routine.Summary}
	for _, s := range v.Routine.Stretches {
		out = append(out, s.Name, s.Summary, s.Feel, s.StopIf, s.Breathing, s.Easier)
		out = append(out, s.Steps...)
	}
	return out
}

// englishWords lists what must not be seen on a page in lang: every English text of
// the app (messages, cut at their placeholders, and the routine's words) that is at
// least four letters long and is not also written the same in lang ("Pause", "Outlook",
// the brand).
func englishWords(en, other map[string]map[string]string, enRoutine, otherRoutine []string) []string {
	var theirs strings.Builder
	for _, forms := range other {
		for _, s := range forms {
			theirs.WriteString(s + "\n")
		}
	}
	for _, s := range otherRoutine {
		theirs.WriteString(s + "\n")
	}
	own := theirs.String()
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.Trim(s, " \u00a0.,:;!?—–-·()“”\"'’")
		letters := 0
		for _, r := range s {
			if ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') {
				letters++
			}
		}
		if letters < 4 || seen[s] || containsWord(own, s) {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	for _, forms := range en {
		for _, s := range forms {
			for _, chunk := range placeholderRE.Split(s, -1) {
				add(chunk)
			}
		}
	}
	for _, s := range enRoutine {
		add(s)
	}
	sort.Strings(out)
	return out
}

// containsWord reports whether word occurs in s, not inside a longer word.
func containsWord(s, word string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], word)
		if j < 0 {
			return false
		}
		at := i + j
		before, after := rune(' '), rune(' ')
		if at > 0 {
			before = []rune(s[:at])[len([]rune(s[:at]))-1]
		}
		if rest := []rune(s[at+len(word):]); len(rest) > 0 {
			after = rest[0]
		}
		if !isLetter(before) && !isLetter(after) {
			return true
		}
		i = at + 1
	}
}

func isLetter(r rune) bool {
	return r == '_' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9') || r > 0x7f && r != 0xa0 && r != 0x202f && r != 0x2014 && r != 0x2013 && r != 0x2019 && r != 0x201c && r != 0x201d && r != 0xab && r != 0xbb && r != 0x2026 && r != 0x2192 && r != 0xb7 && r != 0x2713
}

// screenCheck is what the page says about itself: its lang, every element whose text
// runs off its box or off the screen, the words anyone can read or hear (text, labels,
// the picture's words, the spoken cues), and any message id shown instead of words.
const screenCheck = `(() => {
  const vw = document.documentElement.clientWidth;
  const bad = [];
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
    ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  for (const el of document.querySelectorAll('body *')) {
    if (!(el instanceof HTMLElement) || el.closest('.vh, svg, dialog:not([open])')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const cs = getComputedStyle(el);
    if (cs.visibility === 'hidden') continue;
    if (r.left < -1 || r.right > vw + 1) bad.push('off the screen (' + Math.round(r.left) + '–' + Math.round(r.right) + ' of ' + vw + '): ' + name(el));
    const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!hasText || cs.display === 'inline') continue;
    if (el.scrollWidth > el.clientWidth + 1) bad.push('text wider than its box (' + el.scrollWidth + ' > ' + el.clientWidth + '): ' + name(el));
    if (/hidden|clip|scroll|auto/.test(cs.overflowY + cs.overflowX) && el.scrollHeight > el.clientHeight + 1) bad.push('text cut off (' + el.scrollHeight + ' > ' + el.clientHeight + '): ' + name(el));
  }
  if (document.documentElement.scrollWidth > vw + 1) bad.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + vw);
  const said = [document.body.innerText, document.title];
  for (const el of document.querySelectorAll('[aria-label], [title], [alt], [placeholder]')) {
    for (const a of ['aria-label', 'title', 'alt', 'placeholder']) if (el.getAttribute(a)) said.push(el.getAttribute(a));
  }
  for (const el of document.querySelectorAll('svg text, svg title')) said.push(el.textContent);
  const live = document.getElementById('live');
  if (live) said.push(live.textContent);
  const words = said.join('\n');
  const ids = words.match(/\b(?:app|today|player|checkin|reminders|reminder|calendar|error|erase|finish|language|install|advice|urgent|delivery|help|stretch|count|redflag|picture|aftercare|print|format|psfs|prepare)\.[A-Za-z][A-Za-z.-]*[A-Za-z]\b/g) || [];
  return { lang: document.documentElement.lang, bad, words, ids };
})()`

type screenReport struct {
	Lang  string
	Bad   []string
	Words string
	IDs   []string
}

// knownIDs are the message ids of the English catalog, to tell an id shown instead of
// words from an address such as calendar.google.com.
var knownIDs map[string]bool

// checkScreen fails the test for every problem the screen shows in lang.
func checkScreen(t *testing.T, ctx context.Context, lang, where string, english []string) {
	t.Helper()
	r := eval[screenReport](t, ctx, screenCheck)
	ids := r.IDs[:0]
	for _, id := range r.IDs {
		if knownIDs[id] {
			ids = append(ids, id)
		}
	}
	r.IDs = ids
	if r.Lang != lang {
		t.Errorf("%s: <html lang=%q>, want %q", where, r.Lang, lang)
	}
	for _, b := range r.Bad {
		t.Errorf("%s: %s", where, b)
	}
	if len(r.IDs) > 0 {
		t.Errorf("%s: message ids instead of words: %v", where, r.IDs)
	}
	for _, w := range english {
		if containsWord(r.Words, w) {
			t.Errorf("%s: English on the page: %q", where, w)
		}
	}
	screenshot(t, ctx, "lang-"+lang+"-"+strings.NewReplacer(" ", "-", "×", "x", "/", "-").Replace(where))
}

// TestClientAppInEveryLanguage goes through the whole plan in each language, at 360 × 740
// and 390 × 844: Today, the erase dialog, the offline banner, the player and its finish,
// a check-in and the server's advice, the urgent screen (from the warning signs, and from
// a red-flag check-in), Reminders (and an iPhone's Add to Home Screen steps), Help. On
// every screen <html lang> is the plan's language, no text runs off its box or the
// screen, no message id shows, and in es, de, fr and pt-BR no English text of the app
// (its messages and the routine's words) can be read or heard. The service worker shows
// the server's test reminder in the plan's language.
func TestClientAppInEveryLanguage(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	en := catalog(t, ts, "en")
	knownIDs = map[string]bool{}
	for id := range en {
		knownIDs[id] = true
	}
	enToken := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"en"`))
	enRoutine := routineTexts(t, ts, enToken)

	// The check can fail: an English plan's Today screen shows English words from the
	// list for Spanish.
	within(t, ctx, 20*time.Second, "open the English plan", chromedp.Navigate(ts.URL+"/p/"+enToken+"#/today"))
	waitFor(t, ctx, 10*time.Second, "today", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	words := eval[screenReport](t, ctx, screenCheck).Words
	esToken := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"es"`))
	found := 0
	for _, w := range englishWords(en, catalog(t, ts, "es"), enRoutine, routineTexts(t, ts, esToken)) {
		if containsWord(words, w) {
			found++
		}
	}
	if found < 20 {
		t.Fatalf("the English Today screen shows only %d of the English words looked for", found)
	}
	if _, err := chromedp.CallBrowser(ctx, browser.SetPermission, browser.SetPermissionParams{
		Permission: &browser.PermissionDescriptor{Name: "notifications"}, Setting: browser.PermissionSettingGranted, Origin: ts.URL,
	}); err != nil {
		t.Fatalf("grant notifications: %v", err)
	}
	regs := chromedp.Events(ctx, serviceworker.WorkerRegistrationUpdated)
	if _, err := chromedp.Call(ctx, serviceworker.Enable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	var regID serviceworker.RegistrationID

	for _, lang := range clientLanguages {
		t.Run(lang, func(t *testing.T) {
			msgs := catalog(t, ts, lang)
			// Two hours after the session: Today has the session-day tips; the next session is booked.
			token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"`+lang+`"`))
			var english []string
			if lang != "en" {
				english = notClinicContent(t, ts, lang, englishWords(en, msgs, enRoutine, routineTexts(t, ts, token)))
				if len(english) < 300 {
					t.Fatalf("only %d English texts to look for", len(english))
				}
			}
			clinic := loadClinicContent(t, ts, lang)
			planURL := ts.URL + "/p/" + token
			for _, size := range phoneSizes {
				at := fmt.Sprintf("%d×%d", size[0], size[1])
				within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
				within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL+"#/today"))
				waitFor(t, ctx, 10*time.Second, "today", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
				checkScreen(t, ctx, lang, "today "+at, english)

				// The erase dialog, opened and kept.
				eval[bool](t, ctx, `(document.querySelector('.btn-danger-quiet').click(), true)`)
				waitFor(t, ctx, 5*time.Second, "erase dialog", `!!document.querySelector('dialog[open]')`)
				checkScreen(t, ctx, lang, "erase dialog "+at, english)
				eval[bool](t, ctx, `(document.querySelector('dialog[open] .btn-primary').click(), true)`)

				// The offline banner.
				setOffline(t, ctx, true)
				waitFor(t, ctx, 5*time.Second, "offline banner", `!!document.querySelector('[data-testid=offline]') && document.querySelector('[data-testid=offline]').textContent.length > 0`)
				if got := eval[string](t, ctx, `document.querySelector('[data-testid=offline]').textContent`); got != text(t, msgs, "app.offline") {
					t.Errorf("offline banner %q", got)
				}
				checkScreen(t, ctx, lang, "offline "+at, english)
				setOffline(t, ctx, false)
				waitFor(t, ctx, 5*time.Second, "online again", `!document.querySelector('[data-testid=offline]')`)

				// The player, then its finish screen.
				eval[bool](t, ctx, `(location.hash = '#/play', true)`)
				waitFor(t, ctx, 10*time.Second, "player", `!!document.querySelector('[data-testid=countdown]') && document.querySelector('[data-testid=stretch-picture] svg') !== null`)
				checkScreen(t, ctx, lang, "player "+at, english)
				for i := 0; i < 10 && !eval[bool](t, ctx, `!!document.querySelector('[data-testid=finish]')`); i++ {
					eval[bool](t, ctx, `(document.querySelector('[data-testid=skip]').click(), true)`)
				}
				waitFor(t, ctx, 10*time.Second, "finish", `!!document.querySelector('[data-testid=finish]')`)
				checkScreen(t, ctx, lang, "finish "+at, english)

				// A check-in, and the server's advice for it.
				eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
				waitFor(t, ctx, 10*time.Second, "check-in form", `!!document.querySelector('[data-testid=submit-checkin]')`)
				eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`) // nothing chosen: the form says what is missing
				checkScreen(t, ctx, lang, "check-in "+at, english)
				fillCheckIn(t, ctx, checkInAnswers{Soreness: 4, Back: 2, Leg: 1, Areas: map[string]string{"back": "both"}, Feelings: []string{"tingling"}, LegChange: "same"})
				eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
				thanks := strings.ReplaceAll(text(t, msgs, "advice.normal.title.named"), "{{.Name}}", "Sam")
				waitFor(t, ctx, 10*time.Second, "the server's advice", `document.querySelector('h1').textContent === `+jsString(thanks)+
					` && [...document.querySelectorAll('.status')].some((p) => p.textContent === `+jsString(strings.ReplaceAll(text(t, msgs, "advice.status.sent"), "{{.Therapist}}", "Ana Ruiz"))+`)`+
					` && !!document.querySelector('[data-testid=advice] li')`)
				if got := eval[string](t, ctx, `document.querySelector('[data-testid=advice] li').textContent`); got != clinic.advice(t, "soreness-normal") {
					t.Errorf("advice for normal soreness: %q", got)
				}
				checkScreen(t, ctx, lang, "advice "+at, english)

				// The urgent screen, from Help's warning signs and from a red-flag check-in.
				eval[bool](t, ctx, `(location.hash = '#/urgent', true)`)
				waitFor(t, ctx, 10*time.Second, "urgent", `!!document.querySelector('[data-testid=urgent]')`)
				checkScreen(t, ctx, lang, "urgent "+at, english)
				eval[bool](t, ctx, `(location.hash = '#/checkin', true)`)
				waitFor(t, ctx, 10*time.Second, "check-in form", `!!document.querySelector('[data-testid=submit-checkin]')`)
				fillCheckIn(t, ctx, checkInAnswers{Soreness: 4, Back: 2, Leg: 1, LegChange: "same", Yes: []string{"saddle-numbness"}})
				eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
				_, _, _, told, _, _ := clinic.screen(t, "emergency-now")
				waitFor(t, ctx, 10*time.Second, "urgent after a red flag", `!!document.querySelector('[data-testid=urgent] .status') && document.querySelector('[data-testid=urgent] .status').textContent === `+jsString(told))
				if _, words, _ := clinic.question(t, "saddle-numbness"); eval[string](t, ctx, `document.querySelector('[data-testid=urgent] li').textContent`) != words {
					t.Errorf("urgent screen lists %q", eval[string](t, ctx, `document.querySelector('[data-testid=urgent] li').textContent`))
				}
				checkScreen(t, ctx, lang, "urgent after a check-in "+at, english)

				// Reminders, and Help with the language switcher.
				eval[bool](t, ctx, `(location.hash = '#/reminders', true)`)
				waitFor(t, ctx, 10*time.Second, "reminders", `!!document.querySelector('[data-testid=calendar-card]') && !!document.getElementById('push-title')`)
				checkScreen(t, ctx, lang, "reminders "+at, english)
				eval[bool](t, ctx, `(location.hash = '#/about', true)`)
				waitFor(t, ctx, 10*time.Second, "help", `!!document.querySelector('[data-testid=language]')`)
				checkScreen(t, ctx, lang, "help "+at, english)
			}

			// An iPhone's Safari tab: the steps to put the app on the Home Screen, picture included.
			if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: iPhoneUA, Platform: "iPhone"}); err != nil {
				t.Fatal(err)
			}
			for _, size := range phoneSizes {
				at := fmt.Sprintf("%d×%d", size[0], size[1])
				within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
				within(t, ctx, 20*time.Second, "reminders on an iPhone", chromedp.Navigate(planURL+"#/reminders"), chromedp.Reload())
				waitFor(t, ctx, 10*time.Second, "add to home screen", `document.documentElement.dataset.ready === "1" && !!document.querySelector('.picture svg')`)
				if got := eval[string](t, ctx, `document.querySelector('.picture svg [data-t="install.picture.addToHome"]').textContent`); got != text(t, msgs, "install.picture.addToHome") {
					t.Errorf("the picture's menu item says %q", got)
				}
				eval[bool](t, ctx, `(document.querySelector('.picture').scrollIntoView({block: 'center'}), true)`)
				checkScreen(t, ctx, lang, "add to home screen "+at, english)
			}
			if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ""}); err != nil {
				t.Fatal(err)
			}

			// The server's test reminder, shown by the service worker, in the plan's language.
			within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL))
			waitFor(t, ctx, 10*time.Second, "service worker active", `navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
			if regID == "" {
				regID = registrationID(t, regs, ts.URL)
			}
			title, body := testPushShown(t, ts, ctx, regID, token)
			file := messageFile(t, lang)
			if title != text(t, file, "reminder.test.title") || body != text(t, file, "reminder.test.body") {
				t.Errorf("test reminder shown as %q / %q, want %q / %q", title, body, text(t, file, "reminder.test.title"), text(t, file, "reminder.test.body"))
			}
		})
	}
}

// TestSwitchingLanguageInTheApp: on Help, a Spanish plan's client picks Deutsch; the
// screens speak German at once, without reloading the page (<html lang>, the tab bar,
// the routine's words, Today's dates), the plan keeps German, and the next reminder —
// here the test reminder through the real sender — is German.
func TestSwitchingLanguageInTheApp(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	es, de := catalog(t, ts, "es"), catalog(t, ts, "de")
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"es"`))
	germanRoutine := routineTexts(t, ts, ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"de"`)))
	planURL := ts.URL + "/p/" + token

	within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(planURL+"#/about"))
	waitFor(t, ctx, 10*time.Second, "help", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=language]')`)
	if got := eval[string](t, ctx, `document.querySelector('h1').textContent`); got != text(t, es, "help.title") {
		t.Fatalf("Help in Spanish says %q", got)
	}
	names := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=language] option')].map((o) => o.textContent)`)
	if strings.Join(names, ", ") != "English, Español, Deutsch, Français, Português (Brasil)" {
		t.Errorf("languages offered as %q", names)
	}
	// The app offers exactly the languages the content is written in (a sixth needs its tag in i18n.js).
	offered := eval[[]string](t, ctx, `[...document.querySelectorAll('[data-testid=language] option')].map((o) => o.value)`)
	supported := model.SupportedLanguages()
	sort.Strings(offered)
	sort.Strings(supported)
	if strings.Join(offered, " ") != strings.Join(supported, " ") {
		t.Errorf("the app offers %v, the content is written in %v (pwa/static/shared/i18n.js LANGUAGES)", offered, supported)
	}
	eval[bool](t, ctx, `(window.__samePage = true, true)`)
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid=language]'); s.value = 'de'; s.dispatchEvent(new Event('change')); return true; })()`)
	waitFor(t, ctx, 10*time.Second, "Help in German", `document.querySelector('h1').textContent === `+jsString(text(t, de, "help.title"))+` && document.documentElement.lang === 'de'`)
	waitFor(t, ctx, 5*time.Second, "saved", `document.querySelector('#language-card .status').textContent === `+jsString(text(t, de, "language.saved")))
	if !eval[bool](t, ctx, `window.__samePage === true`) {
		t.Fatal("the page was reloaded")
	}
	if got := eval[string](t, ctx, `document.querySelector('.tabbar').innerText.replace(/\u00ad/g, '')`); !strings.Contains(got, "Hilfe") || !strings.Contains(got, "Erinnerungen") {
		t.Errorf("tab bar after the switch: %q", got)
	}
	eval[bool](t, ctx, `(location.hash = '#/today', true)`)
	waitFor(t, ctx, 10*time.Second, "today", `!!document.querySelector('[data-testid=start-routine]')`)
	if got := eval[string](t, ctx, `document.querySelector('.routine-name').textContent`); got != germanRoutine[0] {
		t.Errorf("routine after the switch: %q, want %q", got, germanRoutine[0])
	}
	when := eval[string](t, ctx, `document.querySelector('[data-testid=next-session] .big').textContent`)
	if !regexp.MustCompile(`^(Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonntag), \d{1,2}\. \p{L}+ um \d{2}:\d{2}$`).MatchString(when) {
		t.Errorf("next session in German: %q", when)
	}

	var plan struct{ Language string }
	ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &plan)
	if plan.Language != "de" {
		t.Errorf("the plan's language after the switch: %q", plan.Language)
	}
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/test-push", ""); r.Status != 202 {
		t.Fatalf("test-push: %d %s", r.Status, r.Body)
	}
	got := ts.Push.Wait(1, 10*time.Second)
	if len(got) != 1 {
		t.Fatal("push service received nothing")
	}
	var p struct{ Title, Body string }
	if err := json.Unmarshal(got[0].Payload, &p); err != nil {
		t.Fatal(err)
	}
	if deFile := messageFile(t, "de"); p.Title != text(t, deFile, "reminder.test.title") {
		t.Errorf("the reminder after the switch: %q, want German %q", p.Title, text(t, deFile, "reminder.test.title"))
	}

	// Offline, the app opens in German: the service worker kept the plan and its words.
	waitFor(t, ctx, 10*time.Second, "German words and the German plan kept for offline use",
		`caches.open('aftercare-data-v1').then(async (c) => { const m = await c.match('/api/messages/de'); const p = await c.match('/api/p/`+token+`');
		  return !!m && !!p && (await p.json()).language === 'de'; })`)
	ts.shutdown(t)
	within(t, ctx, 20*time.Second, "reload offline", chromedp.Reload())
	waitFor(t, ctx, 10*time.Second, "Today offline", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	if got := eval[string](t, ctx, `document.documentElement.lang + ' ' + document.querySelector('[data-testid=start-routine]').textContent`); got != "de "+text(t, de, "today.routine.start") {
		t.Errorf("offline after the switch: %q", got)
	}
}

// setOffline tells the page it is offline (navigator.onLine, the offline event) or online again.
func setOffline(t *testing.T, ctx context.Context, off bool) {
	t.Helper()
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: off, DownloadThroughput: -1, UploadThroughput: -1}); err != nil {
		t.Fatalf("network state: %v", err)
	}
}

// registrationID waits for the service worker registration of origin.
func registrationID(t *testing.T, regs iter.Seq2[serviceworker.EventWorkerRegistrationUpdated, error], origin string) serviceworker.RegistrationID {
	t.Helper()
	for ev, err := range regs {
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ev.Registrations {
			if !r.IsDeleted && strings.HasPrefix(r.ScopeURL, origin) {
				return r.RegistrationID
			}
		}
	}
	t.Fatal("no service worker registration")
	return ""
}

// testPushShown sends the plan's test reminder through the real sender into the
// decrypting push service, hands the service worker exactly what arrived, and returns
// the title and body of the notification it shows.
func testPushShown(t *testing.T, ts *testServer, ctx context.Context, reg serviceworker.RegistrationID, token string) (string, string) {
	t.Helper()
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	before := len(ts.Push.Received())
	if r := ts.do(t, "POST", "/api/p/"+token+"/test-push", ""); r.Status != 202 {
		t.Fatalf("test-push: %d %s", r.Status, r.Body)
	}
	got := ts.Push.Wait(before+1, 10*time.Second)
	if len(got) != before+1 {
		t.Fatal("push service received nothing")
	}
	eval[bool](t, ctx, `navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => (ns.forEach((n) => n.close()), true))`)
	if _, err := chromedp.Call(ctx, serviceworker.DeliverPushMessage, serviceworker.DeliverPushMessageParams{Origin: ts.URL, RegistrationID: reg, Data: string(got[before].Payload)}); err != nil {
		t.Fatalf("deliver push: %v", err)
	}
	waitFor(t, ctx, 10*time.Second, "the test notification", `navigator.serviceWorker.ready.then((r) => r.getNotifications({tag: 'test'})).then((ns) => ns.length === 1)`)
	n := eval[[]string](t, ctx, `navigator.serviceWorker.ready.then((r) => r.getNotifications({tag: 'test'})).then((ns) => [ns[0].title, ns[0].body])`)
	return n[0], n[1]
}

// TestOutboxNoticesInEveryLanguage: while the server is out of reach, a red-flag
// check-in shows the urgent screen with the notice that it has not reached the therapist
// and a call button, Today says so too under the offline banner, and once the server is
// back the outbox delivers it and says so: each in the plan's language, at 360 × 740 and
// 390 × 844, with nothing off its box and no English.
func TestOutboxNoticesInEveryLanguage(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	en := catalog(t, ts, "en")
	knownIDs = map[string]bool{}
	for id := range en {
		knownIDs[id] = true
	}
	enRoutine := routineTexts(t, ts, ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"en"`)))
	for _, lang := range clientLanguages {
		msgs := catalog(t, ts, lang)
		token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"`+lang+`"`))
		var english []string
		if lang != "en" {
			english = notClinicContent(t, ts, lang, englishWords(en, msgs, enRoutine, routineTexts(t, ts, token)))
		}
		waiting := strings.ReplaceAll(text(t, msgs, "delivery.waiting.title"), "{{.Therapist}}", "Ana Ruiz")
		sent := strings.ReplaceAll(text(t, msgs, "delivery.sent"), "{{.Therapist}}", "Ana Ruiz")
		for _, size := range phoneSizes {
			at := fmt.Sprintf("%s %d×%d", lang, size[0], size[1])
			within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
			within(t, ctx, 20*time.Second, "open check-in", chromedp.Navigate(ts.URL+"/p/"+token+"#/checkin"))
			waitFor(t, ctx, 10*time.Second, "check-in form", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=submit-checkin]')`)
			waitFor(t, ctx, 10*time.Second, "service worker in control", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)`)
			ts.shutdown(t)
			fillCheckIn(t, ctx, checkInAnswers{Soreness: 3, Back: 5, Leg: 6, LegChange: "same", Yes: []string{"leg-weakness"}})
			eval[bool](t, ctx, `(document.querySelector('[data-testid=submit-checkin]').click(), true)`)
			waitFor(t, ctx, 15*time.Second, "not reached yet", `!!document.querySelector('[data-testid=urgent]') && (document.querySelector('[data-testid=delivery]') || {}).textContent?.includes(`+jsString(waiting)+`)`)
			if !eval[bool](t, ctx, `!!document.querySelector('[data-testid=delivery] a[href="tel:112"]')`) {
				t.Errorf("%s: no call button while the red flag waits", at)
			}
			checkScreen(t, ctx, lang, "waiting on the urgent screen "+at, english)
			eval[bool](t, ctx, `(location.hash = '#/today', true)`)
			waitFor(t, ctx, 10*time.Second, "Today says so", `!!document.querySelector('[data-testid=start-routine]') && !!document.querySelector('[data-testid=offline]') && document.querySelector('[data-testid=delivery]').textContent.includes(`+jsString(waiting)+`)`)
			checkScreen(t, ctx, lang, "waiting on Today "+at, english)
			ts.start(t)
			eval[bool](t, ctx, `(window.dispatchEvent(new Event('online')), true)`)
			waitFor(t, ctx, 20*time.Second, "sent", `document.querySelector('[data-testid=delivery]').textContent === `+jsString(sent))
			checkScreen(t, ctx, lang, "sent on Today "+at, english)
		}
	}
}
