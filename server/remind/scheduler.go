package remind

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"
	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// Sender delivers push jobs; *push.Sender is the real one. Results come back
// in input order.
type Sender interface {
	SendAll(ctx context.Context, jobs []push.Job) []push.Result
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
	defaultLang language.Tag
}

// New returns a Scheduler; call Start to tick each minute.
func New(cfg Config) *Scheduler {
	s := &Scheduler{db: cfg.DB, sender: cfg.Sender, now: cfg.Now, baseURL: cfg.BaseURL, log: cfg.Logger, batch: cfg.BatchLimit,
		observeLateness: cfg.ObserveLateness, digestEvery: cfg.AlertDigestEvery, alertPlans: make(map[string]*planAlerts),
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
	return s
}

// Schedule derives the plan's rules and writes their next fire times, replacing
// what was scheduled before. Call it when a plan is created and whenever its
// prefs, times or next session change. An ended plan keeps no schedule.
func (s *Scheduler) Schedule(p model.Plan) error {
	old, err := s.db.ScheduledStates(p.Token)
	if err != nil {
		return err
	}
	states, err := s.States(p, old)
	if err != nil {
		return err
	}
	if err := s.db.ReplaceSchedule(p.Token, states); err != nil {
		return fmt.Errorf("schedule %s: %w", shortToken(p.Token), err)
	}
	return nil
}

// States derives the plan's rule states as of now: each rule's next firing,
// never the local time stored (in stored) as last sent. An ended plan has
// none. It only computes, so it can run inside the store's write transaction
// (store.ScheduleFunc): a plan and its schedule are stored together.
func (s *Scheduler) States(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
	now := s.now()
	states := []store.RuleState{}
	if ended(p, now) {
		return states, nil
	}
	rules, err := derive(p, "", s.defaultLang)
	if err != nil {
		return nil, fmt.Errorf("schedule %s: %w", shortToken(p.Token), err)
	}
	last := make(map[string]string, len(stored))
	for _, o := range stored {
		last[o.RuleID] = o.LastSentLocal
	}
	for i := range rules {
		r := &rules[i]
		st := store.RuleState{RuleID: r.ID, Kind: r.Kind}
		if f, ok := r.Next(now, last[r.ID]); ok {
			st.NextFire, st.NextLocal = f.At, f.Local
		}
		states = append(states, st)
	}
	return states, nil
}

// repair writes the schedule of every plan stored without one that still
// has a reminder to send (servers before plans and schedules were stored
// together could answer 201 and keep the plan without its reminders). It
// logs counts only: no tokens, no names.
func (s *Scheduler) repair() {
	failed := 0
	n, err := s.db.RepairSchedules(func(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
		states, err := s.States(p, stored)
		if err != nil {
			failed++
			return nil, nil // leave this plan alone, repair the others
		}
		for _, st := range states {
			if !st.NextFire.IsZero() {
				return states, nil
			}
		}
		return nil, nil // nothing left to send: nothing to repair
	})
	switch {
	case err != nil:
		s.log.Error("repair reminder schedules", "err", err)
	case n > 0:
		s.log.Warn("repaired reminder schedules of plans stored without one", "count", n)
	}
	if failed > 0 {
		s.log.Error("plans stored without a reminder schedule that cannot be scheduled", "count", failed)
	}
}

// TickStats says what one Tick did.
type TickStats struct {
	Due       int // entries taken from the due-index
	Sent      int // reminders handed to the sender (each to all of its plan's devices)
	Pushes    int // push messages attempted
	Delivered int // pushes the push service accepted
	Failed    int // pushes that failed after the sender's retries
	Gone      int // subscriptions deleted because the push service answered 404/410
	Late      int // skipped: missed by more than the kind's grace
	Done      int // stretch skipped: the routine was already done that day
	Deferred  int // moved on without sending: out of quiet hours, or a time already sent
	Dropped   int // plan erased or ended, or rule switched off
	Stale     int // dropped: written for a schedule since replaced
	NoDevices int // due, but the plan has no subscribed device
	// Retrying counts reminders no device accepted because a push service failed
	// (5xx, 429, timeout): they stay due and the next tick tries again within their grace.
	Retrying int
	// Requeued counts pushes to single devices that failed (5xx, 429, a
	// transport error) while other devices of their plan accepted the
	// reminder: each goes into the retry index and is tried again on a later
	// tick within the kind's grace, to that device only.
	Requeued int
	// Retries counts retry entries taken from the retry index; RetriesDelivered
	// those the push service accepted now, RetriesDropped those dropped unsent
	// (plan erased or ended, rule or firing gone, device gone, past grace,
	// routine done). Their pushes count in Pushes, Delivered, Failed and Gone too.
	Retries, RetriesDelivered, RetriesDropped int
	// Duration is the whole tick; Scan, Decide, Send and Commit are its parts
	// spent reading the due-index, loading plans and deciding, in the sender,
	// and committing.
	Duration, Scan, Decide, Send, Commit time.Duration
}

// Tick sends every reminder due by now and commits each one's next fire time.
// Its work is proportional to the number of due entries, not to the number of
// plans. Between rounds it stops if ctx is done; a round in flight finishes.
func (s *Scheduler) Tick(ctx context.Context) (TickStats, error) {
	s.ticking.Lock()
	defer s.ticking.Unlock()
	return s.tick(ctx)
}

func (s *Scheduler) tick(ctx context.Context) (TickStats, error) {
	start := time.Now()
	now := s.now()
	var st TickStats
	if ctx.Err() != nil {
		st.Duration = time.Since(start)
		return st, nil
	}
	s.sendDigests(now) // in the background, like the alerts they gather
	// Rounds are pipelined: while round k is committed, round k+1 is read and
	// decided (neither writes anything), and it is sent only once round k's
	// commit is done, so a crash between send and commit still repeats at
	// most one round. Round k+1 reads the index after round k's last entry:
	// what round k's commit writes lies after now (or is a retry, and a
	// round with retries ends the tick), so nothing due is passed over.
	r := s.prepare(now, nil)
	var gone map[string]bool // endpoints the previous round deleted
	for {
		st.merge(&r.st)
		if r.err != nil {
			return st, fmt.Errorf("tick: %w", r.err)
		}
		if len(r.entries) == 0 {
			break
		}
		retrying := st.Retrying
		steps, goneNow := s.send(ctx, now, r.outcomes, gone, &st)
		// Entries kept for a retry would come back in the next round: leave them to the next tick.
		more := len(r.entries) == s.batch && st.Retrying == retrying && ctx.Err() == nil
		var next chan round
		if more {
			next = make(chan round, 1)
			last := r.entries[len(r.entries)-1]
			go func() { next <- s.prepare(now, &last) }()
		}
		err := s.commit(steps, goneNow, &st)
		if more {
			r = <-next
		}
		if err != nil {
			return st, fmt.Errorf("tick: %w", err)
		}
		// Between rounds the tick stops if ctx is done; a decided round not
		// yet sent has changed nothing.
		if !more || ctx.Err() != nil {
			break
		}
		gone = goneNow
	}
	// Then the single devices still owed a reminder that others already got.
	if ctx.Err() == nil {
		if err := s.retryDevices(ctx, now, &st); err != nil {
			st.Duration = time.Since(start)
			return st, fmt.Errorf("tick retries: %w", err)
		}
	}
	st.Duration = time.Since(start)
	return st, nil
}

// round is one batch of due entries, read and decided.
type round struct {
	entries  []store.DueEntry
	outcomes []due
	st       TickStats // Due, Scan, Decide and the deciding counters
	err      error
}

// prepare reads up to a batch of entries due by now after the entry after
// (nil: from the start) and decides them.
func (s *Scheduler) prepare(now time.Time, after *store.DueEntry) round {
	var r round
	t0 := time.Now()
	r.entries, r.err = s.db.DueAfter(after, now, s.batch)
	r.st.Scan = time.Since(t0)
	if r.err != nil || len(r.entries) == 0 {
		return r
	}
	r.st.Due = len(r.entries)
	t0 = time.Now()
	r.outcomes = s.decideAll(now, r.entries, &r.st)
	r.st.Decide = time.Since(t0)
	return r
}

// merge adds what prepare counted in o to st.
func (st *TickStats) merge(o *TickStats) {
	st.add(o)
	st.Due += o.Due
	st.Scan += o.Scan
	st.Decide += o.Decide
}

// planView is one plan as a round sees it, loaded once per round.
type planView struct {
	p       *model.Plan  // shared with the store's cache: read-only
	lang    language.Tag // the language of a plan that names none
	err     error
	gen     uint64           // the plan's schedule generation
	rules   map[string]*Rule // derived on first need, nil for "no such rule"
	memo    *sync.Map        // the store's per-version memo of the plan (may be nil)
	subs    []model.Subscription
	subsErr error
	// doneAt are the completion times if loaded with the plan; someDays are
	// their local dates, filled on first need. doneDays are the local dates
	// with a completion of at least one stretch, read on first need (only
	// for a day someDays has, when doneAt was loaded).
	doneAt   []time.Time
	someDays map[string]bool
	doneDays map[string]bool
}

// rule derives one rule of the plan, once per round.
func (v *planView) rule(id string) (*Rule, error) {
	if v.memo != nil {
		return v.derive(id) // the memo keeps it, and for longer
	}
	if r, ok := v.rules[id]; ok {
		return r, nil
	}
	r, err := v.derive(id)
	if err != nil {
		return nil, err
	}
	if v.rules == nil {
		v.rules = make(map[string]*Rule, 1)
	}
	v.rules[id] = r
	return r, nil
}

// derive derives rule id of the plan, or takes it from the store's memo of
// this version of the plan. A rule is never changed once derived, so one
// *Rule serves every tick while the plan stays as it is.
func (v *planView) derive(id string) (*Rule, error) {
	if v.memo == nil {
		return ruleFor(*v.p, id, v.lang)
	}
	if m, ok := v.memo.Load(ruleMemo(id)); ok {
		return m.(*Rule), nil
	}
	r, err := ruleFor(*v.p, id, v.lang)
	if err == nil {
		v.memo.Store(ruleMemo(id), r)
	}
	return r, err
}

// ruleMemo is the key of a derived rule (*Rule, nil if none) in a plan's memo.
type ruleMemo string

// due is one entry's outcome within a round: whether its rule sends now,
// and the rule's state after it.
type due struct {
	entry   store.DueEntry
	view    *planView
	rule    *Rule
	sending bool
	fire    Fire // the firing sent, when sending
	next    *store.RuleState
	persist bool
	retries []store.Retry // devices that failed while others accepted: see TickStats.Requeued
}

// send hands a decided round's reminders to the sender and returns the
// round's commit steps and the endpoints found gone. Devices in gone (deleted
// by the previous round after this one was loaded) are left out.
// A sender that panics (or the afterSend hook) leaves the round uncommitted.
func (s *Scheduler) send(ctx context.Context, now time.Time, outcomes []due, prevGone map[string]bool, st *TickStats) ([]store.DueStep, map[string]bool) {
	if len(prevGone) > 0 {
		for i := range outcomes {
			d := &outcomes[i]
			if !d.sending {
				continue
			}
			if slices.ContainsFunc(d.view.subs, func(sub model.Subscription) bool { return prevGone[sub.Endpoint] }) {
				// A copy: the loaded slice is the store cache's (read-only).
				var keep []model.Subscription
				for _, sub := range d.view.subs {
					if !prevGone[sub.Endpoint] {
						keep = append(keep, sub)
					}
				}
				d.view.subs = keep
			}
			if len(d.view.subs) == 0 {
				e := d.entry
				st.NoDevices++
				d.sending, d.persist = false, false
				d.next = s.following(e, d.rule, maxTime(now, d.fire.At), e.State.LastSentLocal, nil)
			}
		}
	}
	sending, pushes := 0, 0
	for i := range outcomes {
		if d := &outcomes[i]; d.sending {
			sending++
			pushes += len(d.view.subs)
		}
	}
	jobs := make([]push.Job, 0, pushes)
	for i := range outcomes {
		d := &outcomes[i]
		if !d.sending {
			continue
		}
		msg := d.rule.Message(s.baseURL)
		for _, sub := range d.view.subs {
			jobs = append(jobs, push.Job{Sub: push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, Msg: msg})
		}
		st.Sent++
	}
	if s.observeLateness != nil && sending > 0 {
		handed := s.now()
		for i := range outcomes {
			if d := &outcomes[i]; d.sending {
				s.observeLateness(d.rule.Kind, max(handed.Sub(d.fire.At), 0))
			}
		}
	}

	// The round's sends finish even when ctx ends: what went out must be committed.
	t0 := time.Now()
	results := s.sender.SendAll(context.WithoutCancel(ctx), jobs)
	st.Send += time.Since(t0)
	if s.afterSend != nil {
		s.afterSend()
	}
	st.Pushes += len(jobs)
	gone := make(map[string]bool)
	failed := make(map[int]int) // status -> count; one log line per round, not per push
	var firstErr error
	var refused []string
	for i, r := range results {
		switch {
		case r.Gone:
			gone[jobs[i].Sub.Endpoint] = true
		case r.Delivered():
			st.Delivered++
		default:
			st.Failed++
			failed[r.Status]++
			if firstErr == nil {
				firstErr = r.Err
			}
			if r.DeviceRefused() {
				refused = append(refused, jobs[i].Sub.Endpoint)
			}
		}
	}
	if len(failed) > 0 {
		// Errors from push never contain the endpoint (a bearer capability).
		s.log.Warn("reminder pushes failed", "byStatus", failed, "firstErr", firstErr)
	}
	// Devices their push service refused learn it at their next re-sync
	// (one write for the round).
	if err := s.db.MarkNeedsResubscribe(refused...); err != nil {
		s.log.Error("mark refused devices", "err", err)
	}
	// Jobs were made in outcome order, one per device. A reminder not one device
	// accepted because push services failed stays due: the next tick tries again
	// while it is within its grace, instead of losing it to an outage.
	for i, at := 0, 0; i < len(outcomes); i++ {
		if d := &outcomes[i]; d.sending {
			n := len(d.view.subs)
			if noneAccepted(results[at : at+n]) {
				d.next, d.persist = s.pending(d.entry, d.fire), false
				st.Retrying++
			} else {
				// Some devices have it: the firing counts as sent, and each device
				// that failed for a reason worth another try gets it later, alone.
				for j, r := range results[at : at+n] {
					if !retryable(r) {
						continue
					}
					rt := store.Retry{Token: d.entry.Token, RuleID: d.entry.RuleID, Endpoint: d.view.subs[j].Endpoint,
						Due: d.fire.At, Local: d.fire.Local}
					if s.nextRetry(now, &rt, r, d.rule.Grace) {
						d.retries = append(d.retries, rt)
						st.Requeued++
					}
				}
			}
			at += n
		}
	}

	steps := make([]store.DueStep, len(outcomes))
	for i := range outcomes {
		steps[i] = store.DueStep{Entry: outcomes[i].entry, Next: outcomes[i].next, Persist: outcomes[i].persist, Retries: outcomes[i].retries}
	}
	return steps, gone
}

// commit writes a sent round's steps: from here on its reminders count as
// sent. Then it deletes the endpoints found gone.
func (s *Scheduler) commit(steps []store.DueStep, gone map[string]bool, st *TickStats) error {
	t0 := time.Now()
	err := s.db.AdvanceAll(steps)
	st.Commit += time.Since(t0)
	if err != nil {
		return err
	}
	return s.deleteGone(gone, st)
}

// deleteGone forgets the endpoints a push service answered 404/410 for.
func (s *Scheduler) deleteGone(gone map[string]bool, st *TickStats) error {
	for ep := range gone {
		if err := s.db.DeleteEndpoint(ep); err != nil {
			return err
		}
		st.Gone++
	}
	return nil
}

// decideAll loads the round's plans with their devices and decides each
// entry, on all cores: decoding the plans' JSON and stepping the rules are
// most of a tick's CPU. Each worker takes whole plans (one read transaction
// for its share), so a plan's view is only ever touched by one goroutine.
func (s *Scheduler) decideAll(now time.Time, entries []store.DueEntry, st *TickStats) []due {
	outcomes := make([]due, len(entries))
	byToken := make(map[string][]int, len(entries))
	var tokens []string
	for i, e := range entries {
		outcomes[i].entry = e
		if _, ok := byToken[e.Token]; !ok {
			tokens = append(tokens, e.Token)
		}
		byToken[e.Token] = append(byToken[e.Token], i)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, (len(tokens)+63)/64))
	stats := make([]TickStats, workers)
	var wg sync.WaitGroup
	for w := range workers {
		part := tokens[w*len(tokens)/workers : (w+1)*len(tokens)/workers]
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := &stats[w]
			// A stretch reminder is skipped on a day the routine was done.
			withDone := make([]bool, len(part))
			for i, tok := range part {
				for _, j := range byToken[tok] {
					withDone[i] = withDone[i] || entries[j].State.Kind == model.KindStretch
				}
			}
			loaded, err := s.db.PlansWithDevices(part, withDone)
			for i, tok := range part {
				v := &planView{err: err, lang: s.defaultLang}
				if err == nil {
					l := &loaded[i]
					v.p, v.err, v.subs, v.gen, v.doneAt, v.memo = l.Plan, l.Err, l.Devices, l.Gen, l.DoneAt, l.Memo
				}
				for _, j := range byToken[tok] {
					d := &outcomes[j]
					d.view = v
					s.decide(now, v, d, ws)
				}
			}
		}()
	}
	wg.Wait()
	for i := range stats {
		st.add(&stats[i])
	}
	return outcomes
}

