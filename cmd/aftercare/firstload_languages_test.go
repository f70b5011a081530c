package main

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// firstLoadBudget is what a phone may download to show a plan the first time
// (headers included): the page, its styles and modules, the plan and the words
// of its language. Clients on a slow connection, or paying for data, open the
// link once after the session; it must come up quickly in every language.
const firstLoadBudget = 60_000

// TestFirstLoadInEveryLanguage holds the first load of a plan page to its
// budget in each of the product's languages: the words of a language are part
// of the first load, and some languages take more bytes than English.
func TestFirstLoadInEveryLanguage(t *testing.T) {
	ts := startServer(t)
	for _, lang := range []string{"en", "de", "es", "fr", "pt-BR"} {
		t.Run(lang, func(t *testing.T) {
			ctx := newBrowser(t)
			token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour), `,"language":"`+lang+`"`))
			within(t, ctx, 20*time.Second, "open plan", chromedp.Navigate(ts.URL+"/p/"+token))
			waitFor(t, ctx, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
			within(t, ctx, 5*time.Second, "today screen", chromedp.WaitVisible(`[data-testid=start-routine]`))
			waitFor(t, ctx, 10*time.Second, "page load complete", `document.readyState === "complete"`)
			if got := eval[string](t, ctx, `document.documentElement.lang`); got != lang {
				t.Fatalf("page language %q, want %q", got, lang)
			}
			n := eval[int](t, ctx, `(() => { const nav = performance.getEntriesByType('navigation')[0];
				return nav.transferSize + performance.getEntriesByType('resource').filter(r => r.initiatorType !== 'fetch' || r.name.includes('/api/p/') || r.name.includes('/api/messages/')).reduce((n, r) => n + r.transferSize, 0); })()`)
			t.Logf("first load of a plan page in %s: %d bytes transferred", lang, n)
			if n > firstLoadBudget {
				t.Errorf("first load in %s transferred %d bytes; the budget is %d", lang, n, firstLoadBudget)
			}
		})
	}
}
