package server

import (
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/qr"
)

// proxyHeader names the header carrying the client address, only when proxies are trusted.
func proxyHeader(trusted []string) string {
	if len(trusted) == 0 {
		return ""
	}
	return fiber.HeaderXForwardedFor
}

func (h *handlers) listTokens(c *fiber.Ctx) error {
	list, err := h.Accounts.APITokens(therapistOf(c).ID)
	if err != nil {
		return err
	}
	return c.JSON(list)
}

type tokenInput struct {
	Name string `json:"name"`
}

// createToken shows the secret once; only its hash is stored.
func (h *handlers) createToken(c *fiber.Ctx) error {
	in, err := bodyOf[tokenInput](c, nil)
	if err != nil {
		return err
	}
	secret, tok, err := h.Accounts.NewAPIToken(therapistOf(c), in.Name)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": secret, "name": tok.Name})
}

func (h *handlers) revokeToken(c *fiber.Ctx) error {
	if err := h.Accounts.RevokeAPIToken(therapistOf(c).ID, c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *handlers) therapistDevices(c *fiber.Ctx) error {
	n, err := h.Care.TherapistDevices(therapistOf(c))
	if err != nil {
		return err
	}
	return c.JSON(fiber.Map{"devices": n})
}

func (h *handlers) therapistSubscribe(c *fiber.Ctx) error {
	in, err := bodyOf[model.SubscriptionInput](c, nil)
	if err != nil {
		return err
	}
	created, err := h.Care.SubscribeTherapist(therapistOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(createdOrOK(created)).JSON(fiber.Map{"subscribed": true})
}

func (h *handlers) therapistUnsubscribe(c *fiber.Ctx) error {
	in, err := bodyOf[model.EndpointInput](c, nil)
	if err != nil {
		return err
	}
	if err := h.Care.UnsubscribeTherapist(therapistOf(c), in); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

// therapistView is a row of the owner's team list.
type therapistView struct {
	me
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"createdAt"`
}

func (h *handlers) listTherapists(c *fiber.Ctx) error {
	list, err := h.Accounts.Therapists()
	if err != nil {
		return err
	}
	out := make([]therapistView, 0, len(list))
	for _, t := range list {
		out = append(out, therapistView{h.meOf(t), t.Disabled, t.CreatedAt})
	}
	return c.JSON(out)
}

type inviteInput struct {
	Email string `json:"email"`
}

func (h *handlers) inviteTherapist(c *fiber.Ctx) error {
	in, err := bodyOf[inviteInput](c, nil)
	if err != nil {
		return err
	}
	url, inv, err := h.Accounts.InviteTherapist(therapistOf(c), in.Email)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"url": url, "email": inv.Email, "expiresAt": inv.ExpiresAt})
}

// pendingInvite is a pending invitation in the owner's team list: never its secret or hash.
type pendingInvite struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	CreatedAt time.Time `json:"createdAt"`
	ExpiresAt time.Time `json:"expiresAt"`
}

func (h *handlers) listInvites(c *fiber.Ctx) error {
	list, err := h.Accounts.PendingInvites()
	if err != nil {
		return err
	}
	out := make([]pendingInvite, 0, len(list))
	for _, inv := range list {
		out = append(out, pendingInvite{inv.ID, inv.Email, inv.CreatedAt, inv.ExpiresAt})
	}
	return c.JSON(out)
}

// cancelInvite deletes a pending invitation: its link then answers like a used one.
func (h *handlers) cancelInvite(c *fiber.Ctx) error {
	if err := h.Accounts.CancelInvite(c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

type therapistChange struct {
	Disabled *bool `json:"disabled"`
}

// changeTherapist disables or re-enables an account (account.Service.SetDisabled).
func (h *handlers) changeTherapist(c *fiber.Ctx) error {
	in, err := bodyOf[therapistChange](c, nil)
	if err != nil {
		return err
	}
	if in.Disabled == nil {
		return model.InvalidField("disabled", "is required (true or false)")
	}
	t, err := h.Accounts.SetDisabled(c.Params("id"), *in.Disabled)
	if err != nil {
		return err
	}
	return c.JSON(therapistView{h.meOf(t), t.Disabled, t.CreatedAt})
}

func (h *handlers) listTemplates(c *fiber.Ctx) error {
	list, err := h.Care.Templates(therapistOf(c))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *handlers) createTemplate(c *fiber.Ctx) error {
	in, err := bodyOf[model.TemplateInput](c, nil)
	if err != nil {
		return err
	}
	tpl, err := h.Care.CreateTemplate(therapistOf(c), in)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(tpl)
}

func (h *handlers) deleteTemplate(c *fiber.Ctx) error {
	if err := h.Care.DeleteTemplate(therapistOf(c), c.Params("id")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *handlers) listClients(c *fiber.Ctx) error {
	list, err := h.Care.Clients(therapistOf(c))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

// planQR draws the plan link: SVG by default, PNG with ?format=png (&size=pixels).
func (h *handlers) planQR(c *fiber.Ctx) error {
	token := c.Params("token")
	if err := h.Care.CheckPlanAccess(therapistOf(c), token); err != nil {
		return err
	}
	url := h.Care.PlanURL(token)
	switch c.Query("format", "svg") {
	case "svg":
		img, err := qr.SVG(url)
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/svg+xml")
		return c.Send(img)
	case "png":
		img, err := qr.PNG(url, c.QueryInt("size", 512))
		if err != nil {
			return err
		}
		c.Set(fiber.HeaderContentType, "image/png")
		return c.Send(img)
	}
	return model.InvalidField("format", "must be svg or png")
}

func (h *handlers) changePlan(c *fiber.Ctx) error {
	t, token := therapistOf(c), c.Params("token")
	in, err := bodyOf[model.PlanChangeInput](c, func() error { return h.Care.CheckPlanAccess(t, token) })
	if err != nil {
		return err
	}
	p, err := h.Care.ChangePlan(t, token, in)
	if err != nil {
		return err
	}
	return c.JSON(p)
}

func (h *handlers) endPlan(c *fiber.Ctx) error {
	p, err := h.Care.EndPlan(therapistOf(c), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}
