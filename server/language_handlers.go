package server

import (
	"bytes"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
)

// requestLocale is the language a request asks for: ?lang= (one of the
// supported languages, else a 400 naming lang), else its Accept-Language,
// else the studio's. The answer says which (Content-Language) and that it
// depends on the header (Vary).
func (h *handlers) requestLocale(c *fiber.Ctx) (*locale.Locale, error) {
	c.Vary(fiber.HeaderAcceptLanguage)
	if q := c.Query("lang"); q != "" {
		tag, err := model.ParseLanguage("lang", q)
		if err != nil {
			return nil, err
		}
		l := locale.Of(tag, h.Care.DefaultLanguage)
		c.Set(fiber.HeaderContentLanguage, l.String())
		return l, nil
	}
	l := locale.For(locale.Negotiate(c.Get(fiber.HeaderAcceptLanguage), h.Care.DefaultLanguage))
	c.Set(fiber.HeaderContentLanguage, l.String())
	return l, nil
}

// browserLocale is the language of the request's Accept-Language, else the
// studio's: for pages that belong to no plan (or to one that is gone).
func (h *handlers) browserLocale(c *fiber.Ctx) *locale.Locale {
	return locale.For(locale.Negotiate(c.Get(fiber.HeaderAcceptLanguage), h.Care.DefaultLanguage))
}

// notFoundPage is the data of templates/notfound.html, in the browser's language.
func (h *handlers) notFoundPage(c *fiber.Ctx) map[string]string {
	l := h.browserLocale(c)
	return map[string]string{"Lang": l.String(), "Title": l.Text("notfound.title"), "Lead": l.Text("notfound.lead")}
}

// messages serves GET /api/messages/{lang}: the language's message file
// (go-i18n JSON, placeholders for the app to fill), which the app keeps for
// offline use. Under the versioned URL a plan view names (?v=) it never
// changes, so it may be cached for good; without it, it is revalidated.
func (h *handlers) messages(c *fiber.Ctx) error {
	tag, ok := locale.Supported(c.Params("lang"))
	if !ok || tag.String() != c.Params("lang") {
		return fiber.NewError(fiber.StatusNotFound, "no messages in language "+c.Params("lang")+" (one of "+strings.Join(model.SupportedLanguages(), ", ")+")")
	}
	l := locale.For(tag)
	data, version := l.Catalog()
	return sendVersioned(c, data, version, l.String())
}

// sendVersioned answers with JSON data of the language lang that has a
// version (a hash of its bytes): immutable under the versioned URL (?v=
// version) a plan view names, else revalidated by its ETag (304 when it matches).
func sendVersioned(c *fiber.Ctx, data []byte, version, lang string) error {
	etag := `"` + version + `"`
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	c.Set(fiber.HeaderContentLanguage, lang)
	c.Set(fiber.HeaderETag, etag)
	if c.Query("v") == version {
		c.Set(fiber.HeaderCacheControl, immutable)
	} else {
		c.Set(fiber.HeaderCacheControl, "no-cache")
	}
	if strings.Contains(c.Get(fiber.HeaderIfNoneMatch), etag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	return c.Send(data)
}

type settingsInput struct {
	Language        string `json:"language"`
	PrepareReminder *bool  `json:"prepareReminder"`
}

// changeSettings is PUT /api/session/settings: the therapist's own language
// (the workspace and the alerts on their devices speak it) and the
// prepare reminder (a push the morning before each booked session); either
// or both. The language is checked before anything is stored.
func (h *handlers) changeSettings(c *fiber.Ctx) error {
	in, err := bodyOf[settingsInput](c, nil)
	if err != nil {
		return err
	}
	t, err := h.Accounts.ChangeSettings(therapistOf(c), in.Language, in.PrepareReminder)
	if err != nil {
		return err
	}
	return c.JSON(h.meOf(t))
}

// htmlLang writes lang into a page's <html lang="…"> (the shell is written
// in English; a plan's page speaks the plan's language).
func htmlLang(page []byte, lang string) []byte {
	const en = `<html lang="en"`
	if lang == "en" || !bytes.Contains(page, []byte(en)) {
		return page
	}
	return bytes.Replace(page, []byte(en), []byte(`<html lang="`+lang+`"`), 1)
}
