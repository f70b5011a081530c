package server

import (
	"errors"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/qr"
)

// RedFlagsInWords are the "get medical care now" signs as the printed plan
// lists them; the app's safety.js words them the same (a test holds them together).
var RedFlagsInWords = []string{
	"Severe or worsening weakness or numbness in a leg",
	"Numbness in the groin, saddle area or inner thighs",
	"New loss of bladder or bowel control",
}

// printStretch is one stretch as the printed plan shows it.
type printStretch struct {
	care.Stretch
	Dose string
	// AlsoStop is what StopIf adds to the warning signs every stretch shares
	// (StopAll), or all of StopIf when they share none.
	AlsoStop string
}

// printPage is the data of templates/print.html.
type printPage struct {
	Studio, Logo, Booking, Phone, Tel, Address string
	Therapist, TherapistFirst, FirstName       string
	SessionDay, Printed, EndsOn, StretchTime   string
	Routine                                    care.RoutineView
	Stretches                                  []printStretch
	RedFlags                                   []string
	Emergency                                  string
	NextSession, Cadence                       string
	Notes                                      string
	StopAll                                    string
	PlanURL                                    string
	QR                                         template.HTML
}

// printPlan serves GET /p/{token}/print: the plan made for paper (A4 and US
// Letter), which a client prints or saves as PDF and a therapist hands over.
func (h *handlers) printPlan(c *fiber.Ctx) error {
	token := c.Params("token")
	v, err := h.Care.ClientView(token)
	if errors.Is(err, model.ErrNotFound) {
		return renderPage(c, fiber.StatusNotFound, "notfound.html", nil)
	}
	if err != nil {
		return err
	}
	loc, err := time.LoadLocation(v.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	now := h.Care.Clock()
	url := h.Care.PlanURL(token)
	svg, err := qr.SVG(url)
	if err != nil {
		return err
	}
	d := printPage{
		Studio: v.Studio.Name, Logo: v.Studio.Logo, Booking: v.Studio.BookingURL, Phone: v.Studio.Phone, Tel: v.Studio.Tel,
		Address: v.Studio.Address, Therapist: v.Therapist.Name, TherapistFirst: care.FirstName(v.Therapist.Name),
		FirstName: care.FirstName(v.ClientName), Routine: v.Routine, RedFlags: RedFlagsInWords,
		SessionDay: v.SessionAt.In(loc).Format("Monday 2 January 2006"), Printed: now.In(loc).Format("2 January 2006"),
		EndsOn:      v.EndsAt.In(loc).Add(-time.Minute).Format("Monday 2 January"),
		StretchTime: v.StretchTime, Emergency: v.EmergencyNumber, Notes: v.Notes, PlanURL: url,
		QR: template.HTML(svg), // our own encoder's SVG: a path of squares, no text from the plan
	}
	if d.Therapist == "" {
		d.Therapist, d.TherapistFirst = "your therapist", "your therapist"
	}
	if n := v.NextSessionAt; n != nil && n.After(now) {
		d.NextSession = n.In(loc).Format("Monday 2 January at 15:04")
	} else if v.CadenceDays > 0 {
		d.Cadence = cadence(v.CadenceDays)
	}
	var stops []string
	for _, s := range v.Routine.Stretches {
		stops = append(stops, s.StopIf)
	}
	// Paper is short: the warning signs every stretch shares are printed once.
	d.StopAll = sharedSentences(stops)
	for _, s := range v.Routine.Stretches {
		d.Stretches = append(d.Stretches, printStretch{Stretch: s, Dose: dose(s),
			AlsoStop: strings.TrimSpace(strings.TrimPrefix(s.StopIf, d.StopAll))})
	}
	return renderPage(c, fiber.StatusOK, "print.html", d)
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
func dose(s care.Stretch) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Hold %d seconds · %d %s", s.HoldSeconds, s.Reps, plural(s.Reps, "time", "times"))
	if s.PerSide {
		b.WriteString(" on each side")
	}
	return b.String()
}

func cadence(days int) string {
	switch {
	case days == 7:
		return "week"
	case days%7 == 0:
		return fmt.Sprintf("%d weeks", days/7)
	}
	return fmt.Sprintf("%d %s", days, plural(days, "day", "days"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
