package server

import (
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/model"
)

const (
	localsTherapist = "therapist"
	localsSession   = "session"
	localsSecret    = "sessionSecret"
)

// CSRFHeader carries the session's CSRF token on cookie-authenticated writes.
const CSRFHeader = "X-CSRF-Token"

// Refusals of the workspace's credentials middleware.
var (
	errNoBearer     = model.UnauthorizedError("missing credentials: send Authorization: Bearer <API token>")
	errNoCredential = model.UnauthorizedError("missing credentials: log in, or send Authorization: Bearer <API token>")
	errCSRF         = model.ForbiddenError("missing or wrong " + CSRFHeader + " header (reload the page)")
	errNeedSession  = model.ForbiddenError("log in with your password for this; API tokens cannot change account settings")
	errNotOwner     = model.ForbiddenError("only the studio owner can manage therapists")
)

// requireTherapist authenticates "Authorization: Bearer <API token>" or, without
// that header, the session cookie; cookie-authenticated writes must also send the
// session's CSRF token in X-CSRF-Token. A client's plan token is neither, so it
// never reaches a therapist route.
func (h *handlers) requireTherapist(c *fiber.Ctx) error {
	if _, ok := c.Locals(localsTherapist).(model.Therapist); ok {
		return c.Next() // already authenticated by an enclosing group
	}
	if authz := c.Get(fiber.HeaderAuthorization); authz != "" {
		secret, ok := strings.CutPrefix(authz, "Bearer ")
		if !ok || strings.TrimSpace(secret) == "" {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="aftercare"`)
			return errNoBearer
		}
		t, err := h.Auth.TherapistByAPIToken(strings.TrimSpace(secret))
		if err != nil {
			c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="aftercare", error="invalid_token"`)
			return err
		}
		c.Locals(localsTherapist, t)
		return c.Next()
	}
	secret := c.Cookies(h.sessionCookie())
	if secret == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="aftercare"`)
		return errNoCredential
	}
	t, sess, err := h.Auth.Session(secret)
	if errors.Is(err, auth.ErrNoSession) {
		h.clearSessionCookies(c)
		return err
	} else if err != nil {
		return err
	}
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead, fiber.MethodOptions:
	default:
		if !auth.CSRFValid(sess, c.Get(CSRFHeader)) {
			return errCSRF
		}
	}
	c.Locals(localsTherapist, t)
	c.Locals(localsSession, sess)
	c.Locals(localsSecret, secret)
	return c.Next()
}

// requireSession admits only a logged-in browser: account settings are not for API tokens.
func (h *handlers) requireSession(c *fiber.Ctx) error {
	if _, ok := c.Locals(localsSession).(model.Session); !ok {
		return errNeedSession
	}
	return c.Next()
}

// requireOwner admits only the studio owner.
func (h *handlers) requireOwner(c *fiber.Ctx) error {
	if !therapistOf(c).Owner {
		return errNotOwner
	}
	return c.Next()
}

func therapistOf(c *fiber.Ctx) model.Therapist {
	t, _ := c.Locals(localsTherapist).(model.Therapist)
	return t
}

// createPlan accepts the original body plus an optional "stretches" list (the therapist's own order).
func (h *handlers) createPlan(c *fiber.Ctx) error {
	in, err := bodyOf[model.CustomCreateInput](c, nil)
	if err != nil {
		return err
	}
	p, err := h.Care.CreatePlan(therapistOf(c), in)
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

func (h *handlers) planCheckIns(c *fiber.Ctx) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	page, err := h.Care.PlanCheckIns(therapistOf(c), c.Params("token"), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (h *handlers) planCompletions(c *fiber.Ctx) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	page, err := h.Care.PlanCompletions(therapistOf(c), c.Params("token"), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (h *handlers) planSeries(c *fiber.Ctx) error {
	series, err := h.Care.PlanSeries(therapistOf(c), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(series)
}
