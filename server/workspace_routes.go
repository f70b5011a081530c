package server

import (
	"github.com/gofiber/fiber/v2"
)

// workspaceRoutes registers the therapist workspace: login and sessions, invites,
// account settings, the clients list, plan follow-up and the workspace's pages.
// It must run before the /api catch-all.
func (h *handlers) workspaceRoutes(app *fiber.App, api fiber.Router) {
	t, sess, owner := h.requireTherapist, h.requireSession, h.requireOwner

	api.Post("/session", h.login)
	api.Get("/session", t, h.getSession)
	api.Delete("/session", h.logout)
	api.Put("/session/password", t, sess, h.changePassword)
	api.Put("/session/settings", t, sess, h.changeSettings)

	api.Get("/workspace-messages/:lang", h.workspaceMessages)

	api.Get("/invites/:secret", h.getInvite)
	api.Post("/invites/:secret", h.acceptInvite)

	api.Get("/tokens", t, sess, h.listTokens)
	api.Post("/tokens", t, sess, h.createToken)
	api.Delete("/tokens/:id", t, sess, h.revokeToken)

	api.Get("/therapist/subscription", t, h.therapistDevices)
	api.Put("/therapist/subscription", t, h.therapistSubscribe)
	api.Delete("/therapist/subscription", t, h.therapistUnsubscribe)

	api.Get("/therapists", t, sess, owner, h.listTherapists)
	api.Get("/therapists/invites", t, sess, owner, h.listInvites)
	api.Post("/therapists/invites", t, sess, owner, h.inviteTherapist)
	api.Delete("/therapists/invites/:id", t, sess, owner, h.cancelInvite)
	api.Patch("/therapists/:id", t, sess, owner, h.changeTherapist)

	api.Get("/templates", t, h.listTemplates)
	api.Post("/templates", t, h.createTemplate)
	api.Delete("/templates/:id", t, h.deleteTemplate)

	h.stretchRoutes(app, api)

	api.Get("/clients", t, h.listClients)
	api.Get("/plans/:token/qr", t, h.planQR)
	api.Patch("/plans/:token", t, h.changePlan)
	api.Post("/plans/:token/end", t, h.endPlan)

	app.Get("/therapist", h.workspacePage)
	app.Get("/therapist/*", h.staticAsset)
}

// WorkspaceRoutes lists every therapist route (method and path) for the authorization matrix test.
var WorkspaceRoutes = [][2]string{
	{"GET", "/api/session"}, {"PUT", "/api/session/password"}, {"PUT", "/api/session/settings"},
	{"GET", "/api/tokens"}, {"POST", "/api/tokens"}, {"DELETE", "/api/tokens/:id"},
	{"GET", "/api/therapist/subscription"}, {"PUT", "/api/therapist/subscription"}, {"DELETE", "/api/therapist/subscription"},
	{"GET", "/api/therapists"}, {"GET", "/api/therapists/invites"}, {"POST", "/api/therapists/invites"},
	{"DELETE", "/api/therapists/invites/:id"}, {"PATCH", "/api/therapists/:id"},
	{"GET", "/api/templates"}, {"POST", "/api/templates"}, {"DELETE", "/api/templates/:id"},
	{"GET", "/api/clients"},
	{"GET", "/api/stretches"}, {"POST", "/api/stretches"}, {"POST", "/api/stretches/photos"}, {"GET", "/api/stretches/library"},
	{"GET", "/api/stretches/:id"}, {"PUT", "/api/stretches/:id"}, {"POST", "/api/stretches/:id/retire"},
	{"POST", "/api/plans"}, {"GET", "/api/plans"}, {"GET", "/api/plans/:token"},
	{"GET", "/api/plans/:token/checkins"}, {"GET", "/api/plans/:token/completions"}, {"GET", "/api/plans/:token/series"},
	{"GET", "/api/plans/:token/summary"},
	{"GET", "/api/plans/:token/qr"}, {"PATCH", "/api/plans/:token"}, {"POST", "/api/plans/:token/end"},
	{"GET", "/api/admin/backup"},
	{"GET", "/api/admin/studio"}, {"PUT", "/api/admin/studio"}, {"PUT", "/api/admin/studio/logo"}, {"DELETE", "/api/admin/studio/logo"},
	{"GET", "/api/admin/webhook"}, {"PUT", "/api/admin/webhook"}, {"POST", "/api/admin/webhook/test"},
}

func (h *handlers) workspacePage(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return h.sendStatic(c, "therapist/index.html")
}
