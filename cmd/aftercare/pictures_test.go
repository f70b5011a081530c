package main

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/routines/figure"
)

// The player puts each picture inline, where the page's CSP drops the SVG's
// own <style>: the app's stylesheet must carry the same rules.
func TestAppStylesheetCarriesTheFigureStyle(t *testing.T) {
	css, err := fs.ReadFile(pwa.Static(), "app/style.css")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(css, []byte("\n"+figure.CSS+"\n")) {
		t.Fatal("pwa/static/app/style.css lacks routines/figure.CSS on a line of its own: copy it there")
	}
}

// emulateMedia sets CSS media features (prefers-reduced-motion,
// prefers-color-scheme) for the tab, as a phone's settings would; the feature
// "media" sets the media type ("print").
func emulateMedia(t *testing.T, ctx context.Context, features map[string]string) {
	t.Helper()
	var feats []*emulation.MediaFeature
	for name, value := range features {
		if name != "media" {
			feats = append(feats, &emulation.MediaFeature{Name: name, Value: value})
		}
	}
	within(t, ctx, 5*time.Second, "emulate media", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: features["media"], Features: feats})
		return err
	}))
}

// pictureState reads what the player's picture shows, as the client sees it.
type pictureState struct {
	Inline    bool    // an <svg class="fig"> in the page, not an <img>
	Styles    int     // <style> elements inside it (the CSP would refuse them)
	Time      float64 // where the animation is, in seconds
	Paused    bool
	Mirrored  bool   // drawn flipped left to right
	Moving    string // display of the moving figure
	Still     string // display of the start-and-held pair
	Labels    string
	NearColor string // stroke of the working side's limbs
	Label     string // accessible name
}

const readPicture = `(() => {
  const svg = document.querySelector('[data-testid=stretch-picture] svg.fig');
  if (!svg) return {Inline: false};
  const m = svg.querySelector('.fig-a > g').getAttribute('transform');
  return {
    Inline: true, Styles: svg.querySelectorAll('style').length, Time: svg.getCurrentTime(), Paused: svg.animationsPaused(),
    Mirrored: m.startsWith('matrix(-'),
    Moving: getComputedStyle(svg.querySelector('.fig-a')).display, Still: getComputedStyle(svg.querySelector('.fig-p')).display,
    Labels: [...svg.querySelectorAll('.fig-p text')].map(t => t.textContent).join('|'),
    NearColor: getComputedStyle(svg.querySelector('.fig-a path.n')).stroke, Label: svg.getAttribute('aria-label') || '',
  };
})()`

