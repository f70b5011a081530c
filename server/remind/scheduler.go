package remind

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// Sender delivers push jobs; *push.Sender is the real one. Results come back
// in input order.
type Sender interface {
	SendAll(ctx context.Context, jobs []push.Job) []push.Result
}

// jobFor is the push of msg to one stored device.
func jobFor(sub model.Subscription, msg push.Message) push.Job {
	return push.Job{Sub: push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, Msg: msg}
}

// DefaultBatchLimit is how many due entries one send-and-commit round takes.
// A crash between send and commit repeats at most one round, and each
// reminder in it at most once.
const DefaultBatchLimit = 1000

// Config wires a Scheduler.
type Config struct {
	DB     *store.DB
	Sender Sender
	// Now reads the clock; default time.Now.
	Now func() time.Time
	// BaseURL prefixes the paths in notifications, e.g. "https://care.example.org".
	BaseURL string
	Logger  *slog.Logger
	// BatchLimit caps the due entries per round; default DefaultBatchLimit.
	BatchLimit int
	// ObserveLateness, if set, hears once per reminder handed to the sender
	// how long after its due time that happened (e.g. metrics.ObserveLateness).
	ObserveLateness func(kind string, late time.Duration)
	// AlertDigestEvery is how often, at most, a plan's therapist is alerted
	// again after its first alert; default DefaultAlertDigestEvery.
	AlertDigestEvery time.Duration
	// Brand, if set, is the studio as clients' notifications show it, read at each send.
	Brand func() Brand
	// SealCacheBytes bounds the messages sealed ahead of their due minute
	// (see seal.go); 0 means push.DefaultSealCacheBytes. Negative, or a
	// Sender that is not a SealingSender: nothing is sealed ahead.
	SealCacheBytes int64
	// DefaultLanguage is the language of plans and accounts that name none
	// (stored before languages): the studio's. The zero Tag is English.
	DefaultLanguage language.Tag
}

// Scheduler keeps each plan's reminders in the due-index and, once a minute,
// sends what is due.
type Scheduler struct {
	db      *store.DB
	sender  Sender
	now     func() time.Time
	baseURL string
	log     *slog.Logger
	batch   int

	observeLateness func(kind string, late time.Duration)
	brand           func() Brand

	// afterSend runs between SendAll and the commit (tests simulate a crash there).
	afterSend func()

	// ticking allows one tick at a time: two would send the same entries. A
	// minute's tick that finds the previous one still running skips.
	ticking sync.Mutex

	mu      sync.Mutex
	cron    *cron.Cron
	cancel  context.CancelFunc
	catchUp sync.WaitGroup
	// alerts tracks AlertTherapistAsync's goroutines; stopped refuses new ones
	// once Stop has begun waiting for them.
	alerts  sync.WaitGroup
	stopped bool
	// alertsCtx ends alerts still in flight when Stop has waited AlertShutdownGrace.
	alertsCtx    context.Context
	cancelAlerts context.CancelFunc
	// alertPlans coalesces each plan's alerts (see AlertTherapistAsync).
	alertPlans  map[string]*planAlerts
	digestEvery time.Duration
	// prepareCheckedAt is when the therapists' prepare reminders were last looked for (prepare.go).
	prepareCheckedAt time.Time

	// sealing and sealed are nil unless messages are sealed ahead (seal.go);
	// sealStop ends the background pass, which closes sealDone.
	sealing     SealingSender
	sealed      *push.SealCache
	sealMu      sync.Mutex
	sealStop    context.CancelFunc
	sealDone    chan struct{}
	defaultLang language.Tag
}

// New returns a Scheduler; call Start to tick each minute.
func New(cfg Config) *Scheduler {
	s := &Scheduler{db: cfg.DB, sender: cfg.Sender, now: cfg.Now, baseURL: cfg.BaseURL, log: cfg.Logger, batch: cfg.BatchLimit,
		observeLateness: cfg.ObserveLateness, brand: cfg.Brand, digestEvery: cfg.AlertDigestEvery, alertPlans: make(map[string]*planAlerts),
		defaultLang: cfg.DefaultLanguage}
	if s.now == nil {
		s.now = time.Now
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.batch <= 0 {
		s.batch = DefaultBatchLimit
	}
	if s.digestEvery <= 0 {
		s.digestEvery = DefaultAlertDigestEvery
	}
	s.alertsCtx, s.cancelAlerts = context.WithCancel(context.Background())
	if ss, ok := cfg.Sender.(SealingSender); ok && cfg.SealCacheBytes >= 0 && cfg.DB != nil {
		s.sealing, s.sealed = ss, push.NewSealCache(cfg.SealCacheBytes)
		// A plan or device changed: what was sealed for it may no longer be
		// what Send would send (the due minute checks that too).
		cfg.DB.OnPlanChange(func(token string) { s.sealed.Drop(token) })
	}
	return s
}

// SealCacheStats says what the cache of messages sealed ahead holds (zero when
// nothing is sealed ahead).
func (s *Scheduler) SealCacheStats() push.SealCacheStats {
	if s.sealed == nil {
		return push.SealCacheStats{}
	}
	return s.sealed.Stats()
}

// shortToken is enough of a token to tell plans apart in logs without
// logging the capability itself.
func shortToken(t string) string {
	if len(t) > 6 {
		return t[:6] + "…"
	}
	return t
}