// add sums the counters of o into st (durations are the caller's).
func (st *TickStats) add(o *TickStats) {
	st.Late += o.Late
	st.Done += o.Done
	st.Deferred += o.Deferred
	st.Dropped += o.Dropped
	st.Stale += o.Stale
	st.NoDevices += o.NoDevices
}

// decide works out whether entry d is sent now and what the rule does next.
// A read error costs at most this one firing; it never blocks the index.
func (s *Scheduler) decide(now time.Time, v *planView, d *due, st *TickStats) {
	e := d.entry
	if v.err != nil {
		if !errors.Is(v.err, store.ErrNotFound) {
			s.log.Error("reminder plan unreadable", "plan", shortToken(e.Token), "err", v.err)
		}
		st.Dropped++ // erased, or a plan we can no longer read: forget its rule
		return
	}
	if e.State.Gen != v.gen {
		st.Stale++ // the plan was rescheduled since: the commit deletes it
		return
	}
	if ended(*v.p, now) {
		st.Dropped++
		return
	}
	r, err := v.rule(e.RuleID)
	if err != nil {
		s.log.Error("reminder rules", "plan", shortToken(e.Token), "err", err)
	}
	if r == nil { // switched off, no longer derived, or underivable
		st.Dropped++
		d.persist = true // forget its stored state too
		return
	}
	last := e.State.LastSentLocal
	// Ask the rule again which firing this entry stands for: prefs may have
	// changed since it was written (quiet hours), and a local time already sent
	// (the repeated autumn hour, a resend after a crash) is not one.
	f, ok := r.Next(e.At.Add(-time.Second), last)
	if !ok {
		d.next = s.finished(e)
		st.Deferred++
		return
	}
	if f.At.After(now) {
		d.next = s.pending(e, f)
		st.Deferred++
		return
	}
	if now.Sub(f.At) > r.Grace {
		// Missed by more than its grace; the latest firing still within grace goes instead.
		f2, ok := r.Next(now.Add(-r.Grace-time.Second), last)
		if !ok || f2.At.After(now) {
			st.Late++
			d.next = s.finished(e)
			if ok {
				d.next = s.pending(e, f2)
			}
			return
		}
		f = f2
	}
	if r.Kind == model.KindStretch {
		done, err := s.doneOn(v, f.Local[:10])
		if err != nil { // better a reminder too many than none
			s.log.Error("reminder completions", "plan", shortToken(e.Token), "err", err)
		}
		if done {
			st.Done++
			d.next = s.following(e, r, maxTime(now, f.At), last, nil)
			return
		}
	}
	if v.subsErr != nil {
		s.log.Error("reminder devices", "plan", shortToken(e.Token), "err", v.subsErr)
	}
	if len(v.subs) == 0 {
		st.NoDevices++
		d.next = s.following(e, r, maxTime(now, f.At), last, nil)
		return
	}
	d.rule, d.sending, d.fire = r, true, f
	d.next = s.following(e, r, maxTime(now, f.At), f.Local, &now)
	// The due entry carries LastSentLocal on; the stored rule state, which a
	// rescheduling starts from, only needs it when this local time comes
	// round again later (the repeated autumn hour). Every other later firing
	// has a later local time anyway.
	d.persist = r.recurs(f)
}

