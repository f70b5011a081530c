package server

import (
	"time"

	"github.com/gofiber/fiber/v2"
)

// backup sends a compacted snapshot: live records only (nothing erased), checked
// before the first byte leaves, with its length. Writers are not blocked.
func (h *handlers) backup(c *fiber.Ctx) error {
	start := time.Now()
	f, size, err := h.Care.Backup()
	if err != nil {
		return err
	}
	name := "aftercare-" + h.Care.Clock().UTC().Format("20060102-150405") + ".db"
	c.Set(fiber.HeaderContentType, fiber.MIMEOctetStream)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	h.Logger.Info("backup snapshot", "bytes", size, "took", time.Since(start).Round(time.Millisecond))
	c.Context().SetBodyStream(f, int(size)) // fasthttp closes f (already unlinked) when sent
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
