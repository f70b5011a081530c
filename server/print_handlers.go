package server

import (
	"errors"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/qr"
)

// printSign is one warning sign as the printout lists it: the clinic
// content's words (those of the app's tier screens) and the extra step it
// asks for, if any.
type printSign struct {
	Words, Do string
}

// printedSigns are the clinic content's warning signs of tier t in language
// lang, in the order the check-in asks them, as list items.
func printedSigns(lang string, t clinic.Tier) []printSign {
	var out []printSign
	for _, q := range clinic.TextsIn(lang).Questions {
		if q.Tier == t {
			out = append(out, printSign{Words: locale.Capitalize(q.Words), Do: q.Do})
		}
	}
	return out
}

// seeDoctorStep is what the see-a-doctor screen asks first (book an
// appointment this week), in lang.
func seeDoctorStep(lang string) string {
	for _, s := range clinic.TextsIn(lang).Screens {
		if s.Tier == clinic.SeeDoctorSoon && len(s.Steps) > 0 {
			return s.Steps[0]
		}
	}
	return ""
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
	// The studio's logo, booking page, phone (with its tel: link) and address, as the owner set them.
	Logo, Booking, Phone, Tel, Address string
	Routine                            care.RoutineView
	Stretches                          []printStretch
	// Emergency and SeeDoctor are the two tiers of warning signs, from the clinic content.
	Emergency, SeeDoctor []printSign
	Notes, StopAll       string
	QR                   template.HTML
	T                    printTexts
}

// printTexts are the printed plan's sentences and labels, rendered.
type printTexts struct {
	Toolbar, PrintButton, Back, Hint               string
	Meta, PlanLine, StretchHint                    string
	NextTitle, NextSession, NextNote, NoSession    string
	QRCaption, UrgentTitle                         string
	UrgentCall                                     template.HTML
	DoctorTitle, DoctorStep                        string
	SessionDayTitle                                string
	SessionDay                                     []string
	Reassure, StretchesLabel, StopAllLabel         string
	Feel, Stop, StopAbove, ContactTitle, NoteTitle string
	Contact                                        []string
	Disclaimer, Online                             string
	BookOnline, CallStudio                         string
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
	st, err := h.Care.Studio()
	if err != nil {
		return err
	}
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
		Lang: l.String(), Studio: st.Name, Heading: heading,
		Logo: st.Logo, Booking: st.BookingURL, Phone: st.Phone, Tel: st.Tel, Address: st.Address,
		PageTitle: l.Format("print.pageTitle", locale.Data{"Heading": heading}),
		Routine:   v.Routine, Notes: v.Notes,
		Emergency: printedSigns(l.String(), clinic.EmergencyNow), SeeDoctor: printedSigns(l.String(), clinic.SeeDoctorSoon),
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
		UrgentCall:  boldIn(l.Format("print.urgent.call", locale.Data{"Number": v.EmergencyNumber}), v.EmergencyNumber),
		DoctorTitle: l.Text("print.doctor.title"), DoctorStep: seeDoctorStep(l.String()),
		SessionDayTitle: l.Text("print.sessionDay.title"),
		Reassure:        l.Text("aftercare.sessionDay.reassure"),
		StretchesLabel:  l.Text("print.stretches"), StopAllLabel: l.Text("print.stopAll"),
		Feel: l.Text("print.feel"), Stop: l.Text("print.stop"), StopAbove: l.Text("print.stop.above"),
		ContactTitle: l.Therapist("print.contact.title", first, nil),
		NoteTitle:    l.Therapist("print.note.title", first, nil),
		Disclaimer:   l.Text("help.about.disclaimer"),
		Online:       l.Format("print.online", locale.Data{"URL": url}),
		BookOnline:   l.Text("studio.bookOnline"), CallStudio: l.Text("studio.callStudio"),
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
