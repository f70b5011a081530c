package server

import (
	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/model"
)

// bodyOf decodes the request's JSON body strictly (model.DecodeStrict) into
// the typed input a service takes. A refused body answers the error of
// addressed instead, when that fails: a route's service checks what the path
// addresses (a plan, another therapist's plan) before it reads the input, so
// an unknown link is 404 whatever was sent. addressed may be nil.
func bodyOf[T any](c *fiber.Ctx, addressed func() error) (T, error) {
	var in T
	err := model.DecodeStrict(c.BodyRaw(), &in)
	if err != nil && addressed != nil {
		if aerr := addressed(); aerr != nil {
			return in, aerr
		}
	}
	return in, err
}

// planOf is the check of a client route's plan, for bodyOf.
func (h *handlers) planOf(c *fiber.Ctx) func() error {
	return func() error { return h.Care.CheckPlan(c.Params("token")) }
}
