package remind

import (
	"context"
	"errors"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// RetryDelay is how long after a failed push to a single device (its
// reminder reached the plan's other devices) that device is tried again;
// each further failure doubles the wait, up to MaxRetryDelay. A longer
// Retry-After from the push service is honoured. Retries stop at the kind's grace.
const (
	RetryDelay    = time.Minute
	MaxRetryDelay = 16 * time.Minute
)

// retryable reports whether a push failed for a reason a later try may fix:
// a 5xx, a 429 (whose wait the sender did not sit out), or a transport error
// after an HTTP attempt. Not: delivered, gone, other refusals (400, 403,
// 413), or an error before any attempt (allowlist, payload).
func retryable(r push.Result) bool {
	if r.Delivered() || r.Gone {
		return false
	}
	return r.Status >= 500 || r.Status == 429 || (r.Status == 0 && r.Attempts > 0)
}

// nextRetry sets rt.At and rt.Attempts for its next try after the failed
// result r, and reports false when that would be past the firing's grace.
func (s *Scheduler) nextRetry(now time.Time, rt *store.Retry, r push.Result, grace time.Duration) bool {
	wait := RetryDelay
	for i := 0; i < rt.Attempts && wait < MaxRetryDelay; i++ {
		wait *= 2
	}
	wait = min(wait, MaxRetryDelay)
	wait = max(wait, r.RetryAfter)
	rt.Attempts++
	// Whole seconds up: the index keys by the second, and a tick at the
	// following minute must find it due.
	rt.At = now.Add(wait).Truncate(time.Second)
	if rt.At.Before(now.Add(wait)) {
		rt.At = rt.At.Add(time.Second)
	}
	return !rt.At.After(rt.Due.Add(grace))
}

// retryDevices sends the retries due by now: each to its one device, if the
// plan is still active, the device still subscribed, the rule still has the
// firing, and it is within its kind's grace. The message is rebuilt from the
// rule as the original was. Delivered, gone or hopeless ones leave the index;
// failed ones come back later (see nextRetry). The work is O(retries due).
func (s *Scheduler) retryDevices(ctx context.Context, now time.Time, st *TickStats) error {
	for ctx.Err() == nil {
		t0 := time.Now()
		rs, err := s.db.RetriesDue(now, s.batch)
		st.Scan += time.Since(t0)
		if err != nil || len(rs) == 0 {
			return err
		}
		st.Retries += len(rs)

		t0 = time.Now()
		tokens, idx := planTokens(rs, func(r *store.Retry) string { return r.Token })
		// Completions are read only for a stretch retry (doneOn): retries are few.
		loaded, err := s.db.PlansWithDevices(tokens, nil)
		if err != nil {
			return err
		}
		views := make([]*planView, len(tokens))
		for i := range loaded {
			views[i] = s.viewOf(&loaded[i])
		}
		steps := make([]store.RetryStep, len(rs))
		var jobs []push.Job
		var jobOf []int
		var rules []*Rule
		for i := range rs {
			steps[i].Retry = rs[i]
			sub, r, ok := s.retryTarget(now, views[idx[rs[i].Token]], &rs[i])
			if !ok {
				st.RetriesDropped++
				continue
			}
			jobs = append(jobs, jobFor(sub, r.Message(s.baseURL)))
			jobOf = append(jobOf, i)
			rules = append(rules, r)
		}
		st.Decide += time.Since(t0)

		var results []push.Result
		if len(jobs) > 0 {
			t0 = time.Now()
			// Like a round: what went out must be committed.
			results = s.sender.SendAll(context.WithoutCancel(ctx), jobs)
			st.Send += time.Since(t0)
		}
		st.Pushes += len(jobs)
		gone := make(map[string]bool)
		for j, res := range results {
			i := jobOf[j]
			switch {
			case res.Gone:
				gone[jobs[j].Sub.Endpoint] = true
			case res.Delivered():
				st.Delivered++
				st.RetriesDelivered++
			default:
				st.Failed++
				next := rs[i]
				if retryable(res) && s.nextRetry(now, &next, res, rules[j].Grace) {
					steps[i].Next = &next
				}
			}
		}
		if err := s.commitRetries(steps, gone, st); err != nil {
			return err
		}
		if len(rs) < s.batch {
			return nil
		}
	}
	return nil
}

func (s *Scheduler) commitRetries(steps []store.RetryStep, gone map[string]bool, st *TickStats) error {
	t0 := time.Now()
	err := s.db.CommitRetries(steps)
	st.Commit += time.Since(t0)
	if err != nil {
		return err
	}
	return s.deleteGone(gone, st)
}

// retryTarget checks that retry rt is still owed and returns its device and rule.
func (s *Scheduler) retryTarget(now time.Time, v *planView, rt *store.Retry) (model.Subscription, *Rule, bool) {
	var none model.Subscription
	if v.err != nil {
		if !errors.Is(v.err, store.ErrNotFound) {
			s.log.Error("reminder retry: plan unreadable", "plan", shortToken(rt.Token), "err", v.err)
		}
		return none, nil, false
	}
	if ended(*v.p, now) {
		return none, nil, false
	}
	r, err := v.rule(rt.RuleID)
	if err != nil {
		s.log.Error("reminder retry: rules", "plan", shortToken(rt.Token), "err", err)
	}
	if r == nil || now.Sub(rt.Due) > r.Grace {
		return none, nil, false
	}
	// The rule must still have this firing (prefs may have moved or switched it off since).
	if f, ok := r.Next(rt.Due.Add(-time.Second), ""); !ok || !f.At.Equal(rt.Due) || f.Local != rt.Local {
		return none, nil, false
	}
	if r.Kind == model.KindStretch && len(rt.Local) >= 10 {
		done, err := s.doneOn(v, rt.Local[:10])
		if err != nil {
			s.log.Error("reminder retry: completions", "plan", shortToken(rt.Token), "err", err)
		}
		if done {
			return none, nil, false
		}
	}
	for _, sub := range v.subs {
		if sub.Endpoint == rt.Endpoint {
			return sub, r, true
		}
	}
	return none, nil, false
}
