package webhook

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
	"github.com/aftercare/aftercare/server/store"
)

// Retries is the default wait before each retry of a failed delivery: the
// last try is within 24 hours of the first; after it fails the event is
// dropped (and counted). Each wait is 80–100 % of its step, for jitter.
var Retries = []time.Duration{
	30 * time.Second, 2 * time.Minute, 10 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour,
}

// Timeout bounds one delivery, as Standard Webhooks recommends (15–30 s).
const Timeout = 15 * time.Second

// DefaultWorkers bounds the deliveries in flight.
const DefaultWorkers = 4

// maxRetryAfter caps how long a receiver's Retry-After may postpone an event.
const maxRetryAfter = 24 * time.Hour

// Outcomes counted by Config.Observe.
const (
	OutcomeDelivered = "delivered" // 2xx
	OutcomeRetried   = "retried"   // failed, will be tried again
	OutcomeDropped   = "dropped"   // failed its last try
	OutcomeGone      = "gone"      // 410: the webhook was turned off
)

// Config configures a Service.
type Config struct {
	DB *store.DB
	// Allow opens extra URL prefixes (tests, local development: -webhook-allow).
	Allow *netguard.Prefixes
	// Now is the clock; nil means time.Now.
	Now    func() time.Time
	Logger *slog.Logger
	// Observe, if set, counts each delivery attempt's outcome (Outcome*).
	Observe func(outcome string)
	// Retries replaces the default retry waits (tests).
	Retries []time.Duration
	// Workers bounds deliveries in flight; 0 means DefaultWorkers.
	Workers int
	// Client replaces the guarded HTTP client (tests of the guard itself use the default).
	Client *http.Client
}

// Service holds the owner's webhook settings, turns changes into queued
// events, and delivers them.
type Service struct {
	db      *store.DB
	allow   *netguard.Prefixes
	now     func() time.Time
	logger  *slog.Logger
	observe func(string)
	retries []time.Duration
	workers int
	client  *http.Client

	saveMu sync.Mutex // orders saves and the pointer they publish
	hook   atomic.Pointer[model.Webhook]
	testMu sync.Mutex // one test delivery at a time

	wake     chan struct{}
	mu       sync.Mutex
	inflight map[string]bool // event ids being delivered
	// released is when (in reads, see readStarted) each delivery recently
	// finished: a read of the outbox that began before then holds the event
	// as it was, and must not hand it out again (it may be delivered already).
	released map[string]uint64
	reads    uint64 // outbox reads begun
	stop     context.CancelFunc
	done     chan struct{}
}

