package server

import (
	"encoding/json"
	"errors"
	"path"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
)

// clientApp serves the PWA shell for a plan link, its <html lang> the plan's
// language; an unknown token gets the same shell with 404 (in the browser's
// language) so the app can say plainly that the link is no longer valid.
func (h *handlers) clientApp(c *fiber.Ctx) error {
	page, ok := h.Assets.Open("index.html")
	if !ok {
		return fiber.ErrNotFound
	}
	status := fiber.StatusOK
	l, err := h.Care.PlanLocale(c.Params("token"))
	if errors.Is(err, model.ErrNotFound) {
		status = fiber.StatusNotFound
		l = h.browserLocale(c)
	} else if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, l.String())
	return c.Status(status).Send(htmlLang(page.Data, l.String()))
}

type manifestIcon struct {
	Src     string `json:"src"`
	Sizes   string `json:"sizes"`
	Type    string `json:"type"`
	Purpose string `json:"purpose,omitempty"`
}

// manifest is per plan: an iOS home-screen app opens start_url with storage
// of its own. Its name and description are in the plan's language.
func (h *handlers) manifest(c *fiber.Ctx) error {
	token := c.Params("token")
	clientName, err := h.Care.ClientName(token)
	if err != nil {
		return err
	}
	l, err := h.Care.PlanLocale(token)
	if err != nil {
		return err
	}
	start := "/p/" + token
	m := map[string]any{
		"id":               start,
		"name":             l.Format("manifest.name", locale.Data{"Name": clientName}),
		"short_name":       l.Text("manifest.shortName"),
		"description":      l.Text("manifest.description"),
		"start_url":        start,
		"scope":            "/",
		"display":          "standalone",
		"orientation":      "portrait",
		"background_color": "#fbf7f2",
		"theme_color":      "#2f6f62",
		"lang":             l.String(),
		"dir":              "ltr",
		"icons": []manifestIcon{
			{Src: "/app/icons/icon-192.png", Sizes: "192x192", Type: "image/png", Purpose: "any"},
			{Src: "/app/icons/icon-512.png", Sizes: "512x512", Type: "image/png", Purpose: "any"},
			{Src: "/app/icons/maskable-512.png", Sizes: "512x512", Type: "image/png", Purpose: "maskable"},
		},
	}
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, "application/manifest+json")
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.Send(body)
}

func (h *handlers) serviceWorker(c *fiber.Ctx) error {
	sw := h.Assets.ServiceWorker()
	if sw == nil {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set("Service-Worker-Allowed", "/")
	c.Set(fiber.HeaderContentType, "text/javascript; charset=utf-8")
	return c.Send(sw)
}

func (h *handlers) staticAsset(c *fiber.Ctx) error {
	return h.sendStatic(c, strings.TrimPrefix(path.Clean(c.Path()), "/"))
}

// immutable is for content-hashed names: the bytes behind such a URL never change.
const immutable = "public, max-age=31536000, immutable"

// sendStatic sends one of the app's files: under its content-hashed name for a year,
// under its plain name (and HTML pages) revalidated on every use, with an ETag.
func (h *handlers) sendStatic(c *fiber.Ctx, name string) error {
	f, ok := h.Assets.Open(name)
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, f.ContentType)
	if f.Immutable {
		c.Set(fiber.HeaderCacheControl, immutable)
		return c.Send(f.Data)
	}
	etag := `"` + f.Hash + `"`
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, etag)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(f.Data)
}

// home explains what this server is to someone who opens its bare address.
func (h *handlers) home(c *fiber.Ctx) error {
	return h.sendStatic(c, "home.html")
}
