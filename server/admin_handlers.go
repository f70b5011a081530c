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
