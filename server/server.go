// Package server is aftercare's HTTP face: the Fiber app with its routes,
// middleware and thin handlers over the care service.
package server

import (
	"errors"
	"io/fs"
	"log/slog"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/metrics"
	"github.com/aftercare/aftercare/server/plan"
	"github.com/aftercare/aftercare/server/store"
)

// BodyLimit caps request bodies; every JSON body aftercare accepts is far smaller.
const BodyLimit = 64 << 10

// Deps is what the HTTP layer needs.
type Deps struct {
	Care           *care.Service
	DB             *store.DB
	VAPIDPublicKey string
	// Static is the PWA file system (index.html, sw.js, app/...).
	Static fs.FS
	// Metrics, if set, is served at /metrics (loopback or the owner's token).
	Metrics *metrics.Metrics
	// ServiceWorker is sw.js stamped with the app's version.
	ServiceWorker []byte
	// Illustration returns the SVG for a stretch id.
	Illustration func(id string) ([]byte, bool)
	Logger       *slog.Logger
	// Secure marks cookies Secure (the public URL is https).
	Secure bool
	// Auth keeps therapist sessions and login throttles; nil builds one on DB and Care.Now.
	Auth *auth.Service
	// TrustedProxies may set X-Forwarded-For (login throttling keys on the client address).
	TrustedProxies []string
}

// New builds the Fiber app with every route.
func New(d Deps) *fiber.App {
	app := fiber.New(fiber.Config{
		AppName:               "aftercare",
		BodyLimit:             BodyLimit,
		ReadTimeout:           15 * time.Second,
		WriteTimeout:          30 * time.Second,
		IdleTimeout:           60 * time.Second,
		ReadBufferSize:        8192,
		Immutable:             true, // strings from Params/Get stay valid after the handler returns
		DisableStartupMessage: true,
		ErrorHandler:          errorHandler(d.Logger),
		// The client address (login throttling) comes from X-Forwarded-For only via a trusted proxy.
		EnableTrustedProxyCheck: len(d.TrustedProxies) > 0,
		TrustedProxies:          d.TrustedProxies,
		ProxyHeader:             proxyHeader(d.TrustedProxies),
	})
	app.Use(recover.New())
	app.Use(requestLog(d.Logger, d.Metrics))
	app.Use(securityHeaders)
	// Responses are compressed for the phone's sake; request bodies never are (see refuseEncodedBodies).
	app.Use(compress.New(compress.Config{
		Level: compress.LevelBestSpeed,
		// A backup is a stream of already dense pages: compressing would buffer it whole.
		Next: func(c *fiber.Ctx) bool { return c.Path() == "/api/admin/backup" },
	}))

	h := &handlers{Deps: d, trusted: trustedNets(d.TrustedProxies)}
	app.Get("/healthz", h.health)
	if d.Metrics != nil {
		scrape := adaptor.HTTPHandler(d.Metrics.Handler())
		app.Get("/metrics", localScrape(scrape), h.requireTherapist, h.requireOwner, scrape)
	}

	api := app.Group("/api", noStore, refuseCrossSiteWrites, refuseEncodedBodies)
	api.Get("/routines", h.listRoutines)
	api.Get("/routines/:id", h.getRoutine)
	api.Get("/push/key", h.pushKey)
	api.Get("/openapi.json", h.openAPIDocument)

	client := api.Group("/p/:token")
	client.Get("/", h.clientPlan)
	client.Delete("/", h.erasePlan)
	client.Post("/completions", h.addCompletion)
	client.Post("/checkins", h.addCheckIn)
	client.Put("/prefs", h.setPrefs)
	client.Put("/subscription", h.subscribe)
	client.Delete("/subscription", h.unsubscribe)
	client.Post("/test-push", h.testPush)

	therapist := api.Group("/plans", h.requireTherapist)
	therapist.Post("/", h.createPlan)
	therapist.Get("/", h.listPlans)
	therapist.Get("/:token", h.therapistPlan)
	h.workspaceRoutes(app, api)

	admin := api.Group("/admin", h.requireTherapist, h.requireOwner)
	admin.Get("/backup", h.backup)

	api.Use(func(c *fiber.Ctx) error { return fiber.NewError(fiber.StatusNotFound, "no such API route") })

	app.Get("/img/stretches/:file", h.illustration)
	app.Get("/p/:token/manifest.webmanifest", h.manifest)
	app.Get("/p/:token", h.clientApp)
	app.Get("/sw.js", h.serviceWorker)
	app.Get("/app/*", h.staticAsset)
	app.Get("/favicon.svg", h.staticAsset)
	app.Get("/", h.home)
	return app
}

// errorHandler maps domain errors to status codes in one place; bodies are {"error": "..."}.
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, msg := statusOf(err)
		if status >= 500 {
			logger.Error("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
		}
		return c.Status(status).JSON(fiber.Map{"error": msg})
	}
}

func statusOf(err error) (int, string) {
	var inErr *plan.InputError
	var fe *fiber.Error
	switch {
	case errors.As(err, &inErr):
		return fiber.StatusBadRequest, inErr.Error()
	case errors.Is(err, store.ErrNotFound):
		return fiber.StatusNotFound, "not found"
	case errors.Is(err, care.ErrForbidden):
		return fiber.StatusForbidden, "forbidden"
	case errors.Is(err, care.ErrGone):
		return fiber.StatusGone, "this plan has ended"
	case errors.As(err, &fe):
		return fe.Code, fe.Message
	}
	return fiber.StatusInternalServerError, "internal error"
}
