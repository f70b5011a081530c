package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/plan"
)

const localsTherapist = "therapist"

// requireTherapist authenticates "Authorization: Bearer <API token>".
func (h *handlers) requireTherapist(c *fiber.Ctx) error {
	auth := c.Get(fiber.HeaderAuthorization)
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	if !ok || secret == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="aftercare"`)
		return fiber.NewError(fiber.StatusUnauthorized, "missing credentials: send Authorization: Bearer <API token>")
	}
	t, err := h.DB.TherapistByAPIToken(strings.TrimSpace(secret))
	if err != nil {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="aftercare", error="invalid_token"`)
		return fiber.NewError(fiber.StatusUnauthorized, "invalid or revoked API token")
	}
	c.Locals(localsTherapist, t)
	return c.Next()
}

func therapistOf(c *fiber.Ctx) plan.Therapist {
	t, _ := c.Locals(localsTherapist).(plan.Therapist)
	return t
}

func (h *handlers) createPlan(c *fiber.Ctx) error {
	p, err := h.Care.CreatePlan(therapistOf(c), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{"token": p.Token, "url": h.Care.PlanURL(p.Token)})
}

func (h *handlers) listPlans(c *fiber.Ctx) error {
	list, err := h.Care.PlansFor(therapistOf(c))
	if err != nil {
		return err
	}
	return c.JSON(list)
}

func (h *handlers) therapistPlan(c *fiber.Ctx) error {
	p, err := h.Care.PlanFor(therapistOf(c), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(p)
}