// following is the rule's state after its firing: the next fire after after,
// and if sentAt is set, f's local time recorded as sent.
func (s *Scheduler) following(e store.DueEntry, r *Rule, after time.Time, last string, sentAt *time.Time) *store.RuleState {
	st := e.State
	st.RuleID, st.Kind = e.RuleID, r.Kind
	st.NextFire, st.NextLocal = time.Time{}, ""
	if sentAt != nil {
		st.LastSent, st.LastSentLocal = *sentAt, last
	}
	if n, ok := r.Next(after, last); ok {
		st.NextFire, st.NextLocal = n.At, n.Local
	}
	return &st
}

// noneAccepted reports whether no push of a reminder was accepted and at least
// one failed for a reason other than a gone subscription.
func noneAccepted(results []push.Result) bool {
	failed := false
	for _, r := range results {
		if r.Delivered() {
			return false
		}
		failed = failed || !r.Gone
	}
	return failed
}

func (s *Scheduler) pending(e store.DueEntry, f Fire) *store.RuleState {
	st := e.State
	st.RuleID, st.NextFire, st.NextLocal = e.RuleID, f.At, f.Local
	return &st
}

func (s *Scheduler) finished(e store.DueEntry) *store.RuleState {
	st := e.State
	st.RuleID, st.NextFire, st.NextLocal = e.RuleID, time.Time{}, ""
	return &st
}

