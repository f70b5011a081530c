package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/studio"
)

// studioRoutes registers the owner's studio settings under admin (owner
// only) and the public logo and icons under /studio/.
func (h *handlers) studioRoutes(app *fiber.App, admin fiber.Router) {
	admin.Get("/studio", h.getStudio)
	admin.Put("/studio", h.putStudio)
	admin.Put("/studio/logo", h.putStudioLogo)
	admin.Delete("/studio/logo", h.deleteStudioLogo)
	app.Get("/studio/:file", h.studioImage)
}

// imageUploadPath takes the studio's logo as the raw body (like PhotoUploadPath, whose limits it shares).
const imageUploadPath = "/api/admin/studio/logo"

// imageUpload reports whether c is an upload to imageUploadPath of a picture
// the photo pipeline takes, by its Content-Type (the bytes decide later).
func imageUpload(c *fiber.Ctx) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.Split(c.Get(fiber.HeaderContentType), ";")[0]))
	return c.Path() == imageUploadPath && (ct == "image/png" || ct == "image/jpeg" || ct == "image/webp" || ct == fiber.MIMEOctetStream)
}

func (h *handlers) getStudio(c *fiber.Ctx) error {
	v, err := h.Care.Studio()
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *handlers) putStudio(c *fiber.Ctx) error {
	in, err := bodyOf[studio.Input](c, nil)
	if err != nil {
		return err
	}
	v, err := h.Care.SetStudio(in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// putStudioLogo takes the logo as the raw body (a JPEG, PNG or WebP picture,
// as the stretch photos); the type is sniffed from the bytes.
func (h *handlers) putStudioLogo(c *fiber.Ctx) error {
	if !imageUpload(c) {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the logo itself with Content-Type: image/jpeg, image/png or image/webp (SVG is not accepted: it can carry scripts)")
	}
	v, err := h.Care.SetStudioLogo(c.UserContext(), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *handlers) deleteStudioLogo(c *fiber.Ctx) error {
	v, err := h.Care.RemoveStudioLogo()
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// studioImage serves the logo and the icons made from it; the ?v= in their
// URLs changes with the logo, so a year's caching is safe.
func (h *handlers) studioImage(c *fiber.Ctx) error {
	data, err := h.Care.StudioImage(c.Params("file"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "image/png")
	if c.Query("v") != "" {
		c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	return c.Send(data)
}

// brandManifest puts the studio into a plan's manifest m: its name, its
// accent as the theme colour, and the icons made from its logo.
func (h *handlers) brandManifest(m map[string]any, l *locale.Locale, clientName string) error {
	st, err := h.Care.Studio()
	if err != nil {
		return err
	}
	if st.Name != "" {
		m["name"] = l.Format("manifest.nameStudio", locale.Data{"Studio": st.Name, "Name": clientName})
		m["short_name"] = st.Name
	}
	m["theme_color"] = st.Accent.Light
	if st.Logo != "" {
		v := strings.TrimPrefix(st.Logo, "/studio/logo.png")
		m["icons"] = []manifestIcon{
			{Src: "/studio/icon-192.png" + v, Sizes: "192x192", Type: "image/png", Purpose: "any"},
			{Src: "/studio/icon-512.png" + v, Sizes: "512x512", Type: "image/png", Purpose: "any"},
			{Src: "/studio/maskable-512.png" + v, Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		}
	}
	return nil
}
