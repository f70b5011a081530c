package remind

import (
	"runtime"
	"sync"
	"time"

	"github.com/aftercare/aftercare/server/store"
)

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
	s.warmWithin(now, now.Add(WarmAhead))
}

// warmStart is warm before the first tick after start: the plans of every
// entry due by then (what came due while the server was down included), so
// that tick runs as warm as every later one.
func (s *Scheduler) warmStart(now time.Time) {
	s.warmWithin(time.Unix(0, 0), now.Add(WarmAhead))
}

// warmWithin warms the plans of the entries due after after and by until,
// on all cores (decoding the plans is the work), each worker a share of
// whole plans in one read transaction.
func (s *Scheduler) warmWithin(after, until time.Time) {
	refs, err := s.db.DueRefs(after, until, warmLimit)
	if err != nil || len(refs) == 0 {
		return
	}
	tokens, idx := planTokens(refs, func(r *store.DueRef) string { return r.Token })
	rules := make([][]string, len(tokens))
	for _, r := range refs {
		rules[idx[r.Token]] = append(rules[idx[r.Token]], r.RuleID)
	}
	workers := max(1, min(runtime.GOMAXPROCS(0), 8, (len(tokens)+63)/64))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(tokens)/workers, (w+1)*len(tokens)/workers
		wg.Go(func() {
			loaded, err := s.db.PlansWithDevices(tokens[lo:hi], nil)
			if err != nil {
				s.log.Warn("reminder prefetch", "err", err)
				return
			}
			for i := range loaded {
				if l := &loaded[i]; l.Err == nil && l.Memo != nil {
					v := planView{p: l.Plan, memo: l.Memo, lang: s.defaultLang}
					for _, id := range rules[lo+i] {
						_, _ = v.derive(id)
					}
				}
			}
		})
	}
	wg.Wait()
}
