package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/openapi"
)

// openAPIDocument serves the OpenAPI document of this API; it changes only with
// a new build, so clients may cache it for an hour and revalidate by ETag.
func (h *handlers) openAPIDocument(c *fiber.Ctx) error {
	doc, err := openapi.JSON()
	if err != nil {
		return err
	}
	etag, err := openapi.ETag()
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	c.Set(fiber.HeaderETag, etag)
	if c.Fresh() {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSON)
	return c.Send(doc)
}
