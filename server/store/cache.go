package store

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

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
	seed maphash.Seed
	// max is each shard's bound in accounted bytes (cachedPlan.size).
	max    atomic.Int64
	shards [cacheShards]cacheShard
	// changed, if set, hears every invalidated token (DB.OnPlanChange).
	changed atomic.Pointer[func(token string)]
}

const cacheShards = 64

// DefaultCacheBytes bounds the cache by the bytes its entries take, as
// cachedPlan.estimateSize accounts them (BenchmarkPlanCacheBytes in
// server/remind holds the estimate above the heap a warmed cache really
// takes): about 7.4 KB for a plan with ten devices and its derived reminder
// rule, 2.3 KB with one, so about 9,000 to 29,000 plans. The reminder prefetch needs only
// the plans due within its window. A full shard drops arbitrary entries (Go's
// map order) until an eighth of its bound is free.
const DefaultCacheBytes = 64 << 20

type cacheShard struct {
	mu    sync.Mutex
	seq   uint64 // invalidations so far
	bytes int64  // accounted size of m's entries
	m     map[string]*cachedPlan
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
	size int64 // accounted bytes, set by put
}

// Sizes behind cachedPlan.size: the fixed parts of an entry (its struct, the
// plan's and the map slot with the key), a device's fixed part (twice its
// struct, for the decoded slice's spare capacity, and its three strings'
// rounding to the allocator's size classes), and what the memo is allowed
// for the reminder rules derived into it later (a derived rule with its
// texts and schedule, in a sync.Map).
var (
	planEntryFixed = int64(unsafe.Sizeof(cachedPlan{}) + unsafe.Sizeof(model.Plan{}) + 64 + 96)
	deviceFixed    = int64(2*unsafe.Sizeof(model.Subscription{}) + 3*16)
)

const memoAllowance = 1024

// estimateSize is about what e takes in the heap, its memo's rules included.
func (e *cachedPlan) estimateSize(token string) int64 {
	n := planEntryFixed + memoAllowance + int64(len(token))
	if p := e.p; p != nil {
		n += int64(len(p.Token) + len(p.TherapistID) + len(p.ClientName) + len(p.RoutineID) + len(p.TimeZone) +
			len(p.StretchTime) + len(p.Notes) + len(p.AlertsHandledBy) + len(p.Prefs.QuietStart) + len(p.Prefs.QuietEnd))
		n += int64(len(p.Overrides)+len(p.Stretches)) * int64(unsafe.Sizeof(model.Override{})+16)
		for _, o := range p.Overrides {
			n += int64(len(o.StretchID))
		}
		for _, o := range p.Stretches {
			n += int64(len(o.StretchID))
		}
		for _, k := range p.Prefs.Disabled {
			n += 16 + int64(len(k))
		}
		for _, t := range []*time.Time{p.NextSessionAt, p.EndedAt, p.AlertsHandledAt} {
			if t != nil {
				n += 24
			}
		}
	}
	for _, d := range e.devs {
		n += deviceFixed + int64(len(d.Endpoint)+len(d.P256dh)+len(d.Auth))
	}
	n += int64(len(e.done)) * int64(unsafe.Sizeof(time.Time{}))
	return n
}

// cacheMark is the shards' invalidation counts at the start of a read.
type cacheMark [cacheShards]uint64

func newPlanCache(maxBytes int64) *planCache {
	c := &planCache{seed: maphash.MakeSeed()}
	c.setMax(maxBytes)
	for i := range c.shards {
		c.shards[i].m = make(map[string]*cachedPlan)
	}
	return c
}

// setMax sets the bound (DefaultCacheBytes if <= 0) and drops what is past it.
func (c *planCache) setMax(maxBytes int64) {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	limit := max(1, maxBytes/cacheShards)
	c.max.Store(limit)
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		for k, v := range s.m {
			if s.bytes <= limit {
				break
			}
			delete(s.m, k)
			s.bytes -= v.size
		}
		s.mu.Unlock()
	}
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
	e.size = e.estimateSize(token)
	limit := c.max.Load()
	if e.size > limit {
		return nil // larger than a whole shard: not worth what it would push out
	}
	if ok {
		delete(s.m, token)
		s.bytes -= old.size
	}
	if s.bytes+e.size > limit {
		// Make room for this one and an eighth of the bound, so a full shard
		// does not evict on every put.
		want := limit - e.size - limit/8
		for k, v := range s.m {
			if s.bytes <= want {
				break
			}
			delete(s.m, k)
			s.bytes -= v.size
		}
	}
	e.memo = new(sync.Map)
	s.m[token] = e
	s.bytes += e.size
	return e
}

// invalidate drops tokens; call it after the writing transaction returned.
func (c *planCache) invalidate(tokens ...string) {
	for _, t := range tokens {
		s := c.shard(t)
		s.mu.Lock()
		s.seq++
		if e, ok := s.m[t]; ok {
			delete(s.m, t)
			s.bytes -= e.size
		}
		s.mu.Unlock()
	}
	if f := c.changed.Load(); f != nil {
		for _, t := range tokens {
			(*f)(t)
		}
	}
}

// size sums the accounted bytes of the cached plans.
func (c *planCache) size() int64 {
	var n int64
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		n += s.bytes
		s.mu.Unlock()
	}
	return n
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

// CachedBytes returns the bytes the cached plans take, as the bound counts them.
func (db *DB) CachedBytes() int64 { return db.cache.size() }

// LimitCache bounds the cache of decoded plans to about maxBytes
// (DefaultCacheBytes if <= 0), dropping what is past the new bound.
func (db *DB) LimitCache(maxBytes int64) { db.cache.setMax(maxBytes) }
