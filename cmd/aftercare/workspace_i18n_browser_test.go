package main

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// workspaceCatalog is one language's workspace messages, each as its texts (every plural form).
func workspaceCatalog(t *testing.T, tag string) map[string][]string {
	t.Helper()
	b, got := routines.WorkspaceMessageFile(language.MustParse(tag))
	if got.String() != tag {
		t.Fatalf("no workspace catalog for %s (got %v)", tag, got)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for id, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			out[id] = []string{s}
			continue
		}
		var forms map[string]string
		if err := json.Unmarshal(v, &forms); err != nil {
			t.Fatal(err)
		}
		for _, f := range forms {
			out[id] = append(out[id], f)
		}
	}
	return out
}

// englishLeaks are the pieces of English workspace text (between placeholders, at least
// four characters with a letter) that the other language's catalog does not also use:
// any of them on that language's page is an English string that slipped through.
func englishLeaks(en, other map[string][]string) []string {
	var all strings.Builder
	for _, texts := range other {
		for _, s := range texts {
			all.WriteString(s + "\n")
		}
	}
	seen := map[string]bool{}
	var out []string
	for _, texts := range en {
		for _, s := range texts {
			for _, piece := range placeholderRE.Split(s, -1) {
				piece = strings.TrimSpace(piece)
				if len([]rune(piece)) < 4 || !regexp.MustCompile(`\pL`).MatchString(piece) || seen[piece] || strings.Contains(all.String(), piece) {
					continue
				}
				seen[piece] = true
				out = append(out, piece)
			}
		}
	}
	return out
}

// wsScreenCheck measures the page at the current viewport: the page's lang, its words
// (visible text, labels, placeholders, options, the title) and every box whose text runs
// out of it — wider than the screen, wider than its own box (scrollWidth), or a select or
// placeholder whose text is wider than the field. The plan link's read-only input scrolls
// by design; the screen-reader-only live region is 1 px on purpose.
const wsScreenCheck = `new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
	const W = innerWidth, bad = [];
	const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : '') +
		' "' + (el.textContent || el.value || el.placeholder || '').trim().slice(0, 40) + '"';
	if (document.documentElement.scrollWidth > W) bad.push('the page is ' + document.documentElement.scrollWidth + ' px wide');
	const pen = document.createElement('canvas').getContext('2d');
	const textWidth = (el, text) => { pen.font = getComputedStyle(el).font; return pen.measureText(text).width; };
	const inner = (el) => { const cs = getComputedStyle(el); return el.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight); };
	for (const el of document.querySelectorAll('body *')) {
		if (el.closest('.vh, svg, noscript, script, style')) continue;
		const r = el.getBoundingClientRect();
		if (!r.width || !r.height || getComputedStyle(el).visibility === 'hidden') continue;
		const ownText = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
		if (r.right > W + 0.5 && (ownText || el.matches('input, select, button, a, img'))) bad.push(name(el) + ' ends at ' + Math.round(r.right) + ' px');
		if (el.matches('input.link')) continue;
		if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).display !== 'inline') bad.push(name(el) + ': text ' + el.scrollWidth + ' px in a ' + el.clientWidth + ' px box');
		if (el.tagName === 'SELECT' && el.selectedOptions[0] && textWidth(el, el.selectedOptions[0].text) > inner(el) - 16) bad.push(name(el) + ': the choice "' + el.selectedOptions[0].text + '" is cut off');
		if (el.tagName === 'INPUT' && el.placeholder && !el.value && textWidth(el, el.placeholder) > inner(el)) bad.push(name(el) + ': the placeholder is cut off');
	}
	const words = [document.title, document.body.innerText];
	for (const el of document.querySelectorAll('[aria-label], [placeholder], [alt], [title]')) {
		words.push(el.getAttribute('aria-label') || '', el.getAttribute('placeholder') || '', el.getAttribute('alt') || '', el.getAttribute('title') || '');
	}
	for (const o of document.querySelectorAll('option')) words.push(o.text);
	done({ lang: document.documentElement.lang, bad, words: words.join('\n') });
})))`

