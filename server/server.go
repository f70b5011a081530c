// Package server is aftercare's HTTP face: the Fiber app with its routes,
// middleware and thin handlers over the care service.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/recover"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/calendar"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/metrics"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// BodyLimit caps request bodies; every JSON body aftercare accepts is far smaller.
const BodyLimit = 64 << 10

// Deps is what the HTTP layer needs.
type Deps struct {
	Care           *care.Service
	DB             *store.DB
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
	api.Get("/push/key", h.pushKey)

	client := api.Group("/p/:token")
	client.Get("/", h.clientPlan)
	client.Delete("/", h.erasePlan)
	client.Post("/completions", h.addCompletion)
	client.Post("/checkins", h.addCheckIn)
	client.Get("/completions", h.clientCompletions)
	client.Get("/checkins", h.clientCheckIns)
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
	h.workspaceRoutes(app, api)

	admin := api.Group("/admin", h.requireTherapist, h.requireOwner)
	admin.Get("/backup", h.backup)

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

// errorHandler maps domain errors to status codes in one place; bodies are {"error": "..."}.
func errorHandler(logger *slog.Logger) fiber.ErrorHandler {
	return func(c *fiber.Ctx, err error) error {
		status, msg := statusOf(err)
		var limit *care.LimitError
		if errors.As(err, &limit) {
			// The app's outbox drops an item refused by a limit instead of retrying it.
			c.Set(LimitHeader, limit.Name())
			if limit.Daily {
				c.Set(fiber.HeaderRetryAfter, strconv.Itoa(int(math.Ceil(limit.RetryAfter.Seconds()))))
			}
		}
		if status == fiber.StatusInternalServerError {
			logger.Error("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
		} else if status >= 500 {
			logger.Warn("request failed", "method", c.Method(), "path", c.Route().Path, "err", err)
		}
		var soon *care.TooSoonError
		if errors.As(err, &soon) {
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(soon.Seconds()))
		}
		return c.Status(status).JSON(fiber.Map{"error": msg})
	}
}

// LimitHeader names the plan limit that refused a check-in or completion (429 or 409).
const LimitHeader = "X-Aftercare-Limit"

func statusOf(err error) (int, string) {
	var inErr *model.InputError
	var fe *fiber.Error
	var limit *care.LimitError
	var soon *care.TooSoonError
	switch {
	case errors.As(err, &limit) && limit.Daily:
		return fiber.StatusTooManyRequests, limit.Error()
	case errors.As(err, &limit):
		return fiber.StatusConflict, limit.Error()
	case errors.Is(err, care.ErrCheckInIDReused), errors.Is(err, care.ErrCompletionIDReused):
		return fiber.StatusConflict, err.Error()
	case errors.As(err, &inErr):
		return fiber.StatusBadRequest, inErr.Error()
	case errors.Is(err, store.ErrNotFound):
		return fiber.StatusNotFound, "not found"
	case errors.Is(err, care.ErrForbidden):
		return fiber.StatusForbidden, "forbidden"
	case errors.Is(err, care.ErrGone):
		return fiber.StatusGone, "this plan has ended"
	case errors.Is(err, calendar.ErrNoSession):
		return fiber.StatusNotFound, calendar.ErrNoSession.Error()
	case errors.Is(err, care.ErrNoDevices):
		return fiber.StatusConflict, care.ErrNoDevices.Error()
	case errors.As(err, &soon):
		return fiber.StatusTooManyRequests, soon.Error()
	case errors.As(err, &fe):
		return fe.Code, fe.Message
	}
	if status, msg, ok := pushStatus(err); ok {
		return status, msg
	}
	return fiber.StatusInternalServerError, "internal error"
}

// pushStatus maps what a push service answered (a test notification waits
// for it) to what the app can tell the person holding the phone.
func pushStatus(err error) (int, string, bool) {
	var se *push.StatusError
	var te *push.TransportError
	switch {
	case errors.As(err, &se) && se.CredentialsRefused():
		return fiber.StatusBadGateway, "the push service refused this server's credentials: " +
			"the studio's operator must set a real contact address with -vapid-subject", true
	case errors.As(err, &se) && se.DeviceRefused():
		return fiber.StatusBadGateway, "your phone's push service refused this device: turn reminders off and on again", true
	case errors.As(err, &se) && se.Status == fiber.StatusRequestEntityTooLarge:
		return fiber.StatusBadGateway, "the push service refused the message as too large", true
	case errors.As(err, &se) && se.Status == fiber.StatusTooManyRequests:
		return fiber.StatusServiceUnavailable, "the push service asks us to slow down: try again in a few minutes", true
	case errors.As(err, &se):
		return fiber.StatusBadGateway, "the push service did not take the message: try again in a few minutes", true
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return fiber.StatusGatewayTimeout, "the push service did not answer in time: try again in a few minutes", true
	case errors.Is(err, push.ErrEndpointNotAllowed):
		return fiber.StatusBadGateway, "this server no longer sends to this device's push service: turn reminders off and on again", true
	}
	return 0, "", false
}
