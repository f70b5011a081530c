package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/photo/phototest"
)

// fitsWidth fails when the page scrolls sideways at the tab's current width.
func fitsWidth(t *testing.T, ctx context.Context, what string, width int) {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(width), 800, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	if w := eval[int](t, ctx, `new Promise(r => requestAnimationFrame(() => r(document.documentElement.scrollWidth)))`); w > width {
		t.Errorf("%s at %d px: the page is %d px wide: %s", what, width, w, eval[string](t, ctx, `[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > `+fmt.Sprint(width)+`).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).slice(0, 8).join(', ')`))
	}
	screenshot(t, ctx, strings.ReplaceAll(what, " ", "-")+"-"+map[int]string{360: "360", 390: "390"}[width])
}

// TestOwnStretchWithPhotoInBrowser: the therapist writes a stretch with a
// photo in the workspace, assigns it (with an easier variation picked for
// another step), and the client plays it offline, photo and all, stepping
// down with "Make it easier"; the therapist's plan page shows the step-down.
func TestOwnStretchWithPhotoInBrowser(t *testing.T) {
	ts := startServer(t)
	therapist := newBrowser(t)
	within(t, therapist, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))

	// A phone photo with its GPS position, as a therapist would pick it.
	photoFile := filepath.Join(t.TempDir(), "IMG_0042.jpg")
	if err := os.WriteFile(photoFile, phototest.JPEGWithEXIF(1200, 900, 1), 0o644); err != nil {
		t.Fatal(err)
	}
	easier, _ := routines.StretchByID("seated-ankle-on-shin")
	targets, _ := json.Marshal(easier.Targets)
	within(t, therapist, 20*time.Second, "new stretch form",
		chromedp.Navigate(ts.URL+"/therapist#/stretches/new"),
		chromedp.WaitVisible(`[data-testid=st-name]`))
	fitsWidth(t, therapist, "stretch form", 360)
	fitsWidth(t, therapist, "stretch form", 390)
	within(t, therapist, 20*time.Second, "fill in the stretch",
		chromedp.SendKeys(`[data-testid=st-name]`, "Towel hip stretch"),
		chromedp.SendKeys(`[data-testid=st-summary]`, "A seated hip stretch with a rolled towel."),
		chromedp.SendKeys(`[data-testid=st-steps]`, "Sit on a firm chair with a rolled towel under one hip.\nLean forward a little."),
		chromedp.SendKeys(`[data-testid=st-easier]`, "Lean forward less."),
		chromedp.SetUploadFiles(`[data-testid=st-file]`, []string{photoFile}))
	eval[bool](t, therapist, `(() => {
		for (const box of document.querySelectorAll('[data-testid=st-targets] input')) box.checked = `+string(targets)+`.includes(box.value);
		const set = (id, v) => { const el = document.querySelector('[data-testid=' + id + ']'); el.value = v; el.dispatchEvent(new Event('change')); };
		set('st-hold', '5'); set('st-reps', '1'); set('st-easierId', 'seated-ankle-on-shin');
		return true; })()`)
	waitFor(t, therapist, 15*time.Second, "photo uploaded and previewed",
		`document.querySelector('[data-testid=st-preview]').src.includes('/img/custom/') && document.querySelector('[data-testid=st-preview]').naturalWidth > 0`)
	screenshot(t, therapist, "workspace-stretch-form")
	within(t, therapist, 20*time.Second, "save the stretch",
		chromedp.Click(`[data-testid=st-save]`),
		chromedp.WaitVisible(`[data-testid=own-stretch]`))
	if txt := eval[string](t, therapist, `document.querySelector('[data-testid=own-stretch]').textContent`); !strings.Contains(txt, "Towel hip stretch") {
		t.Fatalf("stretch list: %q", txt)
	}
	fitsWidth(t, therapist, "stretch list", 360)
	fitsWidth(t, therapist, "stretch list", 390)

	// Assign it: a template, the own stretch added, an easier variation picked for a step.
	within(t, therapist, 20*time.Second, "assign",
		chromedp.Navigate(ts.URL+"/therapist#/new"),
		chromedp.WaitVisible(`[data-testid=template-gentle-sciatica-aftercare]`),
		chromedp.Click(`[data-testid=template-gentle-sciatica-aftercare]`),
		chromedp.WaitVisible(`[data-testid=client-name]`),
		chromedp.SendKeys(`[data-testid=client-name]`, "Sam"))
	picked := eval[string](t, therapist, `(() => {
		const add = document.querySelector('[data-testid=add-stretch]');
		const own = [...add.options].find(o => o.textContent === 'Towel hip stretch');
		add.value = own.value; add.dispatchEvent(new Event('change'));
		const v = [...document.querySelectorAll('[data-testid^=variant-]')].find(s => [...s.options].some(o => o.dataset.how === 'easier'));
		const easier = [...v.options].find(o => o.dataset.how === 'easier');
		v.value = easier.value; v.dispatchEvent(new Event('change'));
		return v.dataset.testid.slice(8) + ' ' + easier.value; })()`)
	step, pickedID, _ := strings.Cut(picked, " ")
	fitsWidth(t, therapist, "assign with variations", 360)
	fitsWidth(t, therapist, "assign with variations", 390)
	within(t, therapist, 20*time.Second, "create plan",
		chromedp.Click(`[data-testid=create-plan]`),
		chromedp.WaitVisible(`[data-testid=plan-link]`))
	link := eval[string](t, therapist, `document.querySelector('[data-testid=plan-link]').value`)
	token := strings.TrimPrefix(link, ts.URL+"/p/")
	var tp struct {
		Stretches []struct{ StretchID string }
		Custom    []struct{ ID, Image string }
	}
	ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &tp)
	if i := int(step[0] - '0'); len(tp.Stretches) != 6 || tp.Stretches[i].StretchID != pickedID || len(tp.Custom) != 1 || !strings.HasPrefix(tp.Custom[0].Image, "/img/custom/") {
		t.Fatalf("plan stored %+v", tp)
	}
	photoURL := tp.Custom[0].Image

	// The client: open the plan online once, then play it with the server down.
	client, cancelClient := chromedp.NewContext(therapist, chromedp.WithNewBrowserContext())
	defer cancelClient()
	if err := chromedp.Do(client, chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch)); err != nil {
		t.Fatal(err)
	}
	within(t, client, 20*time.Second, "open plan", chromedp.Navigate(link))
	waitFor(t, client, 10*time.Second, "plan rendered", `document.documentElement.dataset.ready === "1"`)
	waitFor(t, client, 10*time.Second, "service worker controlling", `navigator.serviceWorker.ready.then(r => !!r.active && !!navigator.serviceWorker.controller)`)
	within(t, client, 20*time.Second, "reload online", chromedp.Reload())
	waitFor(t, client, 15*time.Second, "the photo kept for offline",
		`caches.keys().then(async ks => { for (const k of ks) { const c = await caches.open(k); if (await c.match(`+jsString(photoURL)+`)) return true; } return false; })`)
	waitFor(t, client, 15*time.Second, "the easier variation's picture kept for offline",
		`caches.keys().then(async ks => { for (const k of ks) { const c = await caches.open(k); if (await c.match(`+jsString(easier.Image)+`)) return true; } return false; })`)
	ts.shutdown(t)
	within(t, client, 20*time.Second, "reload offline", chromedp.Reload())
	waitFor(t, client, 10*time.Second, "plan shown offline", `document.documentElement.dataset.ready === "1" && !!document.querySelector('[data-testid=start-routine]')`)
	within(t, client, 5*time.Second, "start", chromedp.Click(`[data-testid=start-routine]`), chromedp.WaitVisible(`[data-testid=countdown]`))
	name := func() string {
		return eval[string](t, client, `document.querySelector('[data-testid=stretch-name]').textContent`)
	}
	// The second stretch: "Make it easier" swaps in its easier variation, picture and all.
	within(t, client, 5*time.Second, "skip", chromedp.Click(`[data-testid=skip]`))
	second, _ := routines.StretchByID("single-knee-to-chest")
	stepDown, _ := routines.StretchByID(second.EasierID)
	if n := name(); n != second.Name {
		t.Fatalf("second stretch is %q", n)
	}
	fitsWidth(t, client, "player with make it easier", 360)
	fitsWidth(t, client, "player with make it easier", 390)
	within(t, client, 5*time.Second, "make it easier", chromedp.Click(`[data-testid=make-easier]`))
	waitFor(t, client, 5*time.Second, "the easier variation", `document.querySelector('[data-testid=stretch-name]').textContent === `+jsString(stepDown.Name))
	waitFor(t, client, 10*time.Second, "its picture, offline", `!!document.querySelector('[data-testid=stretch-picture] svg')`)
	if eval[bool](t, client, `!document.querySelector('[data-testid=make-easier]').closest('p').hidden`) {
		t.Error("a stepped-down stretch offers to step down again")
	}
	for i := 0; i < 8 && name() != "Towel hip stretch"; i++ {
		within(t, client, 5*time.Second, "skip", chromedp.Click(`[data-testid=skip]`))
	}
	waitFor(t, client, 10*time.Second, "the own stretch's photo, offline",
		`(() => { const img = document.querySelector('[data-testid=stretch-picture] img.photo');
		  return !!img && img.getAttribute('src') === `+jsString(photoURL)+` && img.complete && img.naturalWidth > 0; })()`)
	screenshot(t, client, "client-player-own-stretch")
	if eval[bool](t, client, `document.querySelector('[data-testid=make-easier]').closest('p').hidden`) {
		t.Error("the own stretch, linked to an easier one, offers no step-down")
	}
	// Its 5 s lead-in and 5 s hold run out: it counts as done, and the routine is finished.
	waitFor(t, client, 25*time.Second, "finish", `!!document.querySelector('[data-testid=finish]')`)
	waitFor(t, client, 10*time.Second, "the completion kept on the phone", `document.querySelector('[data-testid=finish] .status').textContent.includes('Saved on this phone')`)

	// Back online: the completion arrives with the step-down, and the therapist sees it.
	ts.start(t)
	within(t, client, 20*time.Second, "reload online again", chromedp.Navigate(link))
	deadline := time.Now().Add(20 * time.Second)
	for {
		var got struct {
			Completions []struct {
				Done       int
				EasierUsed []struct{ From, To string }
			}
		}
		ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).json(t, &got)
		if len(got.Completions) == 1 {
			if c := got.Completions[0]; c.Done != 1 || len(c.EasierUsed) != 1 || c.EasierUsed[0].From != second.ID || c.EasierUsed[0].To != stepDown.ID {
				t.Fatalf("completion: %+v", c)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Log(eval[string](t, client, `document.body.innerText`))
			t.Fatal("the completion never reached the server")
		}
		time.Sleep(200 * time.Millisecond)
	}
	within(t, therapist, 20*time.Second, "plan page", chromedp.Navigate(ts.URL+"/therapist#/plan/"+token), chromedp.WaitVisible(`[data-testid=easier-used]`))
	if txt := eval[string](t, therapist, `document.querySelector('[data-testid=easier-used]').textContent`); !strings.Contains(txt, second.Name+" → "+stepDown.Name) {
		t.Errorf("plan page says %q", txt)
	}
	fitsWidth(t, therapist, "plan page with step-downs", 360)
}
