package server

import (
	"bufio"
	"time"

	"github.com/gofiber/fiber/v2"
)

// backup streams a consistent bbolt snapshot; the read transaction does not block writers.
func (h *handlers) backup(c *fiber.Ctx) error {
	name := "aftercare-" + time.Now().UTC().Format("20060102-150405") + ".db"
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	db, logger := h.DB, h.Logger
	c.Context().SetBodyStreamWriter(func(w *bufio.Writer) {
		n, err := db.Backup(w)
		if err == nil {
			err = w.Flush()
		}
		if err != nil {
			logger.Error("backup stream", "err", err, "bytes", n)
			return
		}
		logger.Info("backup streamed", "bytes", n)
	})
	return nil
}

// localScrape serves a scraper on the same host directly; anyone else goes on
// to the owner check. Requests relayed by a proxy never count as local: behind
// a reverse proxy set -trusted-proxies so the client address is the real one.
func localScrape(scrape fiber.Handler) fiber.Handler {
	return func(c *fiber.Ctx) error {
		relayed := c.Get(fiber.HeaderXForwardedFor) != "" || c.Get("Forwarded") != ""
		// The TCP peer itself: with -trusted-proxies, c.IP() is read from X-Forwarded-For.
		if c.Context().RemoteIP().IsLoopback() && !relayed {
			return scrape(c)
		}
		return c.Next()
	}
}