// doneOn reports whether the plan has a completion with at least one
// stretch done on the client's local date day. An empty completion (done: 0,
// the routine opened and left) does not count.
func (s *Scheduler) doneOn(v *planView, day string) (bool, error) {
	if v.doneAt != nil && len(v.doneAt) == 0 {
		return false, nil // loaded with the plan: none yet
	}
	loc, err := location(v.p.TimeZone)
	if err != nil {
		return false, err
	}
	if v.doneAt != nil {
		// The cache holds completion times only: a day without any completion
		// needs no further read.
		if v.someDays == nil {
			v.someDays = make(map[string]bool, len(v.doneAt))
			for _, at := range v.doneAt {
				v.someDays[at.In(loc).Format("2006-01-02")] = true
			}
		}
		if !v.someDays[day] {
			return false, nil
		}
	}
	if v.doneDays == nil {
		comps, err := s.db.Completions(v.p.Token)
		if err != nil {
			return false, err
		}
		v.doneDays = make(map[string]bool, len(comps))
		for _, c := range comps {
			if c.Done > 0 {
				v.doneDays[c.At.In(loc).Format("2006-01-02")] = true
			}
		}
	}
	return v.doneDays[day], nil
}

// ended reports whether the therapist ended the plan by now.
func ended(p model.Plan, now time.Time) bool {
	return p.EndedAt != nil && !now.Before(*p.EndedAt)
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// shortToken is enough of a token to tell plans apart in logs without
// logging the capability itself.
func shortToken(t string) string {
	if len(t) > 6 {
		return t[:6] + "…"
	}
	return t
}

// TestPush sends one "test" notification to each of the plan's devices and
// returns how many the push services accepted.
func (s *Scheduler) TestPush(ctx context.Context, token string) (int, error) {
	p, err := s.db.Plan(token)
	if err != nil {
		return 0, err
	}
	pol := Policies[model.KindTest]
	l := locale.Of(p.Language, s.defaultLang)
	msg := push.Message{
		Kind: model.KindTest, Title: l.Text("reminder.test.title"), Body: l.Text("reminder.test.body"),
		URL: s.baseURL + "/p/" + p.Token + "#/today", Tag: model.KindTest,
		Topic: Topic(p.Token, model.KindTest), TTL: pol.TTL, Urgency: pol.Urgency,
	}
	return s.sendToOwner(ctx, p.Token, msg)
}

// AlertTherapist pushes a red-flag check-in, or soreness still 7 or more 48 h
// after the session, to the therapist's alert devices at once; a no-op
// otherwise or when the therapist has no device. AlertTherapistAsync is the
// coalescing path check-ins take.
func (s *Scheduler) AlertTherapist(ctx context.Context, p model.Plan, c model.CheckIn) error {
	if !needsAlert(p, c) {
		return nil
	}
	return s.sendAlert(ctx, p, 0)
}

// sendAlert sends the alert about plan p (its first, n == 0, or a digest of
// n check-ins) to the devices of whoever gets its alerts, in their language.
func (s *Scheduler) sendAlert(ctx context.Context, p model.Plan, n int) error {
	to, ok, err := s.alertRecipient(p.TherapistID)
	if err != nil || !ok {
		return err
	}
	_, err = s.sendToOwner(ctx, store.TherapistOwner(to.ID), s.alertMessage(p, n, locale.Of(to.Language, s.defaultLang)))
	return err
}

// alertRecipient is the account whose devices get a plan's alerts: its
// therapist, or the studio owner when that account is disabled or gone (a red
// flag must reach someone who can act). ok is false when there is no one.
func (s *Scheduler) alertRecipient(therapistID string) (to model.Therapist, ok bool, err error) {
	t, err := s.db.Therapist(therapistID)
	switch {
	case err == nil && !t.Disabled:
		return t, true, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return t, false, err
	}
	all, err := s.db.Therapists()
	if err != nil {
		return model.Therapist{}, false, err
	}
	for _, o := range all {
		if o.Owner && !o.Disabled {
			return o, true, nil
		}
	}
	return model.Therapist{}, false, nil
}

// AlertTimeout bounds one asynchronous therapist alert, the push service's
// retries included (it may ask to wait up to a minute).
const AlertTimeout = 2 * time.Minute

// AlertShutdownGrace is how long Stop lets alerts in flight finish before
// cancelling them, so shutdown stays inside a service manager's stop timeout.
const AlertShutdownGrace = 10 * time.Second

// AlertTherapistAsync alerts the therapist in the background, so that a
// check-in request does not wait on push services, and coalesces per plan:
// the plan's first alert goes at once; check-ins that follow within
// AlertDigestEvery are gathered, and the tick after the interval sends one
// digest saying how many. Stop sends what is gathered and waits for alerts
// in flight. Failures are logged.
func (s *Scheduler) AlertTherapistAsync(p model.Plan, c model.CheckIn) {
	if !needsAlert(p, c) {
		return
	}
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.log.Warn("alert therapist: the scheduler is stopped", "plan", shortToken(p.Token))
		return
	}
	if !s.gatherAlert(p, s.now()) {
		s.mu.Unlock()
		return
	}
	s.alerts.Add(1)
	alertsCtx := s.alertsCtx
	s.mu.Unlock()
	s.launchAlert(alertsCtx, p.Token, func(ctx context.Context) error { return s.AlertTherapist(ctx, p, c) })
}

