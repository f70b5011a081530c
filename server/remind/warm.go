package remind

import (
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
	refs, err := s.db.DueRefs(now, now.Add(WarmAhead), warmLimit)
	if err != nil || len(refs) == 0 {
		return
	}
	tokens, idx := planTokens(refs, func(r *store.DueRef) string { return r.Token })
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