// New loads the stored settings and installs the event hook on the database;
// Start begins delivering.
func New(cfg Config) (*Service, error) {
	s := &Service{db: cfg.DB, allow: cfg.Allow, now: cfg.Now, logger: cfg.Logger, observe: cfg.Observe,
		retries: cfg.Retries, workers: cfg.Workers, client: cfg.Client,
		wake: make(chan struct{}, 1), inflight: map[string]bool{}, released: map[string]uint64{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.logger == nil {
		s.logger = slog.Default()
	}
	if s.observe == nil {
		s.observe = func(string) {}
	}
	if s.retries == nil {
		s.retries = Retries
	}
	if s.workers <= 0 {
		s.workers = DefaultWorkers
	}
	if s.client == nil {
		s.client = newClient(s.allow, s.workers)
	}
	w, err := s.db.Webhook()
	if err != nil {
		return nil, fmt.Errorf("load webhook settings: %w", err)
	}
	s.hook.Store(&w)
	s.db.SetEvents(store.EventHook{Events: s.events, Wants: func(kind string) bool { return s.hook.Load().Sends(kind) }, Queued: s.poke})
	return s, nil
}

// newClient is the guarded client: no proxy, no redirects, non-public
// addresses refused at connect time unless allow names them.
func newClient(allow *netguard.Prefixes, workers int) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil, // a proxy would dial on our behalf, past the address check
		DialContext:           netguard.DialContext(allow, 5*time.Second),
		ForceAttemptHTTP2:     true,
		TLSClientConfig:       &tls.Config{MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: Timeout,
		MaxIdleConnsPerHost:   workers,
		MaxConnsPerHost:       workers,
		IdleConnTimeout:       90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: Timeout, CheckRedirect: netguard.NoRedirect}
}

// events is the store's hook: the events to queue for change c.
func (s *Service) events(c store.Change) ([]model.OutboxEvent, error) {
	w := s.hook.Load()
	if !w.Sends(c.Event) {
		return nil, nil
	}
	now := s.now()
	env, ok := envelope(c, w.IncludeNotes, now)
	if !ok {
		return nil, nil
	}
	token := c.Plan.Token
	if c.Event == model.EventPlanErased {
		token = "" // the erasure itself is the one event that outlives the plan
	}
	e, err := newEvent(c.Event, token, env, now)
	if err != nil {
		return nil, err
	}
	return []model.OutboxEvent{e}, nil
}

// poke wakes the dispatcher.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Settings returns the owner's view of the webhook (never the secret itself).
func (s *Service) Settings() (Settings, error) {
	w, err := s.db.Webhook()
	if err != nil {
		return Settings{}, err
	}
	return s.view(w)
}

func (s *Service) view(w model.Webhook) (Settings, error) {
	st, pending, err := s.db.WebhookStatus()
	if err != nil {
		return Settings{}, err
	}
	v := Settings{URL: w.URL, Events: w.Events, IncludeNotes: w.IncludeNotes, SecretHint: secretHint(w.Secret),
		Enabled: w.URL != "" && w.DisabledReason == "", DisabledReason: w.DisabledReason, Pending: pending, Status: st,
		AvailableEvents: model.WebhookEvents}
	if v.Events == nil {
		v.Events = []string{}
	}
	if w.PreviousSecret != "" && w.PreviousUntil != nil && s.now().Before(*w.PreviousUntil) {
		v.PreviousSecretUntil = w.PreviousUntil
	}
	return v, nil
}

// Save applies the owner's settings. The first save of a URL and a rotation
// make a secret, shown in this answer only. An empty URL removes the webhook
// and every undelivered event. Saving turns a webhook that stopped by itself
// back on.
func (s *Service) Save(in SettingsInput) (Settings, error) {
	if err := in.Validate(); err != nil {
		return Settings{}, err
	}
	if *in.URL != "" {
		if err := CheckURL(*in.URL, s.allow); err != nil {
			return Settings{}, err
		}
	}
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	now := s.now().UTC()
	secret := ""
	w, err := s.db.UpdateWebhook(func(w *model.Webhook) (bool, error) {
		if *in.URL == "" {
			*w = model.Webhook{UpdatedAt: now}
			return true, nil
		}
		w.URL = *in.URL
		w.Events = slices.Clone(model.WebhookEvents)
		if in.Events != nil {
			w.Events = slices.Clone(*in.Events)
		}
		w.IncludeNotes = in.IncludeNotes
		w.DisabledReason = ""
		w.UpdatedAt = now
		switch {
		case w.Secret == "":
			w.Secret = NewSecret()
			secret = w.Secret
		case in.RotateSecret:
			until := now.Add(SecretOverlap)
			w.PreviousSecret, w.PreviousUntil = w.Secret, &until
			w.Secret = NewSecret()
			secret = w.Secret
		}
		return false, nil
	})
	if err != nil {
		return Settings{}, err
	}
	s.hook.Store(&w)
	s.poke()
	v, err := s.view(w)
	v.Secret = secret
	return v, err
}

// Start begins delivering queued events, those left from before a restart first.
func (s *Service) Start() {
	ctx, cancel := context.WithCancel(context.Background())
	s.stop, s.done = cancel, make(chan struct{})
	go s.dispatch(ctx)
}

// Stop ends delivery and waits for deliveries in flight to be abandoned;
// they stay queued and go out after the next start.
func (s *Service) Stop() {
	if s.stop == nil {
		return
	}
	s.stop()
	<-s.done
}

// idlePoll is the longest the dispatcher sleeps with nothing due, in case a
// wake-up was missed (events queued while it was reading).
const idlePoll = time.Minute

// dispatch hands due events to at most s.workers deliveries at a time.
func (s *Service) dispatch(ctx context.Context) {
	defer close(s.done)
	var wg sync.WaitGroup
	defer wg.Wait()
	slots := make(chan struct{}, s.workers)
	for {
		read := s.readStarted()
		due, next, err := s.db.DueEvents(s.now(), 4*s.workers)
		if err != nil {
			s.logger.Error("read webhook outbox", "err", err)
		}
		for _, e := range due {
			if !s.claim(e.ID, read) {
				continue
			}
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				s.release(e.ID)
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-slots; s.release(e.ID); s.poke() }()
				s.deliver(ctx, e)
			}()
		}
		wait := idlePoll
		if !next.IsZero() {
			wait = min(wait, max(next.Sub(s.now()), 10*time.Millisecond))
		}
		if len(due) == 4*s.workers {
			wait = 10 * time.Millisecond // more are due: read again once a slot frees
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-s.wake:
		case <-t.C:
		}
		t.Stop()
	}
}

// readStarted numbers a read of the outbox about to begin; deliveries that
// finished before it are forgotten, as this read sees what they recorded.
func (s *Service) readStarted() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads++
	for id, at := range s.released {
		if at < s.reads {
			delete(s.released, id)
		}
	}
	return s.reads
}

// claim takes event id, as read by outbox read number read, for delivery:
// false while it is being delivered, or when its delivery finished after
// that read began (the copy read is stale: the event may be delivered, or
// failed with more attempts, and the next read has it as it is).
func (s *Service) claim(id string, read uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.inflight[id] {
		return false
	}
	if at, ok := s.released[id]; ok && at >= read {
		return false
	}
	s.inflight[id] = true
	return true
}

