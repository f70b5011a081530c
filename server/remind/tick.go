package remind

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

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
	// Sealed counts pushes sent as messages sealed ahead of their minute (the
	// rest were encrypted at send time).
	Sealed int
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

func (s *Scheduler) tick(ctx context.Context) (TickStats, error) {
	start := time.Now()
	now := s.now()
	var st TickStats
	if ctx.Err() != nil {
		st.Duration = time.Since(start)
		return st, nil
	}
	s.sendDigests(now)          // in the background, like the alerts they gather
	s.sendPrepareReminders(now) // the therapists' opt-in morning before a session, likewise
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
	var refs []sealRef
	if s.sealed != nil {
		refs = make([]sealRef, 0, pushes)
	}
	for i := range outcomes {
		d := &outcomes[i]
		if !d.sending {
			continue
		}
		msg := s.clientMessage(d.rule)
		var expect *push.Expected
		if refs != nil {
			if e, err := push.Expect(msg); err == nil {
				expect = &e
			}
		}
		for _, sub := range d.view.subs {
			jobs = append(jobs, jobFor(sub, msg))
			if refs != nil {
				refs = append(refs, sealRef{token: d.entry.Token, rule: d.entry.RuleID, fire: d.fire.At, expect: expect})
			}
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
	results, sealed := s.deliver(context.WithoutCancel(ctx), now, jobs, refs)
	st.Send += time.Since(t0)
	st.Sealed += sealed
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

// add sums the counters of o into st (durations are the caller's).
func (st *TickStats) add(o *TickStats) {
	st.Late += o.Late
	st.Done += o.Done
	st.Deferred += o.Deferred
	st.Dropped += o.Dropped
	st.Stale += o.Stale
	st.NoDevices += o.NoDevices
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
