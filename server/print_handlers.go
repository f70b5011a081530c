package server

import (
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/qr"
)

// RedFlagsInWords are the "get medical care now" signs as the printed plan
// lists them in English; the app's safety.js words them the same (a test
// holds them together). Every language's come from its catalog (printedRedFlags).
var RedFlagsInWords = printedRedFlags(locale.English())

// printedRedFlags are the red-flag signs of the check-in, in l, as list items.
func printedRedFlags(l *locale.Locale) []string {
	out := make([]string, len(model.RedFlags))
	for i, id := range model.RedFlags {
		out[i] = locale.Capitalize(l.Text("redflag." + id + ".sign"))
	}
	return out
}

// printStretch is one stretch as the printed plan shows it.
type printStretch struct {
	care.Stretch
	Dose, Alt string
	// AlsoStop is what StopIf adds to the warning signs every stretch shares
	// (StopAll), or all of StopIf when they share none.
	AlsoStop string
}

// printPage is the data of templates/print.html: every word on it is in
// the plan's language (Lang), from the catalogs.
type printPage struct {
	Lang                       string
	Studio, PageTitle, Heading string
	Routine                    care.RoutineView
	Stretches                  []printStretch
	RedFlags                   []string
	Notes, StopAll             string
	QR                         template.HTML
	T                          printTexts
}

// printTexts are the printed plan's sentences and labels, rendered.
type printTexts struct {
	Toolbar, PrintButton, Back, Hint               string
	Meta, PlanLine, StretchHint                    string
	NextTitle, NextSession, NextNote, NoSession    string
	QRCaption, UrgentTitle                         string
	UrgentCall                                     template.HTML
	SessionDayTitle                                string
	SessionDay                                     []string
	Reassure, StretchesLabel, StopAllLabel         string
	Feel, Stop, StopAbove, ContactTitle, NoteTitle string
	Contact                                        []string
	Disclaimer, Online                             string
}

// printPlan serves GET /p/{token}/print: the plan made for paper (A4 and US
// Letter), which a client prints or saves as PDF and a therapist hands over,
// in the plan's language.
func (h *handlers) printPlan(c *fiber.Ctx) error {
	token := c.Params("token")
	v, err := h.Care.ClientView(token)
	if errors.Is(err, model.ErrNotFound) {
		return renderPage(c, fiber.StatusNotFound, "notfound.html", h.notFoundPage(c))
	}
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	l := locale.Of(v.Language, h.Care.DefaultLanguage)
	now := h.Care.Clock()
	url := h.Care.PlanURL(token)
	svg, err := qr.SVG(url)
	if err != nil {
		return err
	}
	therapist, first := v.Therapist.Name, care.FirstName(v.Therapist.Name)
	heading := l.Named("print.heading", care.FirstName(v.ClientName), nil)
	stretchAt := v.StretchTime
	if t, err := time.Parse("15:04", v.StretchTime); err == nil {
		stretchAt = l.Clock(t)
	}
	d := printPage{
		Lang: l.String(), Studio: h.Care.Studio, Heading: heading,
		PageTitle: l.Format("print.pageTitle", locale.Data{"Heading": heading}),
		Routine:   v.Routine, RedFlags: printedRedFlags(l), Notes: v.Notes,
		QR: template.HTML(svg), // our own encoder's SVG: a path of squares, no text from the plan
	}
	d.T = printTexts{
		Toolbar: l.Text("print.toolbar"), PrintButton: l.Text("print.toolbar.print"), Back: l.Text("print.toolbar.back"),
		Hint: l.Text("print.toolbar.hint"),
		Meta: l.Therapist("print.meta", therapist, locale.Data{
			"Session": l.Date(v.SessionAt.In(loc), locale.DateLong), "Printed": l.Date(now.In(loc), locale.DateShort)}),
		PlanLine: l.Count("print.planLine", v.Routine.EstimatedMinutes, locale.Data{
			"Time": stretchAt, "Until": l.Date(v.EndsAt.In(loc).Add(-time.Minute), locale.DateWeekday)}),
		StretchHint: l.Text("aftercare.stretchHint"),
		NextTitle:   l.Text("print.next.title"),
		QRCaption:   l.Text("print.qr"), UrgentTitle: l.Text("print.urgent.title"),
		UrgentCall:      boldIn(l.Format("print.urgent.call", locale.Data{"Number": v.EmergencyNumber}), v.EmergencyNumber),
		SessionDayTitle: l.Text("print.sessionDay.title"),
		Reassure:        l.Text("aftercare.sessionDay.reassure"),
		StretchesLabel:  l.Text("print.stretches"), StopAllLabel: l.Text("print.stopAll"),
		Feel: l.Text("print.feel"), Stop: l.Text("print.stop"), StopAbove: l.Text("print.stop.above"),
		ContactTitle: l.Therapist("print.contact.title", first, nil),
		NoteTitle:    l.Therapist("print.note.title", first, nil),
		Disclaimer:   l.Text("help.about.disclaimer"),
		Online:       l.Format("print.online", locale.Data{"URL": url}),
	}
	for _, id := range []string{"rest", "water", "iceOrHeat", "bath", "walk"} {
		d.T.SessionDay = append(d.T.SessionDay, l.Text("aftercare.sessionDay."+id))
	}
	for _, id := range []string{"stillSore", "worse", "nerve"} {
		d.T.Contact = append(d.T.Contact, l.Text("help.contact."+id))
	}
	if n := v.NextSessionAt; n != nil && n.After(now) {
		d.T.NextSession = l.Date(n.In(loc), locale.DateWeekdayTime)
		d.T.NextNote = l.Therapist("print.next.booked", first, nil)
	} else {
		d.T.NoSession = l.Therapist("print.next.none", therapist, nil)
		if c := cadence(l, first, v.CadenceDays); c != "" {
			d.T.NoSession += " " + c
		}
	}
	var stops []string
	for _, s := range v.Routine.Stretches {
		stops = append(stops, s.StopIf)
	}
	// Paper is short: the warning signs every stretch shares are printed once.
	d.StopAll = sharedSentences(stops)
	for _, s := range v.Routine.Stretches {
		d.Stretches = append(d.Stretches, printStretch{Stretch: s, Dose: dose(l, s),
			Alt:      l.Format("print.image", locale.Data{"Stretch": s.Name}),
			AlsoStop: strings.TrimSpace(strings.TrimPrefix(s.StopIf, d.StopAll))})
	}
	return renderPage(c, fiber.StatusOK, "print.html", d)
}

