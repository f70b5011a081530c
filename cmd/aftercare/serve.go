package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server"
	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/metrics"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/webhook"
)

func newLogger(w io.Writer, level string) *slog.Logger {
	var l slog.Level
	_ = l.UnmarshalText([]byte(level))
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

// subscriptionChecker adapts the push allowlist to the care service, turning its
// refusals into input errors (400).
type subscriptionChecker struct{ allow *push.Allowlist }

func (s subscriptionChecker) CheckSubscription(sub model.Subscription) error {
	if err := s.allow.ValidateSubscription(push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}); err != nil {
		return model.InvalidField("", err.Error())
	}
	return nil
}

func serve(args []string, stderr io.Writer) error {
	cfg, err := parseServe(args)
	if err != nil {
		return err
	}
	logger := newLogger(stderr, cfg.LogLevel)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return runServer(ctx, cfg, logger, ln)
}

// localVAPIDSubject is the JWT contact when the operator gave none and the
// base URL is http (local development): it names no one, so nobody else's
// address is handed to push services.
const localVAPIDSubject = "https://localhost"

// shutdownTimeout bounds how long in-flight requests may take after SIGTERM; a
// supervisor's stop timeout (systemd TimeoutStopSec, compose stop_grace_period) must exceed it.
const shutdownTimeout = 20 * time.Second

// runServer runs until ctx ends, then shuts down in order: HTTP (in-flight
// requests finish), the reminder clock, the database.
func runServer(ctx context.Context, cfg config, logger *slog.Logger, ln net.Listener) error {
	defer ln.Close()
	memLimit, sealBytes, planBytes := cfg.Memory.caches()
	db, err := store.Open(cfg.DataDir)
	if err != nil {
		return err
	}
	defer db.Close()
	db.LimitCache(planBytes)
	if err := db.CompactAfterErasure(cfg.EraseCompactAfter, logger); err != nil {
		return err
	}
	keys, err := loadKeys(db, cfg.DataDir)
	if err != nil {
		return err
	}
	allow, err := push.NewAllowlist(cfg.PushAllow)
	if err != nil {
		return err
	}
	meter := metrics.New(db, time.Now)
	subject := cfg.VAPIDSubject
	if subject == "" {
		// No contact of the operator's to give, and none is made up: the JWT
		// names no one reachable, which local push services accept.
		subject = localVAPIDSubject
		logger.Warn("no -vapid-subject (AFTERCARE_VAPID_SUBJECT) set: push to real phones needs the operator's contact, "+
			"e.g. -vapid-subject ops@example.org (Apple refuses localhost contacts); until then pushes name "+localVAPIDSubject,
			"base_url", cfg.BaseURL)
	}
	sender, err := push.NewSender(push.Config{Keys: keys, Subject: subject, Allow: allow, Logger: logger, Observe: meter.ObservePush})
	if err != nil {
		return err
	}
	if sealBytes == 0 {
		sealBytes = -1 // none sealed ahead
	}
	studioLanguage := language.MustParse(cfg.DefaultLanguage) // checked by parseServe
	var svc *care.Service
	sched := remind.New(remind.Config{DB: db, Sender: sender, BaseURL: cfg.BaseURL, Logger: logger, ObserveLateness: meter.ObserveLateness,
		DefaultLanguage: studioLanguage, SealCacheBytes: sealBytes, Brand: func() remind.Brand { return notificationBrand(svc, logger) }})
	svc = &care.Service{DB: db, Scheduler: sched, Subs: subscriptionChecker{allow}, BaseURL: cfg.BaseURL, Logger: logger,
		StudioName: cfg.StudioName, DefaultLanguage: studioLanguage}
	assets, err := pwa.NewAssets(pwa.Static())
	if err != nil {
		return fmt.Errorf("the app's files: %w", err)
	}
	hookAllow, err := netguard.ParsePrefixes(cfg.WebhookAllow)
	if err != nil {
		return fmt.Errorf("-webhook-allow: %w", err)
	}
	hooks, err := webhook.New(webhook.Config{DB: db, Allow: hookAllow, Logger: logger, Observe: meter.ObserveWebhook})
	if err != nil {
		return err
	}
	accounts := &account.Service{DB: db, BaseURL: cfg.BaseURL}
	app := server.New(server.Deps{
		Assets:  assets,
		Metrics: meter,
		Care:    svc, Accounts: accounts, Auth: auth.New(db, time.Now),
		VAPIDPublicKey: keys.Public, Static: pwa.Static(), Illustration: routines.Illustration,
		Logger: logger, Secure: strings.HasPrefix(cfg.BaseURL, "https://"), TrustedProxies: cfg.TrustedProxies,
		Webhooks: hooks,
	})

	sched.Start()
	hooks.Start()
	// Runs before the deferred db.Close: deliveries cut short stay queued for the next start.
	defer hooks.Stop()
	pruneCtx, stopPrune := context.WithCancel(ctx)
	pruneDone := make(chan struct{})
	go pruneDaily(pruneCtx, db, svc, time.Duration(cfg.RetentionDays)*24*time.Hour, logger, pruneDone)
	releaseDone := make(chan struct{})
	go releaseMappedEvery(pruneCtx, db, 10*time.Second, logger, releaseDone)
	// Runs before the deferred db.Close, on every way out.
	defer func() { stopPrune(); <-pruneDone; <-releaseDone }()
	served := make(chan error, 1)
	go func() { served <- app.Listener(ln) }()
	logger.Info("aftercare is serving", "url", cfg.BaseURL, "addr", ln.Addr().String(), "data", cfg.DataDir)
	logger.Debug("memory", "limit", memLimit, "sealCacheBytes", max(sealBytes, 0), "planCacheBytes", planBytes)
	if link, err := accounts.SetupLink(); err != nil {
		logger.Error("create setup link", "err", err)
	} else if link != "" {
		// One-time and replaced at each start until the owner exists; it is the only secret we log.
		logger.Info("no account yet: open this one-time link to create the studio owner (valid 7 days), or run `aftercare therapist add`", "setup", link)
	}

	select {
	case err := <-served:
		sched.Stop()
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	if err := app.ShutdownWithTimeout(shutdownTimeout); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		logger.Warn("http shutdown", "err", err)
	}
	sched.Stop()
	logger.Info("stopped")
	return nil
}

