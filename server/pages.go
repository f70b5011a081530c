package server

import (
	"bytes"
	"embed"
	"html/template"
	"strconv"

	"github.com/gofiber/fiber/v2"
)

// Pages the server renders itself (the printed plan, the calendar's open
// page): html/template, with styles and scripts in /app/ as the CSP asks.
//
//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.New("").Funcs(template.FuncMap{
	"inc": func(i int) int { return i + 1 },
}).ParseFS(templateFiles, "templates/*.html"))

// renderPage writes template name with data as an HTML page that no cache keeps.
func renderPage(c *fiber.Ctx, status int, name string, data any) error {
	var buf bytes.Buffer
	if err := pages.ExecuteTemplate(&buf, name, data); err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, fiber.MIMETextHTMLCharsetUTF8)
	c.Set(fiber.HeaderCacheControl, "no-store")
	c.Set(fiber.HeaderContentLength, strconv.Itoa(buf.Len()))
	return c.Status(status).Send(buf.Bytes())
}
