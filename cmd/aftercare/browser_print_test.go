package main

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/clinic"
)

// popplerTool finds one of Debian's poppler-utils (pdfinfo, pdftotext,
// pdftoppm); CI installs them (.ci/test), so there a missing tool fails.
func popplerTool(t *testing.T, name string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	if os.Getenv("AFTERCARE_REQUIRE_BROWSER") != "" {
		t.Fatalf("%s not found (apt-get install -y poppler-utils) and AFTERCARE_REQUIRE_BROWSER is set", name)
	}
	t.Skipf("%s not installed (apt-get install -y poppler-utils)", name)
	return ""
}

func runTool(t *testing.T, name string, args ...string) []byte {
	t.Helper()
	out, err := exec.Command(popplerTool(t, name), args...).Output()
	if err != nil {
		t.Fatalf("%s %v: %v", name, args, err)
	}
	return out
}

// decodeQR reads the one QR code in a picture.
func decodeQR(t *testing.T, img image.Image) string {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil {
		t.Fatalf("no QR code found: %v", err)
	}
	return res.GetText()
}

func decodePNG(t *testing.T, data []byte) image.Image {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// warningSigns are both tiers' warning signs in lang as the clinic content
// words them for the client (the screens' and the check-in's words), with the
// extra step some of them ask for: what the printout must list.
func warningSigns(lang string) []string {
	var out []string
	for _, q := range clinic.TextsIn(lang).Questions {
		out = append(out, q.Words)
		if q.Do != "" {
			out = append(out, q.Do)
		}
	}
	return out
}

// keepPrintout copies a printed PDF beside the screenshots
// (AFTERCARE_SCREENSHOTS), to look at.
func keepPrintout(t *testing.T, file string) {
	t.Helper()
	dir := os.Getenv("AFTERCARE_SCREENSHOTS")
	if dir == "" {
		return
	}
	data, err := os.ReadFile(file)
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, "printout-"+filepath.Base(file)), data, 0o644)
	}
	if err != nil {
		t.Errorf("keep the printout: %v", err)
	}
}

// printedWords is text as it is compared with what pdftotext reads: without
// case (a sign starts its list item with a capital) and without hyphens
// (pdftotext joins a word broken at its hyphen at the end of a line: "appelez-la").
func printedWords(text string) string {
	return strings.ReplaceAll(strings.ToLower(text), "-", "")
}

var spaces = regexp.MustCompile(`\s+`)