// boldIn escapes text for HTML and sets the first occurrence of word in bold
// (the emergency number in its sentence, wherever the language puts it).
func boldIn(text, word string) template.HTML {
	esc, w := template.HTMLEscapeString(text), template.HTMLEscapeString(word)
	if w == "" {
		return template.HTML(esc)
	}
	return template.HTML(strings.Replace(esc, w, "<strong>"+w+"</strong>", 1))
}

// sharedSentences is the longest run of whole sentences that every text starts
// with ("" for fewer than two texts).
func sharedSentences(texts []string) string {
	if len(texts) < 2 {
		return ""
	}
	shared := texts[0]
	for _, t := range texts[1:] {
		n := 0
		for n < len(shared) && n < len(t) && shared[n] == t[n] {
			n++
		}
		shared = shared[:n]
	}
	end := strings.LastIndex(shared, ". ")
	if len(shared) == len(texts[0]) && strings.HasSuffix(shared, ".") {
		end = len(shared) - 1 // every text is exactly this
	}
	if end < 0 {
		return ""
	}
	return shared[:end+1]
}

// dose reads like "Hold 30 seconds · 2 times on each side".
func dose(l *locale.Locale, s care.Stretch) string {
	reps := "print.dose.reps"
	if s.PerSide {
		reps = "print.dose.repsPerSide"
	}
	return l.Count("print.dose.hold", s.HoldSeconds, nil) + " · " + l.Count(reps, s.Reps, nil)
}

// cadence is the therapist's advice how often to book ("" for none): every
// so many weeks, or days when that is not whole weeks.
func cadence(l *locale.Locale, therapist string, days int) string {
	switch {
	case days <= 0:
		return ""
	case days%7 == 0:
		return l.Count(therapistID("print.next.everyWeeks", therapist), days/7, locale.Data{"Therapist": therapist})
	}
	return l.Count(therapistID("print.next.everyDays", therapist), days, locale.Data{"Therapist": therapist})
}

// therapistID is id, or its ".unnamed" twin when there is no therapist's name.
func therapistID(id, therapist string) string {
	if therapist == "" {
		return id + ".unnamed"
	}
	return id
}