func (s *Service) release(id string) {
	s.mu.Lock()
	delete(s.inflight, id)
	s.released[id] = s.reads
	s.mu.Unlock()
}

// deliver makes one attempt at e and records what came of it.
func (s *Service) deliver(ctx context.Context, e model.OutboxEvent) {
	w := s.hook.Load()
	if !w.Sends(e.Type) {
		if err := s.db.EventUnwanted(e); err != nil {
			s.logger.Error("drop unwanted webhook event", "err", err)
		}
		return
	}
	body := []byte(e.Body)
	if e.Type == model.EventCheckInCreated && !w.IncludeNotes {
		body = withoutNote(body)
	}
	res := s.post(ctx, *w, e.ID, body)
	if res.status == 0 && ctx.Err() != nil {
		return // stopping cut the attempt short: the event stays queued as it was
	}
	now := s.now()
	var err error
	switch {
	case res.ok():
		err = s.db.EventDelivered(e, now)
		s.observe(OutcomeDelivered)
	case res.status == http.StatusGone:
		err = s.disable(w.URL, "the receiver answered 410 Gone: it no longer takes these events")
		s.observe(OutcomeGone)
		s.logger.Warn("webhook receiver answered 410 Gone: webhook turned off, undelivered events dropped")
	case e.Attempts >= len(s.retries):
		err = s.db.EventDropped(e, res.failure(), now)
		s.observe(OutcomeDropped)
		s.logger.Warn("webhook event dropped after its last retry", "event", e.Type, "id", e.ID, "attempts", e.Attempts+1, "failure", res.failure())
	default:
		wait := jitter(s.retries[e.Attempts])
		if res.retryAfter > wait {
			wait = min(res.retryAfter, maxRetryAfter)
		}
		err = s.db.EventFailed(e, now.Add(wait), res.failure(), now)
		s.observe(OutcomeRetried)
		s.logger.Info("webhook delivery failed, will retry", "event", e.Type, "id", e.ID, "attempt", e.Attempts+1,
			"failure", res.failure(), "retryIn", wait.Round(time.Second))
	}
	if err != nil {
		s.logger.Error("record webhook delivery", "id", e.ID, "err", err)
	}
}

// jitter returns 80–100 % of d, so retries after a common outage spread out.
func jitter(d time.Duration) time.Duration {
	return d - time.Duration(rand.Int64N(int64(d)/5+1))
}

// disable turns the webhook at url off (unless the owner changed it
// meanwhile) and drops its undelivered events.
func (s *Service) disable(url, reason string) error {
	s.saveMu.Lock()
	defer s.saveMu.Unlock()
	w, err := s.db.UpdateWebhook(func(w *model.Webhook) (bool, error) {
		if w.URL != url || w.DisabledReason != "" {
			return false, nil
		}
		w.DisabledReason = reason
		return true, nil
	})
	if err == nil {
		s.hook.Store(&w)
	}
	return err
}

// ErrNoWebhook is returned by Test when no webhook URL is set (409).
var ErrNoWebhook = model.ConflictError("no webhook is set: save a URL first")

// TestResult is what a test delivery found.
type TestResult struct {
	ID     string `json:"id"`
	Status int    `json:"status"`
	// Pending is how many waiting events were sent on at once after it.
	Pending int `json:"pending"`
}

// FailedError is the cause of Test's error when the receiver did not take
// the ping; the error itself is a model.Error: BadGateway when the receiver
// answered or refused, Timeout when it did not answer in time.
type FailedError struct {
	Status  int // the receiver's status; 0 when it did not answer
	Failure string
	Timeout bool
}

func (e *FailedError) Error() string { return "the receiver did not take the test event: " + e.Failure }

// Test sends a ping event now, outside the outbox, and reports how the
// receiver answered. When it takes the ping, the events waiting for a retry
// are sent on at once; otherwise nothing changes.
func (s *Service) Test(ctx context.Context) (TestResult, error) {
	w := s.hook.Load()
	if w.URL == "" {
		return TestResult{}, ErrNoWebhook
	}
	s.testMu.Lock()
	defer s.testMu.Unlock()
	now := s.now()
	e, err := newEvent(model.EventPing, "", Envelope{Type: model.EventPing, Timestamp: now.UTC(),
		Data: Ping{Message: "A test event from aftercare: the webhook works."}}, now)
	if err != nil {
		return TestResult{}, err
	}
	res := s.post(ctx, *w, e.ID, e.Body)
	if !res.ok() {
		fe := &FailedError{Status: res.status, Failure: res.failure(), Timeout: res.timeout}
		code := model.BadGateway
		if res.timeout {
			code = model.Timeout
		}
		return TestResult{ID: e.ID, Status: res.status}, &model.Error{Code: code, Message: fe.Error(), Err: fe}
	}
	// The receiver is back: what waits for a retry goes now.
	pending, err := s.db.OutboxDueAt(s.now())
	return TestResult{ID: e.ID, Status: res.status, Pending: pending}, err
}
