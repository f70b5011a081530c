package remind

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// SealingSender is a Sender that can also encrypt messages ahead of their due
// minute and, at that minute, send only the stored bytes; *push.Sender is one.
// With any other Sender every message is built and encrypted at its minute.
type SealingSender interface {
	Sender
	Sealer() *push.Sealer
	SendAllSealed(ctx context.Context, msgs []push.Sealed) []push.Result
}

// Sealing ahead. After each minute's tick the scheduler encrypts, for every
// device, the messages of the entries due within WarmAhead (the plans the
// prefetch just read), soonest first, while the byte-bounded cache takes
// them. At the due minute the tick decides exactly as it does without
// sealing, builds each message as it would, and sends the sealed bytes only
// for a device whose stored message Matches that message (same plan text,
// device keys, TTL, urgency and topic) and has not expired; anything else is
// sealed and sent then, as before. Any write to a plan or its devices drops
// its sealed messages (store.DB.OnPlanChange); the next pass seals them again.

// sealJob is one message to seal ahead.
type sealJob struct {
	key     push.SealKey
	sub     push.Subscription
	msg     push.Message
	expires time.Time
}

// startSealing seals ahead in the background until done or stopSealing.
func (s *Scheduler) startSealing(now time.Time) {
	if s.sealed == nil {
		return
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	s.sealMu.Lock()
	s.sealStop, s.sealDone = cancel, done
	s.sealMu.Unlock()
	go func() {
		defer close(done)
		s.sealAhead(ctx, now)
	}()
}

// stopSealing ends a background sealing pass and waits for it: the due
// minute's tick has the cores to itself.
func (s *Scheduler) stopSealing() {
	s.sealMu.Lock()
	cancel, done := s.sealStop, s.sealDone
	s.sealStop, s.sealDone = nil, nil
	s.sealMu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

// sealAhead seals the messages of the entries due after now and within
// WarmAhead, in fire-time order, for each device of their plans, while the
// cache accepts them, and returns how many it sealed. Entries that would
// not be sent as things stand (plan erased or ended, schedule replaced, rule
// switched off, no device) are skipped; whatever else the due minute checks
// is checked then. It runs on all cores and stops when ctx ends.
func (s *Scheduler) sealAhead(ctx context.Context, now time.Time) int {
	entries, err := s.db.DueWithin(now, now.Add(WarmAhead), warmLimit)
	if err != nil || len(entries) == 0 {
		return 0
	}
	tokens, idx := planTokens(entries, func(e *store.DueEntry) string { return e.Token })
	loaded, err := s.db.PlansWithDevices(tokens, nil)
	if err != nil {
		s.log.Warn("sealing reminders ahead", "err", err)
		return 0
	}
	views := make([]*planView, len(loaded))
	for i := range loaded {
		views[i] = s.viewOf(&loaded[i])
	}
	until := now.Add(WarmAhead)
	var jobs []sealJob
	for _, e := range entries {
		v := views[idx[e.Token]]
		if v.err != nil || e.State.Gen != v.gen || ended(*v.p, e.At) || len(v.subs) == 0 {
			continue
		}
		r, err := v.rule(e.RuleID)
		if err != nil || r == nil {
			continue
		}
		// The firing the due minute will find for this entry, as decide asks.
		f, ok := r.Next(e.At.Add(-time.Second), e.State.LastSentLocal)
		if !ok || f.At.After(until) {
			continue
		}
		msg := s.clientMessage(r)
		for _, sub := range v.subs {
			ps := pushSub(sub.Endpoint, sub.P256dh, sub.Auth)
			key := push.SealKey{Plan: e.Token, Rule: e.RuleID, Device: push.DeviceID(ps), Fire: f.At}
			if !s.sealed.Has(key) {
				jobs = append(jobs, sealJob{key: key, sub: ps, msg: msg, expires: f.At.Add(r.Grace)})
			}
		}
	}
	if len(jobs) == 0 {
		return 0
	}
	sealer := s.sealing.Sealer()
	var next, sealed atomic.Int64
	var full atomic.Bool
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Go(func() {
			for ctx.Err() == nil && !full.Load() {
				i := int(next.Add(1)) - 1
				if i >= len(jobs) {
					return
				}
				j := &jobs[i]
				// In fire-time order: once the bound leaves no room for this
				// one, it leaves none for those after it.
				if !s.sealed.Accepts(j.key.Fire) {
					full.Store(true)
					return
				}
				m, err := sealer.Seal(j.sub, j.msg, j.expires)
				if err != nil {
					continue // the due minute sends it the usual way and logs why it fails
				}
				if s.sealed.Put(j.key, m) {
					sealed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	return int(sealed.Load())
}

// pushSub is a stored device as the push package names it.
func pushSub(endpoint, p256dh, auth string) push.Subscription {
	return push.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth}
}

// sealRef names the firing a job of the due minute belongs to, and what its
// sealed message must match (shared by the firing's devices; nil: nothing can).
type sealRef struct {
	token, rule string
	fire        time.Time
	expect      *push.Expected
}

// deliver hands a round's jobs to the sender and returns their results in
// order. With sealing on, a job whose message was sealed ahead and still
// matches goes as those bytes (SendAllSealed), the rest as usual (SendAll),
// both at once; refs[i] names job i's firing. It returns how many went sealed.
func (s *Scheduler) deliver(ctx context.Context, now time.Time, jobs []push.Job, refs []sealRef) ([]push.Result, int) {
	if s.sealed == nil || len(jobs) == 0 {
		return s.sender.SendAll(ctx, jobs), 0
	}
	// Looking up and matching is a few µs a push: on all cores, since the
	// round's sends wait for it.
	taken := make([]push.Sealed, len(jobs))
	found := make([]bool, len(jobs))
	workers := max(1, min(runtime.GOMAXPROCS(0), len(jobs)/256))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(jobs)/workers, (w+1)*len(jobs)/workers
		wg.Go(func() {
			for i := lo; i < hi; i++ {
				j, r := &jobs[i], &refs[i]
				key := push.SealKey{Plan: r.token, Rule: r.rule, Device: push.DeviceID(j.Sub), Fire: r.fire}
				m, ok := s.sealed.TakeDue(key)
				if ok && r.expect != nil && now.Before(m.Expires) && m.MatchesExpected(j.Sub, *r.expect) {
					// The tick has decided by its clock that the firing is
					// within its grace, as for every message; from here on the
					// sealed one goes as an unsealed one would (the sender's
					// own expiry check is for messages handed to it undecided).
					m.Expires = time.Time{}
					taken[i], found[i] = m, true
				}
			}
		})
	}
	wg.Wait()
	var sealed []push.Sealed
	var sealedAt, plainAt []int
	for i := range jobs {
		if found[i] {
			sealed = append(sealed, taken[i])
			sealedAt = append(sealedAt, i)
		} else {
			plainAt = append(plainAt, i)
		}
	}
	if len(sealed) == 0 {
		return s.sender.SendAll(ctx, jobs), 0
	}
	results := make([]push.Result, len(jobs))
	if len(plainAt) > 0 {
		wg.Go(func() {
			plain := make([]push.Job, len(plainAt))
			for k, i := range plainAt {
				plain[k] = jobs[i]
			}
			for k, r := range s.sender.SendAll(ctx, plain) {
				results[plainAt[k]] = r
			}
		})
	}
	for k, r := range s.sealing.SendAllSealed(ctx, sealed) {
		results[sealedAt[k]] = r
	}
	wg.Wait()
	return results, len(sealed)
}