// TestPlayerPictureFollowsTheTimer plays a stretch done on both sides: its
// picture is inline, starts from the start position at the lead-in, stops when
// the timer is paused, shows the mirror image for the right side, and stands
// still, start and held side by side, when the phone asks for reduced motion.
func TestPlayerPictureFollowsTheTimer(t *testing.T) {
	ts := startServer(t)
	ctx := newBrowser(t)
	within(t, ctx, 5*time.Second, "watch for CSP violations", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
			Source: `window.__csp = []; document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));`})
		return err
	}))
	token := ts.createPlan(t, planJSON(time.Now().Add(-2*time.Hour),
		`,"overrides":[{"stretchId":"single-knee-to-chest","holdSeconds":5,"reps":1}]`))
	// Stretch 2 of the template is the single knee to chest, done on each side.
	within(t, ctx, 20*time.Second, "open player", chromedp.Navigate(ts.URL+"/p/"+token+"#/play/2"))
	waitFor(t, ctx, 10*time.Second, "picture in the player", `!!document.querySelector('[data-testid=stretch-picture] svg.fig')`)
	read := func() pictureState { return eval[pictureState](t, ctx, readPicture) }

	p := read()
	if !p.Inline || p.Styles != 0 {
		t.Fatalf("picture inline %v with %d <style> elements; want inline without", p.Inline, p.Styles)
	}
	if p.Moving == "none" || p.Still != "none" || !strings.Contains(p.Label, "Single knee to chest") || !strings.Contains(p.Label, "Left side") {
		t.Fatalf("left side's lead-in: %+v", p)
	}
	// The app's stylesheet colours the figure (an unstyled path has no stroke).
	if p.NearColor != "rgb(59, 51, 45)" {
		t.Errorf("near limbs drawn in %q, want the figure's dark tone rgb(59, 51, 45)", p.NearColor)
	}
	// The lead-in starts from the start position: the timeline's data-start, moving on.
	start := eval[float64](t, ctx, `+document.querySelector('[data-testid=stretch-picture] svg').dataset.start`)
	if p.Time < start || p.Time > start+2.5 || p.Paused {
		t.Errorf("at the lead-in the picture is at %.2f s (paused %v), want moving on from the start position at %.2f s", p.Time, p.Paused, start)
	}
	screenshot(t, ctx, "player-picture")
	if testing.Verbose() { // what opening the player costs on top of the plan page
		t.Log(eval[string](t, ctx, `performance.getEntriesByType('resource').filter(r => /player|picture|img\/stretches/.test(r.name))
		  .map(r => new URL(r.name).pathname + ' ' + r.transferSize + ' (' + r.decodedBodySize + ')').join('\n')`))
	}

	// Pause with the timer: the picture stops where it is; resume moves it on.
	within(t, ctx, 5*time.Second, "pause", chromedp.Click(`[data-testid=pause]`))
	a := read()
	time.Sleep(600 * time.Millisecond)
	b := read()
	if !a.Paused || b.Time != a.Time {
		t.Errorf("paused timer: picture paused %v, moved from %.2f to %.2f s", a.Paused, a.Time, b.Time)
	}
	within(t, ctx, 5*time.Second, "resume", chromedp.Click(`[data-testid=pause]`))
	time.Sleep(600 * time.Millisecond)
	if c := read(); c.Paused || c.Time <= b.Time {
		t.Errorf("resumed timer: picture paused %v at %.2f s (was %.2f)", c.Paused, c.Time, b.Time)
	}

	// Lead-in 5 s, hold 5 s, then "switch sides": the right side is the mirror image.
	waitFor(t, ctx, 15*time.Second, "the right side's picture",
		`(() => { const g = document.querySelector('[data-testid=stretch-picture] svg.fig .fig-a > g');
		  return !!g && g.getAttribute('transform').startsWith('matrix(-') !== `+fmt.Sprint(p.Mirrored)+`; })()`)
	if p := read(); !strings.Contains(p.Label, "Right side") || p.Time > start+2.5 {
		t.Errorf("right side's lead-in: %+v", p)
	}
	screenshot(t, ctx, "player-picture-right")

	// Reduced motion: the start and held positions stand side by side, labelled.
	emulateMedia(t, ctx, map[string]string{"prefers-reduced-motion": "reduce"})
	if p := read(); p.Moving != "none" || p.Still == "none" || p.Labels != "Start|Hold" {
		t.Errorf("with reduced motion: %+v", p)
	}
	screenshot(t, ctx, "player-picture-reduced-motion")
	// Printed, too, in the dark tones' light counterparts: paper is white.
	emulateMedia(t, ctx, map[string]string{"media": "print", "prefers-color-scheme": "dark"})
	if p := read(); p.Moving != "none" || p.Still == "none" || p.NearColor != "rgb(59, 51, 45)" {
		t.Errorf("in print from a phone in dark mode: %+v", p)
	}

	// Dark mode keeps the figure light on the dark surface.
	emulateMedia(t, ctx, map[string]string{"prefers-color-scheme": "dark"})
	if p := read(); p.NearColor != "rgb(243, 237, 229)" {
		t.Errorf("dark mode: near limbs in %q, want rgb(243, 237, 229)", p.NearColor)
	}
	screenshot(t, ctx, "player-picture-dark")
	if v := eval[[]string](t, ctx, `window.__csp`); len(v) > 0 {
		t.Errorf("CSP violations: %q", v)
	}
}

