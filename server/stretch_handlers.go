package server

import (
	"bytes"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/photo"
)

// PhotoUploadPath takes a stretch photo as the raw request body (up to
// photo.MaxUploadBytes; every other route keeps BodyLimit).
const PhotoUploadPath = "/api/stretches/photos"

// stretchRoutes registers the therapist's own stretches and their photos.
func (h *handlers) stretchRoutes(app *fiber.App, api fiber.Router) {
	t := h.requireTherapist
	api.Get("/stretches", t, h.listCustomStretches)
	api.Post("/stretches", t, h.createCustomStretch)
	api.Post("/stretches/photos", t, h.uploadPhoto)
	api.Get("/stretches/library", t, h.libraryStretches)
	api.Get("/stretches/:id", t, h.getCustomStretch)
	api.Put("/stretches/:id", t, h.updateCustomStretch)
	api.Post("/stretches/:id/retire", t, h.retireCustomStretch)
	app.Get("/img/custom/:file", h.customPhoto)
	allowLargeUploads(app.Server(), h.sessionCookie())
}

// allowLargeUploads raises the body limit for photo uploads alone, as soon
// as the request's header is read and before its body is: a POST to
// PhotoUploadPath that carries credentials (an Authorization header or the
// session cookie; they are checked later, as everywhere) may send up to
// photo.MaxUploadBytes, within UploadReadTimeout. Anything larger, or without credentials, is refused
// with 413 before its body is read, like every other route over BodyLimit.
func allowLargeUploads(s *fasthttp.Server, cookie string) {
	s.HeaderReceived = func(h *fasthttp.RequestHeader) fasthttp.RequestConfig {
		if !bytes.Equal(h.Method(), []byte(fasthttp.MethodPost)) {
			return fasthttp.RequestConfig{}
		}
		path, _, _ := strings.Cut(string(h.RequestURI()), "?")
		if !strings.EqualFold(strings.TrimSuffix(path, "/"), PhotoUploadPath) {
			return fasthttp.RequestConfig{}
		}
		if len(h.Peek(fasthttp.HeaderAuthorization)) == 0 && len(h.Cookie(cookie)) == 0 {
			return fasthttp.RequestConfig{}
		}
		// 8 MB from a phone on a slow mobile connection takes longer than ReadTimeout (15 s).
		return fasthttp.RequestConfig{MaxRequestBodySize: photo.MaxUploadBytes, ReadTimeout: UploadReadTimeout}
	}
}

// UploadReadTimeout is how long a photo upload's body may take to arrive.
const UploadReadTimeout = 2 * time.Minute

func (h *handlers) listCustomStretches(c *fiber.Ctx) error {
	list, err := h.Care.CustomStretches(therapistOf(c))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// libraryStretches lists every library stretch, variations included (some are in no
// routine), in the language asked for (?lang= or Accept-Language): the poses and
// links a therapist's own stretch may use; and each language's safety phrases,
// which an own stretch in that language must carry.
func (h *handlers) libraryStretches(c *fiber.Ctx) error {
	l, err := h.requestLocale(c)
	if err != nil {
		return err
	}
	safety := map[string]routines.SafetyPhrases{}
	for _, tag := range routines.Supported() {
		safety[tag.String()] = routines.SafetyPhrasesIn(tag)
	}
	return c.JSON(fiber.Map{"stretches": routines.StretchesIn(l.Tag()), "safety": safety})
}

func (h *handlers) getCustomStretch(c *fiber.Ctx) error {
	s, err := h.Care.CustomStretch(therapistOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (h *handlers) createCustomStretch(c *fiber.Ctx) error {
	in, err := bodyOf[model.CustomStretchInput](c, nil)
	if err != nil {
		return err
	}
	s, err := h.Care.CreateCustomStretch(therapistOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(s)
}

func (h *handlers) updateCustomStretch(c *fiber.Ctx) error {
	t := therapistOf(c)
	in, err := bodyOf[model.CustomStretchInput](c, func() error {
		_, err := h.Care.CustomStretch(t, c.Params("id"))
		return err
	})
	if err != nil {
		return err
	}
	s, err := h.Care.UpdateCustomStretch(t, c.Params("id"), in)
	if err != nil {
		return err
	}
	return c.JSON(s)
}

func (h *handlers) retireCustomStretch(c *fiber.Ctx) error {
	s, err := h.Care.RetireCustomStretch(therapistOf(c), c.Params("id"))
	if err != nil {
		return err
	}
	return c.JSON(s)
}

// uploadPhoto takes the picture as the raw body; its Content-Type must be an
// image type or application/octet-stream (refuseEncodedBodies), but the type
// is sniffed from the bytes.
func (h *handlers) uploadPhoto(c *fiber.Ctx) error {
	// A photo upload is the picture itself, never a form (whose fields a cross-site page could send).
	if ct := c.Get(fiber.HeaderContentType); !strings.HasPrefix(ct, "image/") && ct != fiber.MIMEOctetStream {
		return fiber.NewError(fiber.StatusUnsupportedMediaType, "send the picture itself with Content-Type: image/jpeg, image/png or image/webp")
	}
	ph, err := h.Care.UploadPhoto(c.UserContext(), therapistOf(c), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(ph)
}

// customPhoto serves a stored photo; its name is its content hash, so it never changes.
func (h *handlers) customPhoto(c *fiber.Ctx) error {
	data, contentType, err := h.Care.Photo(c.Params("file"))
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	c.Set(fiber.HeaderCacheControl, "public, max-age=31536000, immutable")
	return c.Send(data)
}
