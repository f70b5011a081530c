package server

import (
	"errors"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
)

// calendarRoutes registers the calendar feed, its open page, the next-session
// file, feed rotation and the printed plan. client is the /api/p/:token group.
func (h *handlers) calendarRoutes(app *fiber.App, client fiber.Router) {
	client.Post("/calendar/rotate", h.rotateCalendar)
	client.Get("/calendar/next-session.ics", h.nextSessionCalendar)
	app.Get("/c/:feed.ics", h.calendarFeed)
	app.Get("/c/:feed/open", h.calendarOpen)
	app.Get("/p/:token/print", h.printPlan)
}

// calendarFeed serves GET /c/{feedToken}.ics to calendar apps and services.
func (h *handlers) calendarFeed(c *fiber.Ctx) error {
	body, err := h.Care.CalendarFeed(c.Params("feed"))
	if err != nil {
		return err
	}
	return sendCalendar(c, body, "inline", "aftercare.ics")
}

func (h *handlers) nextSessionCalendar(c *fiber.Ctx) error {
	body, err := h.Care.NextSessionCalendar(c.Params("token"))
	if err != nil {
		return err
	}
	return sendCalendar(c, body, "attachment", "next-session.ics")
}

func sendCalendar(c *fiber.Ctx, body []byte, disposition, name string) error {
	c.Set(fiber.HeaderContentType, "text/calendar; charset=utf-8")
	c.Set(fiber.HeaderContentDisposition, disposition+`; filename="`+name+`"`)
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(body)
}

func (h *handlers) rotateCalendar(c *fiber.Ctx) error {
	links, err := h.Care.RotateCalendar(c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"calendar": links})
}

// calendarOpen is the page a calendar event links to: it hands over to the
// plan this browser already holds (app/open.js) without the feed ever naming
// the plan's token, or says how to open the plan.
// It speaks the plan's language, or the browser's once the feed is gone.
func (h *handlers) calendarOpen(c *fiber.Ctx) error {
	l, err := h.Care.FeedLocale(c.Params("feed"))
	switch {
	case errors.Is(err, model.ErrNotFound):
		return renderPage(c, fiber.StatusNotFound, "open.html", openPage(h.browserLocale(c), false))
	case err != nil:
		return err
	}
	return renderPage(c, fiber.StatusOK, "open.html", openPage(l, true))
}

// openPageData is the data of templates/open.html.
type openPageData struct {
	Valid                                       bool
	Lang, Opening, Title, Lead, After, GoneLead string
	Remove                                      []string
}

func openPage(l *locale.Locale, valid bool) openPageData {
	d := openPageData{Valid: valid, Lang: l.String(), Opening: l.Text("open.opening")}
	if valid {
		d.Title, d.Lead, d.After = l.Text("open.elsewhere.title"), l.Text("open.elsewhere.lead"), l.Text("open.elsewhere.after")
		return d
	}
	d.Title, d.GoneLead = l.Text("open.gone.title"), l.Text("open.gone.lead")
	d.Remove = []string{l.Format("open.gone.iphone", locale.Data{"Calendar": l.Text("calendar.name")}),
		l.Text("open.gone.mac"), l.Text("open.gone.google"), l.Text("open.gone.outlook")}
	return d
}
