package main

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// unitTests is where the PWA's unit tests live (pwa/test): served next to the app,
// never embedded in the binary.
const unitTests = "../../pwa/test"

// unitResults is what pwa/test/harness.js publishes on window.__units.
type unitResults struct {
	Passed int
	Failed []struct{ Name, Message string }
}

// TestPWAUnitsInChromium runs the unit tests of the PWA's pure functions (the player's
// phases, the check-in's advice, day keys and hours in the plan's zone, the shared
// helpers) in headless Chromium: a loopback front serves pwa/test at /units/ and passes
// everything else to the real server, so the tests import the modules as the app does.
// Each failed assertion fails this test with its message.
func TestPWAUnitsInChromium(t *testing.T) {
	ts := startServer(t)
	target, err := url.Parse(ts.URL)
	if err != nil {
		t.Fatal(err)
	}
	app := httputil.NewSingleHostReverseProxy(target)
	units := http.StripPrefix("/units/", http.FileServer(http.Dir(unitTests)))
	front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/units/") {
			w.Header().Set("Cache-Control", "no-store")
			units.ServeHTTP(w, r)
			return
		}
		app.ServeHTTP(w, r)
	}))
	t.Cleanup(front.Close)

	ctx := newBrowser(t)
	within(t, ctx, 20*time.Second, "open the unit tests", chromedp.Navigate(front.URL+"/units/index.html"))
	waitFor(t, ctx, 20*time.Second, "unit tests done", `document.documentElement.dataset.done === '1'`)
	res := eval[unitResults](t, ctx, `window.__units`)
	for _, f := range res.Failed {
		t.Errorf("%s: %s", f.Name, f.Message)
	}
	t.Logf("%d unit tests passed, %d failed", res.Passed, len(res.Failed))
	if res.Passed+len(res.Failed) < 20 {
		t.Fatalf("only %d unit tests ran: did a test module fail to load?", res.Passed+len(res.Failed))
	}
}
