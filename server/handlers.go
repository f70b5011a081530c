package server

import (
	"net"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
)

type handlers struct {
	Deps
	trusted []*net.IPNet // -trusted-proxies, parsed
}

func (h *handlers) health(c *fiber.Ctx) error {
	if err := h.Care.Ping(); err != nil {
		return c.Status(fiber.StatusServiceUnavailable).JSON(fiber.Map{"status": "unavailable", "error": "database not readable"})
	}
	return c.JSON(fiber.Map{"status": "ok"})
}

// routineSummary is one entry of GET /api/routines.
type routineSummary struct {
	routines.Routine
	EstimatedMinutes int    `json:"estimatedMinutes"`
	Language         string `json:"language"`
}

// listRoutines is GET /api/routines in the language asked for (?lang= or Accept-Language).
func (h *handlers) listRoutines(c *fiber.Ctx) error {
	l, err := h.requestLocale(c)
	if err != nil {
		return err
	}
	out := []routineSummary{}
	for _, r := range routines.RoutinesIn(l.Tag()) {
		out = append(out, routineSummary{r, routines.EstimatedMinutes(r), l.String()})
	}
	return c.JSON(out)
}

// getRoutine is GET /api/routines/{id} in the language asked for (?lang= or Accept-Language).
func (h *handlers) getRoutine(c *fiber.Ctx) error {
	r, ok := routines.RoutineByID(c.Params("id"))
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "unknown routine")
	}
	l, err := h.requestLocale(c)
	if err != nil {
		return err
	}
	// A template is a plan with no overrides.
	return c.JSON(care.Routine(model.Plan{RoutineID: r.ID, Language: l.String()}))
}

func (h *handlers) illustration(c *fiber.Ctx) error {
	id, ok := strings.CutSuffix(c.Params("file"), ".svg")
	if !ok {
		return fiber.ErrNotFound
	}
	svg, ok := h.Illustration(id)
	if !ok {
		return fiber.ErrNotFound
	}
	c.Set(fiber.HeaderContentType, "image/svg+xml")
	c.Set(fiber.HeaderCacheControl, "public, max-age=86400")
	return c.Send(svg)
}

func (h *handlers) pushKey(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.JSON(fiber.Map{"publicKey": h.VAPIDPublicKey})
}

func (h *handlers) clientPlan(c *fiber.Ctx) error {
	v, err := h.Care.ClientView(c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}

func (h *handlers) erasePlan(c *fiber.Ctx) error {
	if err := h.Care.ErasePlan(c.Params("token")); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *handlers) addCompletion(c *fiber.Ctx) error {
	in, err := bodyOf[model.CompletionInput](c, h.planOf(c))
	if err != nil {
		return err
	}
	done, created, err := h.Care.AddCompletion(c.Params("token"), in)
	if err != nil {
		return err
	}
	return c.Status(createdOrOK(created)).JSON(done)
}

func (h *handlers) addCheckIn(c *fiber.Ctx) error {
	if care.IsClinicCheckIn(c.BodyRaw()) {
		return h.addClinicCheckIn(c)
	}
	in, err := bodyOf[model.CheckInInput](c, h.planOf(c))
	if err != nil {
		return err
	}
	ci, advice, created, err := h.Care.AddCheckIn(c.UserContext(), c.Params("token"), in)
	if err != nil {
		return err
	}
	// advice is the kind the app switches on; adviceTexts are the words to show, in the plan's language.
	return c.Status(createdOrOK(created)).JSON(fiber.Map{"checkin": ci, "advice": advice.Kind, "adviceTexts": advice.Texts})
}

// pageQuery decodes ?limit=&before= of a history route.
func pageQuery(c *fiber.Ctx) (model.PageQuery, error) {
	return model.DecodePageQuery(c.Query("limit"), c.Query("before"))
}

func (h *handlers) clientCheckIns(c *fiber.Ctx) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	page, err := h.Care.CheckIns(c.Params("token"), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (h *handlers) clientCompletions(c *fiber.Ctx) error {
	q, err := pageQuery(c)
	if err != nil {
		return err
	}
	page, err := h.Care.Completions(c.Params("token"), q)
	if err != nil {
		return err
	}
	return c.JSON(page)
}

func (h *handlers) setPrefs(c *fiber.Ctx) error {
	in, err := bodyOf[model.PrefsInput](c, h.planOf(c))
	if err != nil {
		return err
	}
	prefs, err := h.Care.SetPrefs(c.Params("token"), in)
	if err != nil {
		return err
	}
	return c.JSON(prefs)
}

func (h *handlers) subscribe(c *fiber.Ctx) error {
	in, err := bodyOf[model.SubscriptionInput](c, h.planOf(c))
	if err != nil {
		return err
	}
	created, resubscribe, err := h.Care.Subscribe(c.Params("token"), in)
	if err != nil {
		return err
	}
	// needsResubscribe: the push service refused this subscription; the app subscribes afresh.
	return c.Status(createdOrOK(created)).JSON(fiber.Map{"subscribed": true, "needsResubscribe": resubscribe})
}

func (h *handlers) unsubscribe(c *fiber.Ctx) error {
	in, err := bodyOf[model.EndpointInput](c, h.planOf(c))
	if err != nil {
		return err
	}
	if err := h.Care.Unsubscribe(c.Params("token"), in); err != nil {
		return err
	}
	return c.SendStatus(fiber.StatusNoContent)
}

func (h *handlers) testPush(c *fiber.Ctx) error {
	n, err := h.Care.TestPush(c.UserContext(), c.Params("token"))
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusAccepted).JSON(fiber.Map{"devices": n})
}

func createdOrOK(created bool) int {
	if created {
		return fiber.StatusCreated
	}
	return fiber.StatusOK
}
