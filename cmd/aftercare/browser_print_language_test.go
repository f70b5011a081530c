package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// TestPrintedPlanInEveryLanguage: the printout of a five-stretch routine is
// in the plan's language, lists both tiers of warning signs in the clinic
// content's words of that language with the emergency number of the plan's
// zone ("even at night"), fits a 360 and a 390 px phone, and takes at most
// three pages, A4 and US Letter:
// the translations run about a quarter longer than the English, which fits
// two (TestPrintedPlanInChromium).
func TestPrintedPlanInEveryLanguage(t *testing.T) {
	ts := startServer(t)
	ts.shutdown(t)
	ts.Studio = "Harbour Massage"
	ts.start(t)
	ctx := newBrowser(t)
	dir := t.TempDir()
	spaces := regexp.MustCompile(`\s+`)
	for _, lang := range []struct{ tag, zone, says, call, doctor string }{
		{"es", "Europe/Madrid", "Busque atención médica ahora si tiene", "Llame al 112 (emergencias)", "Vaya al médico en los próximos días si tiene"},
		{"de", "Europe/Berlin", "Holen Sie sich jetzt ärztliche Hilfe", "Rufen Sie die 112 an (Notruf) oder gehen Sie direkt in die nächste Notaufnahme, auch nachts.",
			"Lassen Sie sich in den nächsten Tagen ärztlich untersuchen, wenn Sie Folgendes haben"},
		{"fr", "Europe/Paris", "Consultez un médecin en urgence si vous avez", "Appelez le 112 (urgences)", "Consultez un médecin dans les prochains jours si vous avez"},
		{"pt-BR", "America/Sao_Paulo", "Procure atendimento médico agora se você estiver com", "Ligue para 192 (emergência)", "Procure um médico nos próximos dias se você tiver"},
	} {
		plan := strings.Replace(planJSON(time.Now().Add(-time.Hour), `,"language":"`+lang.tag+`"`), "Europe/Berlin", lang.zone, 1)
		token := ts.createPlan(t, plan)
		within(t, ctx, 20*time.Second, "open the print page", chromedp.Navigate(ts.URL+"/p/"+token+"/print"))
		waitFor(t, ctx, 10*time.Second, "page and illustrations loaded",
			`document.readyState === "complete" && [...document.images].every(i => i.complete && i.naturalWidth > 0)`)
		// On a phone first: the longer words still fit the narrowest screens.
		for _, width := range []int64{360, 390} {
			within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(width, 800, chromedp.EmulateMobile, chromedp.EmulateTouch))
			if over := eval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); over > 0 {
				t.Errorf("%s printout at %d px: %d px wider than the screen", lang.tag, width, over)
			}
		}
		within(t, ctx, 10*time.Second, "viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile, chromedp.EmulateTouch))
		for _, paper := range []struct {
			name          string
			width, height float64
		}{{"A4", 8.27, 11.69}, {"Letter", 8.5, 11}} {
			yes := true
			res, err := chromedp.Call(ctx, page.PrintToPDF, page.PrintToPDFParams{PaperWidth: paper.width, PaperHeight: paper.height, PrintBackground: &yes})
			if err != nil {
				t.Fatalf("print to PDF: %v", err)
			}
			file := filepath.Join(dir, lang.tag+"-"+paper.name+".pdf")
			if err := os.WriteFile(file, res.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			keepPrintout(t, file)
			m := regexp.MustCompile(`(?m)^Pages:\s+(\d+)`).FindStringSubmatch(string(runTool(t, "pdfinfo", file)))
			if m == nil {
				t.Fatal("pdfinfo gave no page count")
			}
			pages, _ := strconv.Atoi(m[1])
			t.Logf("%s on %s: %d pages", lang.tag, paper.name, pages)
			if pages < 1 || pages > 3 {
				t.Errorf("%s: a five-stretch routine takes %d pages on %s, want at most 3", lang.tag, pages, paper.name)
			}
			text := spaces.ReplaceAllString(string(runTool(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
			for _, says := range append([]string{lang.says, lang.call, lang.doctor}, warningSigns(lang.tag)...) {
				if !strings.Contains(printedWords(text), printedWords(says)) {
					t.Errorf("the %s printout on %s does not say %q", lang.tag, paper.name, says)
				}
			}
		}
	}
}