// OnCheckIn reacts to a stored check-in: it alerts the therapist when needed.
// The schedule stays as it is (a 48 h check-in reminder already answered
// costs one notification; re-deriving on every check-in would cost more).
func (s *Scheduler) OnCheckIn(ctx context.Context, p model.Plan, c model.CheckIn) error {
	return s.AlertTherapist(ctx, p, c)
}

// sendToOwner sends msg to every device of owner, deletes the gone ones, and
// returns how many were delivered; an error only if none was and one failed.
func (s *Scheduler) sendToOwner(ctx context.Context, owner string, msg push.Message) (int, error) {
	subs, err := s.db.Subscriptions(owner)
	if err != nil || len(subs) == 0 {
		return 0, err
	}
	jobs := make([]push.Job, len(subs))
	for i, sub := range subs {
		jobs[i] = push.Job{Sub: push.Subscription{Endpoint: sub.Endpoint, P256dh: sub.P256dh, Auth: sub.Auth}, Msg: msg}
	}
	delivered := 0
	var firstErr error
	var refused []string
	for i, r := range s.sender.SendAll(ctx, jobs) {
		switch {
		case r.Gone:
			if err := s.db.DeleteEndpoint(jobs[i].Sub.Endpoint); err != nil {
				return delivered, err
			}
		case r.Delivered():
			delivered++
		default:
			if r.DeviceRefused() {
				refused = append(refused, jobs[i].Sub.Endpoint)
			}
			if firstErr == nil {
				firstErr = r.Err
				if firstErr == nil {
					firstErr = fmt.Errorf("push service answered %d", r.Status)
				}
			}
		}
	}
	// The phone learns it when it next re-syncs, and subscribes afresh.
	if err := s.db.MarkNeedsResubscribe(refused...); err != nil {
		return delivered, err
	}
	if delivered == 0 && firstErr != nil {
		return 0, fmt.Errorf("%s push: %w", msg.Kind, firstErr)
	}
	return delivered, nil
}

