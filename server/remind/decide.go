package remind

import (
	"errors"
	"runtime"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// planView is one plan as a round sees it, loaded once per round.
type planView struct {
	p       *model.Plan  // shared with the store's cache: read-only
	lang    language.Tag // the language of a plan that names none (the studio's)
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

// viewOf is the view of a plan as PlansWithDevices loaded it.
func (s *Scheduler) viewOf(l *store.PlanDevices) *planView {
	return &planView{p: l.Plan, lang: s.defaultLang, err: l.Err, subs: l.Devices, gen: l.Gen, doneAt: l.DoneAt, memo: l.Memo}
}

// planTokens lists the distinct plans of items (token reads an item's plan),
// in first-seen order, and each one's place in that list: one
// PlansWithDevices read then serves all the items.
func planTokens[T any](items []T, token func(*T) string) ([]string, map[string]int) {
	idx := make(map[string]int, len(items))
	var tokens []string
	for i := range items {
		t := token(&items[i])
		if _, ok := idx[t]; !ok {
			idx[t] = len(tokens)
			tokens = append(tokens, t)
		}
	}
	return tokens, idx
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
				var v *planView
				if err == nil {
					v = s.viewOf(&loaded[i])
				} else {
					v = &planView{err: err}
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
