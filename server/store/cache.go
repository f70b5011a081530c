package store

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// planCache holds decoded plans and their devices by token, so a reminder
// tick does not decode the same JSON every minute. Only this process opens
// the file (bbolt's lock), so every write goes through a DB method, and each
// method that writes the plans or subs bucket invalidates the tokens it
// touched after its transaction has finished (committed, or rolled back:
// dropping an entry is always safe; a Batch func that ran twice only names a
// token twice). Nothing uncommitted ever enters: entries are filled from read
// transactions only.
//
// A fill races with writes: a reader may decode a plan, a write commits and
// invalidates, and then the reader stores its old copy. To rule that out each
// shard counts its invalidations; a reader notes the counts before its read
// transaction begins and stores an entry only if its shard's count is still
// the same (else the value may predate a commit, and it is simply not cached).
//
// Values are immutable once cached. Plan hands out deep copies (cloned
// slices), so no request handler can change a cached plan through what it
// was handed; PlansWithDevices, for the reminder tick, hands out the cached
// values themselves, documented read-only (copying 10,000 plans a minute
// costs the tick more than reading them).
type planCache struct {
	seed   maphash.Seed
	max    int // per shard
	shards [cacheShards]cacheShard
	// changed, if set, hears every invalidated token (DB.OnPlanChange).
	changed atomic.Pointer[func(token string)]
}

const cacheShards = 64

// DefaultCachePlans bounds the cache. Measured by BenchmarkTick1M/warm: about
// 1.5 KB of heap per plan with one device and its derived reminder rule (the
// memo), so about 150 MB when full. The reminder prefetch needs only the plans
// due within its window (10,000 in the benchmark's busiest minute). A full
// shard drops arbitrary entries (Go's map order), an eighth of it at a time.
const DefaultCachePlans = 100_000

type cacheShard struct {
	mu  sync.Mutex
	seq uint64 // invalidations so far
	m   map[string]*cachedPlan
}

// cachedPlan is immutable once stored (memo only holds values derived from p).
type cachedPlan struct {
	p *model.Plan
	// full: devs, gen and done are known too (else only p is).
	full bool
	devs []model.Subscription
	gen  uint64      // the schedule generation
	done []time.Time // completion times
	memo *sync.Map
}

// cacheMark is the shards' invalidation counts at the start of a read.
type cacheMark [cacheShards]uint64

func newPlanCache(maxPlans int) *planCache {
	c := &planCache{seed: maphash.MakeSeed(), max: max(1, maxPlans/cacheShards)}
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cachedPlan)
	}
	return c
}

func (c *planCache) shard(token string) *cacheShard {
	return &c.shards[maphash.String(c.seed, token)%cacheShards]
}

// mark returns the invalidation counts; take it before the read transaction.
func (c *planCache) mark() *cacheMark {
	var m cacheMark
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		m[i] = s.seq
		s.mu.Unlock()
	}
	return &m
}

func (c *planCache) get(token string) *cachedPlan {
	s := c.shard(token)
	s.mu.Lock()
	e := s.m[token]
	s.mu.Unlock()
	return e
}

// put stores e, what a read that began at mark found for token, unless a
// write finished since (then e may be older than the file) or an entry at
// least as complete is there already (it is just as current). It returns
// the entry now cached for token, or nil.
func (c *planCache) put(mark *cacheMark, token string, e *cachedPlan) *cachedPlan {
	i := maphash.String(c.seed, token) % cacheShards
	s := &c.shards[i]
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seq != mark[i] {
		return nil
	}
	old, ok := s.m[token]
	if ok && (old.full || !e.full) {
		return old
	}
	if !ok && len(s.m) >= c.max {
		n := max(1, c.max/8)
		for k := range s.m {
			delete(s.m, k)
			if n--; n == 0 {
				break
			}
		}
	}
	e.memo = new(sync.Map)
	s.m[token] = e
	return e
}

// invalidate drops tokens; call it after the writing transaction returned.
func (c *planCache) invalidate(tokens ...string) {
	for _, t := range tokens {
		s := c.shard(t)
		s.mu.Lock()
		s.seq++
		delete(s.m, t)
		s.mu.Unlock()
	}
	if f := c.changed.Load(); f != nil {
		for _, t := range tokens {
			(*f)(t)
		}
	}
}

// len counts the cached plans (tests, metrics).
func (c *planCache) len() int {
	n := 0
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += len(s.m)
		s.mu.Unlock()
	}
	return n
}

// clonePlan deep-copies p's slices, so the copy shares nothing mutable.
func clonePlan(p *model.Plan) model.Plan {
	out := *p
	out.Overrides = slices.Clone(p.Overrides)
	out.Stretches = slices.Clone(p.Stretches)
	out.Prefs.Disabled = slices.Clone(p.Prefs.Disabled)
	if p.NextSessionAt != nil {
		t := *p.NextSessionAt
		out.NextSessionAt = &t
	}
	if p.EndedAt != nil {
		t := *p.EndedAt
		out.EndedAt = &t
	}
	return out
}

// OnPlanChange has f hear the token of every plan (or device owner) a write
// touched, after its transaction returned: wherever the cache is invalidated,
// so every write to a plan, its devices, its schedule or its completions.
// The reminder scheduler drops what it sealed ahead for the plan. f must be
// quick and must not write to the database; a later call replaces f (nil: none).
func (db *DB) OnPlanChange(f func(token string)) {
	if f == nil {
		db.cache.changed.Store(nil)
		return
	}
	db.cache.changed.Store(&f)
}

// CachedPlans returns how many decoded plans the cache holds.
func (db *DB) CachedPlans() int { return db.cache.len() }
