package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/webhook"
)

// webhookSettings shows the studio's outgoing webhook (never its secret).
func (h *handlers) webhookSettings(c *fiber.Ctx) error {
	v, err := h.Webhooks.Settings()
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// saveWebhook sets, changes or (url "") removes the webhook; a new secret is
// in this answer only.
func (h *handlers) saveWebhook(c *fiber.Ctx) error {
	in, err := bodyOf[webhook.SettingsInput](c, nil)
	if err != nil {
		return err
	}
	v, err := h.Webhooks.Save(in)
	if err != nil {
		return err
	}
	return c.JSON(v)
}

// testWebhook sends a signed ping now and says how the receiver answered.
func (h *handlers) testWebhook(c *fiber.Ctx) error {
	res, err := h.Webhooks.Test(c.UserContext())
	if err != nil {
		return err
	}
	return c.JSON(res)
}