// Start ticks every minute on the minute (UTC), after one catch-up tick right
// away for whatever came due while the server was down; before that tick it
// repairs plans stored without a schedule (see repair).
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return
	}
	s.stopped = false
	if s.alertsCtx.Err() != nil { // cancelled by an earlier Stop's grace period
		s.alertsCtx, s.cancelAlerts = context.WithCancel(context.Background())
	}
	ctx, cancel := context.WithCancel(context.Background())
	chain := s.chain()
	c := cron.New(cron.WithLocation(time.UTC), cron.WithChain(chain...))
	if _, err := c.AddFunc("* * * * *", func() { s.runTick(ctx) }); err != nil {
		panic(err) // a constant spec
	}
	s.cron, s.cancel = c, cancel
	s.catchUp.Add(1)
	go func() {
		defer s.catchUp.Done()
		cron.NewChain(chain...).Then(cron.FuncJob(func() { s.repair(); s.runTick(ctx) })).Run()
	}()
	c.Start()
}

// Stop ends ticking and waits for a running tick (its round in flight is
// committed first) and for therapist alerts in flight (each bounded by
// AlertTimeout); close the database only after it returns.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	c, cancel := s.cron, s.cancel
	s.cron, s.cancel = nil, nil
	s.stopped = true
	cancelAlerts := s.cancelAlerts
	// What is gathered goes now, rather than being lost with the process.
	gathered := s.takeDigests(s.now(), true)
	s.alerts.Add(len(gathered))
	alertsCtx := s.alertsCtx
	s.mu.Unlock()
	s.launchDigests(alertsCtx, gathered)
	if c != nil {
		cancel()
		<-c.Stop().Done()
		s.catchUp.Wait()
	}
	done := make(chan struct{})
	go func() { s.alerts.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(AlertShutdownGrace):
		s.log.Warn("stopping: cancelling therapist alerts still waiting on a push service")
		cancelAlerts()
		<-done
	}
}

