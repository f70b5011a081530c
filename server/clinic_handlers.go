package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
)

// The clinical routes (issue 13): the version-2 check-in (through
// addCheckIn), PSFS ratings, the preparation form, the clinical texts and the
// therapist's summary.

// addClinicCheckIn is POST /api/p/{token}/checkins with a version-2 body.
func (h *handlers) addClinicCheckIn(c *fiber.Ctx) error {
	v, created, err := h.Care.AddClinicCheckIn(c.Params("token"), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.Status(createdOrOK(created)).JSON(v)
}

// addPSFS is POST /api/p/{token}/psfs.
func (h *handlers) addPSFS(c *fiber.Ctx) error {
	v, created, err := h.Care.AddPSFS(c.Params("token"), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.Status(createdOrOK(created)).JSON(v)
}

// addPreparation is POST /api/p/{token}/preparation.
func (h *handlers) addPreparation(c *fiber.Ctx) error {
	v, created, err := h.Care.AddPreparation(c.Params("token"), c.BodyRaw())
	if err != nil {
		return err
	}
	return c.Status(createdOrOK(created)).JSON(v)
}

// clinicContent is GET /api/clinic/{lang}: every clinical text the app shows,
// cached like the message catalogs (immutable under the versioned URL the
// plan view names, else revalidated by ETag).
func (h *handlers) clinicContent(c *fiber.Ctx) error {
	data, version, ok := care.ClinicContent(c.Params("lang"))
	if !ok {
		return fiber.NewError(fiber.StatusNotFound, "no clinical texts in language "+c.Params("lang")+" (one of "+strings.Join(model.SupportedLanguages(), ", ")+")")
	}
	return sendVersioned(c, data, version, c.Params("lang"))
}

// planSummary is GET /api/plans/{token}/summary.
func (h *handlers) planSummary(c *fiber.Ctx) error {
	v, err := h.Care.PlanSummary(therapistOf(c), c.Params("token"))
	if err != nil {
		return err
	}
	return c.JSON(v)
}
