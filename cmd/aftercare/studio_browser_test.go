package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// studioFitsWidth reports "ok" when nothing on the page is wider than the viewport, else what sticks out.
const studioFitsWidth = `new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => {
	const w = document.documentElement.scrollWidth;
	r(w <= innerWidth ? 'ok' : w + ' px wide: ' + [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 0.5)
		.slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join(', '));
})))`

// TestClientsListPagesInChromium: with 120 clients the workspace shows the
// first 50, the next pages as the therapist scrolls to the end, searches by
// name as they type and filters by status, on a 360 px phone without
// sideways scrolling.
func TestClientsListPagesInChromium(t *testing.T) {
	ts := startServer(t)
	now := time.Now()
	for i := range 120 {
		name := fmt.Sprintf("Client %03d", i)
		if i == 77 {
			name = "Zoë Ávila"
		}
		body := strings.Replace(planJSON(now.Add(-time.Duration(i)*time.Minute-time.Hour), ""), `"Sam"`, `"`+name+`"`, 1)
		token := ts.createPlan(t, body)
		if i == 5 {
			if r := ts.do(t, "POST", "/api/plans/"+token+"/end", "", ts.auth()...); r.Status != 200 {
				t.Fatalf("end: %d %s", r.Status, r.Body)
			}
		}
	}
	ctx := newBrowser(t)
	within(t, ctx, 5*time.Second, "360 px", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	within(t, ctx, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=client-row]`))
	waitFor(t, ctx, 10*time.Second, "the first page", `document.querySelectorAll('[data-testid=client-row]').length === 50`)
	if got := eval[string](t, ctx, studioFitsWidth); got != "ok" {
		t.Errorf("clients list at 360 px: %s", got)
	}
	screenshot(t, ctx, "clients-paged-360")
	// Scrolling to the end brings the next pages; the last one hides "Load more".
	for want := 100; want <= 119; want += 19 {
		eval[bool](t, ctx, `(window.scrollTo(0, document.body.scrollHeight), true)`)
		waitFor(t, ctx, 10*time.Second, fmt.Sprintf("%d rows after scrolling", want), fmt.Sprintf(`document.querySelectorAll('[data-testid=client-row]').length === %d`, want))
	}
	if eval[bool](t, ctx, `!document.querySelector('[data-testid=load-more]').hidden`) {
		t.Error("Load more still shown at the end of the list")
	}
	// Without IntersectionObserver's help, "Load more" pages too.
	within(t, ctx, 10*time.Second, "reload", chromedp.Reload(), chromedp.WaitVisible(`[data-testid=client-row]`))
	waitFor(t, ctx, 10*time.Second, "the first page again", `document.querySelectorAll('[data-testid=client-row]').length >= 50`)
	within(t, ctx, 10*time.Second, "load more", chromedp.Click(`[data-testid=load-more]`, chromedp.NodeVisible))
	waitFor(t, ctx, 10*time.Second, "the second page by the button", `document.querySelectorAll('[data-testid=client-row]').length >= 100`)

	// The search asks the server as the therapist types, folding accents.
	within(t, ctx, 10*time.Second, "search", chromedp.SendKeys(`[data-testid=client-search]`, "zoe"))
	waitFor(t, ctx, 10*time.Second, "one match", `document.querySelectorAll('[data-testid=client-row]').length === 1`)
	if name := eval[string](t, ctx, `document.querySelector('[data-testid=client-row] .name').textContent`); name != "Zoë Ávila" {
		t.Errorf("search found %q", name)
	}
	eval[bool](t, ctx, `(() => { const s = document.querySelector('[data-testid=client-search]'); s.value = ''; return s.dispatchEvent(new Event('input')); })()`)
	waitFor(t, ctx, 10*time.Second, "the first page after clearing", `document.querySelectorAll('[data-testid=client-row]').length === 50`)
	// The Ended chip shows the ended plan alone.
	within(t, ctx, 10*time.Second, "ended", chromedp.Click(`.chip[data-status=ended]`))
	waitFor(t, ctx, 10*time.Second, "ended plans", `document.querySelectorAll('[data-testid=client-row]').length === 1`)
	if name := eval[string](t, ctx, `document.querySelector('[data-testid=client-row] .name').textContent`); name != "Client 005" {
		t.Errorf("ended: %q", name)
	}
	if got := eval[string](t, ctx, studioFitsWidth); got != "ok" {
		t.Errorf("filtered list at 360 px: %s", got)
	}
}

// TestStudioSettingsInChromium: the owner sets the studio in Settings at 360
// px (a too-light accent is adjusted and said so), uploads a logo, and the
// client's app shows the studio's name and logo, wears the adjusted accent
// and offers the booking page; its manifest carries the icons.
func TestStudioSettingsInChromium(t *testing.T) {
	ts := startServer(t)
	// A plan with no next session booked: Today offers to book one.
	body := strings.Replace(planJSON(time.Now().Add(-26*time.Hour), `,"cadenceDays":14`), `"nextSessionAt":"`+time.Now().Add(-26*time.Hour).Add(7*24*time.Hour).Format(time.RFC3339)+`",`, "", 1)
	token := ts.createPlan(t, body)
	ctx := newBrowser(t)
	within(t, ctx, 5*time.Second, "360 px", chromedp.EmulateViewport(360, 740, chromedp.EmulateMobile, chromedp.EmulateTouch))
	within(t, ctx, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))
	within(t, ctx, 20*time.Second, "studio settings",
		chromedp.Navigate(ts.URL+"/therapist#/settings"),
		chromedp.WaitVisible(`[data-testid=studio-name]`),
		chromedp.SendKeys(`[data-testid=studio-name]`, "Harbour Massage"),
		chromedp.SetValue(`[data-testid=studio-accent]`, "#7fd3c0"),
		chromedp.SendKeys(`[data-testid=studio-booking]`, "https://book.example.org/harbour"),
		chromedp.SendKeys(`[data-testid=studio-phone]`, "+44 20 7946 0018"),
		chromedp.Click(`[data-testid=studio-save]`),
		chromedp.WaitVisible(`[data-testid=accent-adjusted]`))
	msg := eval[string](t, ctx, `document.querySelector('[data-testid=accent-adjusted]').textContent`)
	if !strings.Contains(msg, "#7fd3c0") || !strings.Contains(msg, "4.5:1") {
		t.Errorf("the owner is not told about the adjusted colour: %q", msg)
	}
	logo := filepath.Join(t.TempDir(), "logo.png")
	if err := os.WriteFile(logo, pngLogo(t, 256), 0o600); err != nil {
		t.Fatal(err)
	}
	within(t, ctx, 20*time.Second, "upload the logo",
		chromedp.SetUploadFiles(`[data-testid=studio-logo]`, []string{logo}),
		chromedp.WaitVisible(`[data-testid=logo-preview]`))
	waitFor(t, ctx, 10*time.Second, "logo preview loaded", `document.querySelector('[data-testid=logo-preview]').naturalWidth > 0`)
	if got := eval[string](t, ctx, studioFitsWidth); got != "ok" {
		t.Errorf("settings at 360 px: %s", got)
	}
	screenshot(t, ctx, "studio-settings-360")
	var st struct{ Accent, AccentText string }
	if r := ts.do(t, "GET", "/api/admin/studio", "", ts.auth()...); r.Status != 200 || json.Unmarshal(r.Body, &st) != nil || st.Accent == "#7fd3c0" {
		t.Fatalf("studio: %d %s", r.Status, r.Body)
	}

	// The client's page (the therapist's cookies do not matter to it).
	client := ctx
	within(t, client, 20*time.Second, "client today", chromedp.Navigate(ts.URL+"/p/"+token+"#/today"), chromedp.WaitVisible(`[data-testid=studio-bar]`))
	if bar := eval[string](t, client, `document.querySelector('[data-testid=studio-bar]').textContent`); bar != "Harbour Massage" {
		t.Errorf("studio bar %q", bar)
	}
	waitFor(t, client, 10*time.Second, "the logo in the bar", `(document.querySelector('[data-testid=studio-bar] img') || {}).naturalWidth > 0`)
	if got := eval[string](t, client, `getComputedStyle(document.documentElement).getPropertyValue('--primary').trim()`); got != st.Accent {
		t.Errorf("--primary is %q, want the adjusted accent %s", got, st.Accent)
	}
	if href := eval[string](t, client, `(document.querySelector('[data-testid=book-online]') || {}).href || ''`); href != "https://book.example.org/harbour" {
		t.Errorf("booking button %q", href)
	}
	if got := eval[string](t, client, studioFitsWidth); got != "ok" {
		t.Errorf("client Today at 360 px: %s", got)
	}
	screenshot(t, client, "studio-client-today-360")
	var m struct {
		ShortName  string `json:"short_name"`
		ThemeColor string `json:"theme_color"`
		Icons      []struct{ Src, Purpose string }
	}
	if r := ts.do(t, "GET", "/p/"+token+"/manifest.webmanifest", ""); json.Unmarshal(r.Body, &m) != nil || m.ShortName != "Harbour Massage" ||
		m.ThemeColor != st.Accent || len(m.Icons) != 3 || !strings.HasPrefix(m.Icons[2].Src, "/studio/maskable-512.png?v=") {
		t.Errorf("manifest %s", r.Body)
	}
}

// pngLogo is a side×side PNG logo: a blue ring.
func pngLogo(t *testing.T, side int) []byte {
	t.Helper()
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			dx, dy := float64(x-side/2), float64(y-side/2)
			if d := dx*dx + dy*dy; d < float64(side*side)/5 && d > float64(side*side)/12 {
				img.Set(x, y, color.NRGBA{29, 79, 184, 255})
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