// chain recovers a panicking tick: robfig/cron does not by default, and one
// bad plan must not take the server down.
func (s *Scheduler) chain() []cron.JobWrapper {
	return []cron.JobWrapper{cron.Recover(cronLogger{s.log})}
}

func (s *Scheduler) runTick(ctx context.Context) {
	if !s.ticking.TryLock() {
		s.log.Warn("reminder tick skipped: the previous one is still running")
		return
	}
	defer s.ticking.Unlock()
	now := s.now()
	st, err := s.tick(ctx)
	if err != nil {
		s.log.Error("reminder tick", "err", err)
	}
	if ctx.Err() == nil {
		s.warm(now)
	}
	if st.Due > 0 {
		s.log.Info("reminder tick", "due", st.Due, "sent", st.Sent, "pushes", st.Pushes, "delivered", st.Delivered,
			"failed", st.Failed, "gone", st.Gone, "late", st.Late, "done", st.Done, "deferred", st.Deferred,
			"dropped", st.Dropped, "noDevices", st.NoDevices, "retrying", st.Retrying, "requeued", st.Requeued,
			"ms", st.Duration.Milliseconds())
	}
	if st.Retries > 0 {
		s.log.Info("reminder retries", "taken", st.Retries, "delivered", st.RetriesDelivered, "dropped", st.RetriesDropped)
	}
}

