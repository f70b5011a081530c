package server

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"sync"

	"github.com/gofiber/fiber/v2"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
)

// wordsReply is one language's workspace catalog as sent: the JSON body and its ETag.
type wordsReply struct {
	body []byte
	etag string
}

// workspaceWords holds every language's reply, built once: the catalogs are embedded.
var workspaceWords = sync.OnceValue(func() map[language.Tag]wordsReply {
	out := map[language.Tag]wordsReply{}
	var tags []string
	for _, tag := range routines.Supported() {
		tags = append(tags, tag.String())
	}
	for _, tag := range routines.Supported() {
		file, got := routines.WorkspaceMessageFile(tag)
		body, err := json.Marshal(struct {
			Language  string          `json:"language"`
			Languages []string        `json:"languages"` // for the language menu, English first
			Messages  json.RawMessage `json:"messages"`
		}{got.String(), tags, file})
		if err != nil {
			panic(err) // the files are checked by routines' tests: this is a broken build
		}
		sum := sha256.Sum256(body)
		out[tag] = wordsReply{body, `"` + hex.EncodeToString(sum[:8]) + `"`}
	}
	return out
})

// workspaceMessages answers the workspace's words in the language that best
// matches :lang, a tag or the browser's whole list ("de-AT,de,en"), with the
// languages there are. The browser revalidates (ETag): the words change only
// with the binary.
func (h *handlers) workspaceMessages(c *fiber.Ctx) error {
	pref, err := url.PathUnescape(c.Params("lang"))
	if err != nil {
		pref = c.Params("lang")
	}
	r := workspaceWords()[routines.Match(pref)]
	c.Set(fiber.HeaderCacheControl, "no-cache")
	c.Set(fiber.HeaderETag, r.etag)
	if c.Get(fiber.HeaderIfNoneMatch) == r.etag {
		return c.SendStatus(fiber.StatusNotModified)
	}
	c.Set(fiber.HeaderContentType, fiber.MIMEApplicationJSONCharsetUTF8)
	return c.Send(r.body)
}