// loadKeys returns the VAPID pair, keeping vapid.json and the copy inside the
// database (which backups carry) in step. After a restore onto a fresh data
// directory the database's pair is written back to vapid.json.
func loadKeys(db *store.DB, dir string) (push.Keys, error) {
	pub, priv, inDB, err := db.VAPIDKeys()
	if err != nil {
		return push.Keys{}, err
	}
	var keys push.Keys
	if inDB {
		keys, err = push.WriteKeys(dir, push.Keys{Public: pub, Private: priv})
	} else {
		keys, err = push.LoadOrCreateKeys(dir)
	}
	if err != nil {
		return push.Keys{}, err
	}
	if !inDB {
		return keys, db.SetVAPIDKeys(keys.Public, keys.Private)
	}
	if keys.Public != pub {
		return push.Keys{}, fmt.Errorf("%s/vapid.json holds a different key pair than the database (restored from another server?); "+
			"every subscription is bound to the database's pair: move vapid.json away and start again", dir)
	}
	return keys, nil
}

// pruneDaily drops push devices nobody will push to again (ended plans, long
// unseen therapist devices), erases plans ended longer than retention ago and
// moves plans that ran out to the ended clients: at start, then once a day,
// until ctx ends.
func pruneDaily(ctx context.Context, db *store.DB, svc *care.Service, retention time.Duration, logger *slog.Logger, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(24 * time.Hour)
	defer t.Stop()
	for {
		if n, err := db.PruneSubscriptions(time.Now()); err != nil {
			logger.Warn("prune subscriptions", "err", err)
		} else if n > 0 {
			logger.Info("pruned stale push subscriptions", "count", n)
		}
		if n, err := svc.EraseExpiredPlans(retention); err != nil {
			logger.Warn("erase plans past retention", "err", err)
		} else if n > 0 {
			logger.Info("erased plans past retention", "count", n, "retentionDays", int(retention.Hours()/24))
		}
		if err := db.SettleClients(svc.Clock()); err != nil {
			logger.Warn("move plans that ran out to the ended clients", "err", err)
		}
		// The prune read every device: give those pages back (see ReleaseMapped).
		if err := db.ReleaseMapped(); err != nil {
			logger.Warn("release the database's mapped pages", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// notificationBrand is the studio as clients' notifications show it; an
// unreadable setting sends the reminder unbranded rather than not at all.
func notificationBrand(svc *care.Service, logger *slog.Logger) remind.Brand {
	st, err := svc.Studio()
	if err != nil {
		logger.Warn("studio settings for a notification", "err", err)
		return remind.Brand{}
	}
	// The icon's path is relative: every byte counts in a payload padded to 512.
	return remind.Brand{Name: st.Name, Icon: st.Icon, BookingURL: st.BookingURL, Phone: st.Phone}
}

// releaseMappedEvery gives back, every period, the database file's pages the
// server mapped since (store.ReleaseMapped), so its resident memory is the
// pages it uses, not every page it ever read: bulk writes (a booking system
// subscribing thousands of devices) and whole-bucket reads touch most of the
// file. A page read again is mapped again from the page cache.
func releaseMappedEvery(ctx context.Context, db *store.DB, period time.Duration, logger *slog.Logger, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := db.ReleaseMapped(); err != nil {
			logger.Warn("release the database's mapped pages", "err", err)
		}
	}
}