// WarmAhead is how far ahead of a tick the plans of coming due entries are
// read into the store's cache (two ticks' worth), and warmLimit caps the
// entries that prefetch looks at.
const (
	WarmAhead = 2 * time.Minute
	warmLimit = 100_000
)

// warm reads the plans (with devices) of the entries due after now and
// within WarmAhead into the store's cache and derives their rules into the
// plans' memos, so the next tick finds them ready instead of doing that at
// its due minute. runTick calls it after each tick, off the due minute's
// path. The cache stays coherent with writes: a plan edited in between is
// read afresh by the tick. The cost is O(entries due in the window).
func (s *Scheduler) warm(now time.Time) {
	refs, err := s.db.DueRefs(now, now.Add(WarmAhead), warmLimit)
	if err != nil || len(refs) == 0 {
		return
	}
	idx := make(map[string]int, len(refs))
	var tokens []string
	for _, r := range refs {
		if _, ok := idx[r.Token]; !ok {
			idx[r.Token] = len(tokens)
			tokens = append(tokens, r.Token)
		}
	}
	loaded, err := s.db.PlansWithDevices(tokens, nil)
	if err != nil {
		s.log.Warn("reminder prefetch", "err", err)
		return
	}
	for _, r := range refs {
		if l := &loaded[idx[r.Token]]; l.Err == nil && l.Memo != nil {
			v := planView{p: l.Plan, memo: l.Memo, lang: s.defaultLang}
			_, _ = v.derive(r.RuleID)
		}
	}
}

// cronLogger adapts slog to robfig/cron's Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