func mustBerlin(t *testing.T) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestPrintedPlanInChromium prints the plan page the way a browser does
// (Chromium's print to PDF) on A4 and on US Letter, then reads the PDF with a
// real parser (poppler): a five-stretch routine fits on two pages, the text has
// every stretch and both tiers of warning signs (the clinic content's emergency
// and see-a-doctor signs, as the app's screens list them), and the QR code on the printed page, read
// back from a rendering of the PDF, opens the plan.
func TestPrintedPlanInChromium(t *testing.T) {
	ts := startServer(t)
	ts.shutdown(t)
	ts.Studio = "Harbour Massage"
	ts.start(t)
	session := time.Now().Add(-time.Hour)
	token := ts.createPlan(t, planJSON(session, ""))
	planURL := ts.URL + "/p/" + token
	routine, _ := routines.RoutineByID("gentle-sciatica-aftercare")
	if len(routine.Steps) != 5 {
		t.Fatalf("the test routine has %d stretches, want 5", len(routine.Steps))
	}
	ctx := newBrowser(t)
	within(t, ctx, 20*time.Second, "open the print page", chromedp.Navigate(planURL+"/print"))
	waitFor(t, ctx, 10*time.Second, "page and illustrations loaded",
		`document.readyState === "complete" && [...document.images].every(i => i.complete && i.naturalWidth > 0)`)

	dir := t.TempDir()
	for _, paper := range []struct {
		name          string
		width, height float64 // inches
		pdfinfo       string  // pdfinfo's page size
	}{
		{"A4", 8.27, 11.69, "(A4)"},
		{"Letter", 8.5, 11, "612 x 792 pts (letter)"},
	} {
		t.Run(paper.name, func(t *testing.T) {
			yes := true
			res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{
				PaperWidth: paper.width, PaperHeight: paper.height, PrintBackground: &yes,
			})
			if err != nil {
				t.Fatalf("print to PDF: %v", err)
			}
			file := filepath.Join(dir, paper.name+".pdf")
			if err := os.WriteFile(file, res.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			keepPrintout(t, file)
			info := string(runTool(t, "pdfinfo", file))
			t.Logf("%s page: %s", paper.name, regexp.MustCompile(`Page size:.*`).FindString(info))
			m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(info)
			if m == nil {
				t.Fatalf("pdfinfo: %s", info)
			}
			pages, _ := strconv.Atoi(m[1])
			t.Logf("%s: %d pages", paper.name, pages)
			if pages < 1 || pages > 2 {
				t.Errorf("a five-stretch routine takes %d pages on %s, want at most 2", pages, paper.name)
			}
			if !strings.Contains(info, paper.pdfinfo) {
				t.Errorf("page size is not %s: %s", paper.name, regexp.MustCompile(`Page size:.*`).FindString(info))
			}

			// Compared without case: the studio's name is printed in capitals.
			text := strings.ToLower(spaces.ReplaceAllString(string(runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")), " "))
			want := []string{"Harbour Massage", "Aftercare plan for Sam", "Ana Ruiz", "Get medical care now if", "Call 112",
				"Your next session", session.Add(7 * 24 * time.Hour).In(mustBerlin(t)).Format("Monday 2 January at 15:04"),
				"On the day of your massage", "A note from Ana", "left piriformis"}
			want = append(want, "See a doctor within a few days if", "even at night")
			want = append(want, warningSigns("en")...)
			for _, step := range routine.Steps {
				st, _ := routines.StretchByID(step.StretchID)
				want = append(want, st.Name, st.Feel)
			}
			for _, w := range want {
				if !strings.Contains(printedWords(text), printedWords(w)) {
					t.Errorf("the %s printout lacks %q", paper.name, w)
				}
			}

			// The first page as a printer's raster, 150 dpi: its QR code opens the plan.
			runTool(t, "pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-png", file, filepath.Join(dir, paper.name))
			matches, _ := filepath.Glob(filepath.Join(dir, paper.name+"-*1.png"))
			if len(matches) != 1 {
				t.Fatalf("pdftoppm wrote %v", matches)
			}
			raster, err := os.ReadFile(matches[0])
			if err != nil {
				t.Fatal(err)
			}
			if got := decodeQR(t, decodePNG(t, raster)); got != planURL {
				t.Errorf("the printed QR code opens %q, want the plan %q", got, planURL)
			}
		})
	}

	// On a phone's screen, before printing: one column, no sideways scrolling,
	// a QR code that still reads, and no app chrome.
	for _, width := range []int64{360, 390} {
		within(t, ctx, 10*time.Second, "phone viewport", chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch))
		within(t, ctx, 20*time.Second, "reload the print page", chromedp.Reload())
		waitFor(t, ctx, 10*time.Second, "page and illustrations loaded",
			`document.readyState === "complete" && [...document.images].every(i => i.complete && i.naturalWidth > 0)`)
		if over := eval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); over > 0 {
			t.Errorf("at %d px the print page scrolls sideways by %d px", width, over)
		}
		if !eval[bool](t, ctx, `!document.querySelector('.tabbar') && !document.getElementById('print').hidden`) {
			t.Errorf("at %d px: app chrome shown or no print button", width)
		}
		screenshot(t, ctx, "print-"+strconv.Itoa(int(width)))
		shot, err := chromedp.Run(ctx, chromedp.Screenshot(`.qr svg`))
		if err != nil {
			t.Fatalf("screenshot of the QR code: %v", err)
		}
		if got := decodeQR(t, decodePNG(t, shot)); got != planURL {
			t.Errorf("at %d px the QR code opens %q", width, got)
		}
	}
}

// TestTherapistPrintsForTheClientInBrowser: the therapist's plan page and QR screen offer
// the printout, opening in a tab of its own, on 360 and 390 px phones.
func TestTherapistPrintsForTheClientInBrowser(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ctx := newBrowser(t)
	within(t, ctx, 20*time.Second, "log in",
		chromedp.Navigate(ts.URL+"/therapist"),
		chromedp.WaitVisible(`[data-testid=login]`),
		chromedp.SendKeys(`#email`, "ana@example.org"),
		chromedp.SendKeys(`#password`, "correct horse battery"),
		chromedp.Click(`[data-testid=login]`),
		chromedp.WaitVisible(`[data-testid=new-plan]`))
	for _, width := range []int64{360, 390} {
		within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch))
		for _, screen := range []string{"#/plan/" + token, "#/qr/" + token} {
			within(t, ctx, 20*time.Second, "open "+screen, chromedp.Navigate(ts.URL+"/therapist"+screen),
				chromedp.WaitVisible(`[data-testid=print-for-client]`))
			link := eval[string](t, ctx, `(() => { const a = document.querySelector('[data-testid=print-for-client]'); const r = a.getBoundingClientRect();
				return a.getAttribute('href') + ' ' + a.target + ' ' + (r.right <= innerWidth && r.height >= 44); })()`)
			if link != "/p/"+token+"/print _blank true" {
				t.Errorf("%d px %s: print link %q", width, screen, link)
			}
			noSidewaysScroll(t, ctx, fmt.Sprintf("%d px %s", width, screen))
		}
	}
}