type wsScreenReport struct {
	Lang  string   `json:"lang"`
	Bad   []string `json:"bad"`
	Words string   `json:"words"`
}

// TestWorkspaceInEveryLanguageInChromium opens every workspace screen — login, clients,
// new plan, QR, plan page, settings — in each of the five languages at 360×740 and
// 390×844: the page says its language, no text runs out of its box or off the screen,
// no English text of the workspace shows on a page in another language, and no message
// id shows instead of its text. The login screen follows the browser's language; the
// therapist then picks the language in Settings, and the rest follows the account.
func TestWorkspaceInEveryLanguageInChromium(t *testing.T) {
	ts := startServer(t)
	browser := newBrowser(t)
	// Everything a screen can show: a plan with a red flag, words and history; an own
	// template, an API token and a pending invitation in Settings.
	token := ts.createPlan(t, planJSON(time.Now().Add(-50*time.Hour), `,"language":"es"`))
	now := time.Now().UTC()
	for i, body := range []string{
		`"soreness":8,"pain":3,"areas":["low-back","left-hamstring","neck-shoulders"],"feelings":["dull","tingling"],"note":"ok 👍"`,
		`"soreness":4,"pain":6,"redFlags":["leg-weakness","saddle-numbness"]`,
	} {
		at := now.Add(time.Duration(i-2) * time.Minute).Format(time.RFC3339)
		if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", fmt.Sprintf(`{"id":"i18n-checkin-%d","at":"%s",%s}`, i, at, body)); r.Status != 201 {
			t.Fatalf("check-in: %d %s", r.Status, r.Body)
		}
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/completions", `{"id":"i18n-done-1","routineId":"gentle-sciatica-aftercare","at":"`+now.Format(time.RFC3339)+`","done":4,"total":5}`); r.Status != 201 {
		t.Fatalf("completion: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/templates", `{"name":"Sam 1","routineId":"piriformis-release","stretches":[{"stretchId":"childs-pose"}]}`, ts.auth()...); r.Status != 201 {
		t.Fatalf("template: %d %s", r.Status, r.Body)
	}

	en := workspaceCatalog(t, "en")
	var ids []string
	for id := range en {
		ids = append(ids, id)
	}
	ua := eval[string](t, browser, `navigator.userAgent`)
	for _, lang := range []string{"en", "es", "de", "fr", "pt-BR"} {
		t.Run(lang, func(t *testing.T) {
			ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
			defer cancel()
			if _, err := chromedp.Call(ctx, emulation.SetUserAgentOverride, emulation.SetUserAgentOverrideParams{UserAgent: ua, AcceptLanguage: lang}); err != nil {
				t.Fatal(err)
			}
			var leaks []string
			if lang != "en" {
				leaks = englishLeaks(en, workspaceCatalog(t, lang))
			}
			words := workspaceCatalog(t, lang)
			// check measures a screen once it shows, in lang: ready holds and its heading is title's text ("" for none).
			check := func(screen, title, ready string) {
				t.Helper()
				if title != "" {
					ready += ` && (document.querySelector('h1') || {}).textContent === ` + jsString(words[title][0])
				}
				for _, size := range [][2]int64{{360, 740}, {390, 844}} {
					within(t, ctx, 5*time.Second, "viewport", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
					waitFor(t, ctx, 15*time.Second, screen+" in "+lang, `document.documentElement.lang === `+jsString(lang)+` && (`+ready+`)`)
					r := eval[wsScreenReport](t, ctx, wsScreenCheck)
					where := fmt.Sprintf("%s %s at %d×%d", lang, screen, size[0], size[1])
					for _, b := range r.Bad {
						t.Errorf("%s: %s", where, b)
					}
					for _, piece := range leaks {
						if strings.Contains(r.Words, piece) {
							t.Errorf("%s: English %q on the page", where, piece)
						}
					}
					for _, id := range ids {
						// A whole id, not part of a longer name (the webhook's event "plan.ended").
						if regexp.MustCompile(`(^|[^\w.-])` + regexp.QuoteMeta(id) + `($|[^\w.-])`).MatchString(r.Words) {
							t.Errorf("%s: the message id %q instead of its text", where, id)
						}
					}
					fullScreenshot(t, ctx, fmt.Sprintf("workspace-%s-%s-%d", lang, screen, size[0]))
				}
			}

			within(t, ctx, 20*time.Second, "open the workspace", chromedp.Navigate(ts.URL+"/therapist"), chromedp.WaitVisible(`[data-testid=login]`))
			if got := eval[[]string](t, ctx, `[...navigator.languages]`); len(got) == 0 || got[0] != lang {
				t.Fatalf("the browser's languages are %v, want %s first", got, lang)
			}
			check("login", "login.title", `!!document.querySelector('[data-testid=login]')`)
			within(t, ctx, 20*time.Second, "log in",
				chromedp.SendKeys(`#email`, "ana@example.org"),
				chromedp.SendKeys(`#password`, "correct horse battery"),
				chromedp.Click(`[data-testid=login]`),
				chromedp.WaitVisible(`[data-testid=client-row]`))
			// A pending invitation for Settings (invitations need the password's session, as the page has).
			if got := eval[float64](t, ctx, `fetch('/api/therapists/invites', {method: 'POST', headers: {'Content-Type': 'application/json',
				'X-CSRF-Token': decodeURIComponent(document.cookie.match(/aftercare_csrf=([^;]+)/)[1])}, body: '{"email":"colleague@example.org"}'}).then(r => r.status)`); got != 201 {
				t.Fatalf("invitation: %v", got)
			}
			// The account's language is the previous run's: choose this one in Settings.
			within(t, ctx, 20*time.Second, "settings", chromedp.Navigate(ts.URL+"/therapist#/settings"), chromedp.WaitVisible(`[data-testid=language]`))
			eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid=language]'); s.value = `+jsString(lang)+`; s.dispatchEvent(new Event('change')); return true; })()`)
			check("settings", "settings.title", `!!document.querySelector('[data-testid=invite-link], #invite-email') && !!document.querySelector('[data-testid=own-template]') && document.querySelector('[data-testid=language]').value === `+jsString(lang))

			within(t, ctx, 20*time.Second, "clients", chromedp.Navigate(ts.URL+"/therapist#/"), chromedp.WaitVisible(`[data-testid=client-row]`))
			check("clients", "clients.title", `!!document.querySelector('[data-testid=client-row] .badge')`)

			within(t, ctx, 20*time.Second, "new plan", chromedp.Navigate(ts.URL+"/therapist#/new"),
				chromedp.WaitVisible(`[data-testid=template-gentle-sciatica-aftercare]`), chromedp.Click(`[data-testid=template-gentle-sciatica-aftercare]`))
			eval[bool](t, ctx, `(() => { document.querySelector('details').open = true; return true; })()`)
			check("new-plan", "assign.title", `!!document.querySelector('[data-testid=stretch-list] li')`)

			within(t, ctx, 20*time.Second, "qr", chromedp.Navigate(ts.URL+"/therapist#/qr/"+token), chromedp.WaitVisible(`[data-testid=plan-link]`))
			check("qr", "", `!!document.querySelector('[data-testid=plan-link]')`)

			within(t, ctx, 20*time.Second, "plan", chromedp.Navigate(ts.URL+"/therapist#/plan/"+token), chromedp.WaitVisible(`[data-testid=words] li`))
			check("plan", "", `!!document.querySelector('.banner.red-flag') && !!document.querySelector('[data-testid=completions] li')`)
		})
	}
}
