// Package server is aftercare's HTTP face: the Fiber app with its routes,
// middleware and thin handlers over the care, account and auth services.
package server

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/metrics"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/webhook"
)

// BodyLimit caps request bodies; every JSON body aftercare accepts is far smaller.
const BodyLimit = 64 << 10

// Deps is what the HTTP layer needs.
type Deps struct {
	Care *care.Service
	// Accounts keeps therapist accounts, invitations and API tokens.
	Accounts *account.Service
	// Auth checks passwords and keeps sessions and login throttles.
	Auth           *auth.Service
	VAPIDPublicKey string
	// Static is the PWA file system (index.html, sw.js, app/...); New builds Assets from it when Assets is nil.
	Static fs.FS
	// Assets is the PWA as served: content-hashed names, rewritten references, the stamped sw.js.
	Assets *pwa.Assets
	// Metrics, if set, is served at /metrics (loopback or the owner's token).
	Metrics *metrics.Metrics
	// Illustration returns the SVG for a stretch id.
	Illustration func(id string) ([]byte, bool)
	Logger       *slog.Logger
	// Secure marks cookies Secure (the public URL is https).
	Secure bool
	// TrustedProxies may set X-Forwarded-For (login throttling keys on the client address).
	TrustedProxies []string
	// Webhooks keeps the studio's outgoing webhook (the owner's settings).
	Webhooks *webhook.Service
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
		// Photos are JPEG or PNG: compressed already.
		Next: func(c *fiber.Ctx) bool {
			return c.Path() == "/api/admin/backup" || strings.HasPrefix(c.Path(), "/img/custom/")
		},
	}))

	if d.Assets == nil {
		assets, err := pwa.NewAssets(d.Static)
		if err != nil {
			panic(fmt.Errorf("server: the app's files: %w", err)) // cmd/aftercare builds Assets itself and reports this
		}
		d.Assets = assets
	}
	h := &handlers{Deps: d, trusted: trustedNets(d.TrustedProxies)}
	app.Get("/healthz", h.health)
	if d.Metrics != nil {
		scrape := adaptor.HTTPHandler(d.Metrics.Handler())
		app.Get("/metrics", localScrape(scrape), h.requireTherapist, h.requireOwner, scrape)
	}

	api := app.Group("/api", noStore, refuseCrossSiteWrites, refuseEncodedBodies)
	api.Get("/routines", h.listRoutines)
	api.Get("/routines/:id", h.getRoutine)
	api.Get("/messages/:lang", h.messages)
	api.Get("/clinic/:lang", h.clinicContent)
	api.Get("/push/key", h.pushKey)
	api.Get("/openapi.json", h.openAPIDocument)

	client := api.Group("/p/:token")
	client.Get("/", h.clientPlan)
	client.Delete("/", h.erasePlan)
	client.Post("/completions", h.addCompletion)
	client.Post("/checkins", h.addCheckIn)
	client.Get("/completions", h.clientCompletions)
	client.Get("/checkins", h.clientCheckIns)
	client.Post("/psfs", h.addPSFS)
	client.Post("/preparation", h.addPreparation)
	client.Put("/prefs", h.setPrefs)
	client.Put("/subscription", h.subscribe)
	client.Delete("/subscription", h.unsubscribe)
	client.Post("/test-push", h.testPush)
	h.calendarRoutes(app, client)

	therapist := api.Group("/plans", h.requireTherapist)
	therapist.Post("/", h.createPlan)
	therapist.Get("/", h.listPlans)
	therapist.Get("/:token", h.therapistPlan)
	therapist.Get("/:token/checkins", h.planCheckIns)
	therapist.Get("/:token/completions", h.planCompletions)
	therapist.Get("/:token/series", h.planSeries)
	therapist.Get("/:token/summary", h.planSummary)
	h.workspaceRoutes(app, api)

	admin := api.Group("/admin", h.requireTherapist, h.requireOwner)
	admin.Get("/backup", h.backup)
	h.studioRoutes(app, admin)
	admin.Get("/webhook", h.webhookSettings)
	admin.Put("/webhook", h.saveWebhook)
	admin.Post("/webhook/test", h.testWebhook)

	api.Use(func(c *fiber.Ctx) error { return fiber.NewError(fiber.StatusNotFound, "no such API route") })

	app.Get("/img/stretches/:file", h.illustration)
	app.Get("/p/:token/manifest.webmanifest", h.manifest)
	app.Get("/p/:token", h.clientApp)
	app.Get("/sw.js", h.serviceWorker)
	app.Get("/app/*", h.staticAsset)
	app.Get("/shared/*", h.staticAsset)
	app.Get("/favicon.svg", h.staticAsset)
	app.Get("/", h.home)
	return app
}

// errorHandler answers every error a handler returns, in one place: the
// status and message from statusOf, the Retry-After and X-Aftercare-Limit
// headers from a coded error; bodies are {"error": "..."}.
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, msg := statusOf(err)
		var coded *model.Error
		if errors.As(err, &coded) {
			if coded.RetryAfter > 0 {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(coded.RetryAfter.Seconds()))))
			}
			if coded.Limit != "" {
				// The app's outbox drops an item refused by a limit instead of retrying it.
				c.Set(LimitHeader, coded.Limit)
			}
		}
		if status == fiber.StatusInternalServerError {
			logger.Error("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
		} else if status >= 500 {
			logger.Warn("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
		}
		return c.Status(status).JSON(fiber.Map{"error": msg})
	}
}

// LimitHeader names the plan limit that refused a check-in or completion (429 or 409).
const LimitHeader = "X-Aftercare-Limit"

// statusOfCode is the one table from a domain error's code to its HTTP status.
var statusOfCode = map[model.Code]int{
	model.Invalid:         fiber.StatusBadRequest,
	model.Unauthorized:    fiber.StatusUnauthorized,
	model.Forbidden:       fiber.StatusForbidden,
	model.NotFound:        fiber.StatusNotFound,
	model.Conflict:        fiber.StatusConflict,
	model.Gone:            fiber.StatusGone,
	model.TooMany:         fiber.StatusTooManyRequests,
	model.BadGateway:      fiber.StatusBadGateway,
	model.Unavailable:     fiber.StatusServiceUnavailable,
	model.Timeout:         fiber.StatusGatewayTimeout,
	model.TooLarge:        fiber.StatusRequestEntityTooLarge,
	model.UnsupportedType: fiber.StatusUnsupportedMediaType,
	model.Unprocessable:   fiber.StatusUnprocessableEntity,
}

// statusOf is the status and message of err: a coded domain error by its
// code, a *fiber.Error (no such route, a refused request shape) as it says,
// anything else 500 "internal error" (the details go to the log only).
func statusOf(err error) (int, string) {
	var coded *model.Error
	var fe *fiber.Error
	switch {
	case errors.As(err, &coded):
		if status, ok := statusOfCode[coded.Code]; ok {
			return status, coded.Error()
		}
	case errors.As(err, &fe):
		return fe.Code, fe.Message
	}
	return fiber.StatusInternalServerError, "internal error"
}