// TestStretchPicturesContactSheet draws every stretch's pictures, start and
// held, both sides, on one page 390 px wide, checks each pose lies inside its
// picture, and with AFTERCARE_SCREENSHOTS=DIR saves the sheet, light and dark,
// for a reviewer to judge them side by side (routines/illustrations/sheets/stretches-contact-sheet*.png).
func TestStretchPicturesContactSheet(t *testing.T) {
	var sheet strings.Builder
	sheet.WriteString(`<!doctype html><meta charset="utf-8"><title>Stretch pictures</title><style>
body { margin: 0; padding: 8px; font: 15px/1.3 system-ui, sans-serif; background: #fbf7f2; color: #2b2621; }
h2 { font-size: 15px; margin: 14px 0 4px; } p { margin: 0 0 2px; color: #5c5249; font-size: 13px; }
.pic { background: #fffcf7; border: 1px solid #dccfbf; border-radius: 14px; margin-bottom: 6px; overflow: hidden; }
.pic svg { display: block; width: 100%; height: auto; }
@media (prefers-color-scheme: dark) { body { background: #1b1917; color: #f3ede5; } p { color: #c9bfb2; } .pic { background: #262320; border-color: #4a423a; } }
</style><body><h1 style="font-size:18px;margin:4px 0">Stretch pictures: start and hold</h1>`)
	count := 0
	for _, s := range routines.Stretches() {
		fmt.Fprintf(&sheet, "<h2>%s</h2>", html.EscapeString(s.Name))
		sides := []string{s.ID}
		if s.PerSide {
			sides = append(sides, s.ID+routines.OtherSide)
		}
		for i, name := range sides {
			b, ok := routines.Illustration(name)
			if !ok {
				t.Fatalf("no picture %s", name)
			}
			if s.PerSide {
				fmt.Fprintf(&sheet, "<p>%s side</p>", []string{"Left", "Right"}[i])
			}
			fmt.Fprintf(&sheet, `<div class="pic" data-name="%s">%s</div>`, name, b)
			count++
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(sheet.String()))
	}))
	t.Cleanup(srv.Close)

	ctx := newBrowser(t)
	// 390 px wide, one device pixel per px: what a phone shows, and small in the repository.
	within(t, ctx, 5*time.Second, "viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(1)))
	emulateMedia(t, ctx, map[string]string{"prefers-reduced-motion": "reduce"})
	within(t, ctx, 20*time.Second, "open contact sheet", chromedp.Navigate(srv.URL))
	// Every still pose is drawn, within its picture, with its label.
	problems := eval[[]string](t, ctx, `[...document.querySelectorAll('.pic')].flatMap(div => {
	  const svg = div.querySelector('svg'), name = div.dataset.name, out = [];
	  const r = svg.getBoundingClientRect(), k = r.width / 320;
	  if (getComputedStyle(svg.querySelector('.fig-p')).display === 'none') out.push(name + ': still positions hidden');
	  svg.querySelectorAll('.fig-p > g').forEach((g, i) => {
	    const b = g.getBoundingClientRect();
	    if (b.width < 40 || b.height < 20) out.push(name + ' pose ' + i + ': only ' + Math.round(b.width) + '×' + Math.round(b.height) + ' px');
	    if (b.left < r.left - 1 || b.right > r.right + 1 || b.top < r.top - 1 || b.bottom > r.bottom + 1) out.push(name + ' pose ' + i + ': drawn outside its picture');
	  });
	  if ([...svg.querySelectorAll('.fig-p text')].some(t => t.getBoundingClientRect().width === 0)) out.push(name + ': a label is not shown');
	  return out;
	})`)
	for _, p := range problems {
		t.Error(p)
	}
	if n := eval[int](t, ctx, `document.querySelectorAll('.pic svg.fig').length`); n != count || count < 20 {
		t.Errorf("%d pictures on the sheet, want %d (every stretch, both sides)", n, count)
	}
	dir := os.Getenv("AFTERCARE_SCREENSHOTS")
	if dir == "" {
		return
	}
	for _, scheme := range []string{"light", "dark"} {
		emulateMedia(t, ctx, map[string]string{"prefers-reduced-motion": "reduce", "prefers-color-scheme": scheme})
		c, cancel := context.WithTimeout(ctx, 20*time.Second)
		shot, err := chromedp.Run(c, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			t.Fatalf("screenshot: %v", err)
		}
		name := "stretches-contact-sheet.png"
		if scheme == "dark" {
			name = "stretches-contact-sheet-dark.png"
		}
		if err := os.WriteFile(filepath.Join(dir, name), shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
