package push

import (
	"container/heap"
	"crypto/sha256"
	"encoding/base64"
	"sync"
	"time"
)

// DefaultSealCacheBytes bounds the sealed messages kept in memory: about
// 60,000 reminders (a 512-byte body is accounted as about 1,125 bytes with
// its strings and the cache's own overhead), several due minutes' worth of a
// large studio.
const DefaultSealCacheBytes = 64 << 20

// sealEntryOverhead is what the cache spends per entry besides the message
// and key strings: the entry's own fields, its map slot (with the map's
// growth slack) and its heap slot. With it the accounted bytes stay above
// the Go heap a cache of reminders really takes (BenchmarkSealedBytes).
const sealEntryOverhead = 320

// SealKey names one sealed message: a plan's rule firing at Fire, for one device.
type SealKey struct {
	Plan   string    // plan token
	Rule   string    // rule ID, e.g. "stretch-daily"
	Device string    // DeviceID of the subscription
	Fire   time.Time // the firing's instant
}

// DeviceID names a subscription in a SealKey: a digest of its endpoint and
// keys, so a device that subscribes again (new keys) never gets a message
// sealed for its old ones, and the key holds no bearer capability.
func DeviceID(sub Subscription) string {
	h := sha256.New()
	for _, f := range []string{sub.Endpoint, sub.P256dh, sub.Auth} {
		h.Write([]byte(f))
		h.Write([]byte{0})
	}
	var sum [sha256.Size]byte
	return base64.RawURLEncoding.EncodeToString(h.Sum(sum[:0])[:18])
}

// sealMapKey is SealKey with the instant as a number: time.Time values of
// one instant in two locations are not == and would make two keys.
type sealMapKey struct {
	plan, rule, device string
	fire               int64
}

func mapKey(k SealKey) sealMapKey {
	return sealMapKey{plan: k.Plan, rule: k.Rule, device: k.Device, fire: k.Fire.UnixNano()}
}

type sealEntry struct {
	key  sealMapKey
	m    Sealed
	size int64
	idx  int // in the heap
	// The plan's entries, a doubly linked list, for Drop.
	prev, next *sealEntry
}

// SealCache keeps sealed messages until their due minute, bounded by bytes.
// Past the bound it keeps the messages due soonest and evicts those due
// latest: it seals less far ahead rather than fail the next minute. Call Drop
// on any change to a plan or its devices; at the due minute, take a message
// with TakeDue and send it only if Matches says it is what Send would send.
// It is safe for concurrent use.
type SealCache struct {
	mu      sync.Mutex
	max     int64
	bytes   int64
	evicted int64
	entries map[sealMapKey]*sealEntry
	plans   map[string]*sealEntry // head of each plan's list
	latest  latestFirst
}

// NewSealCache returns a cache holding at most maxBytes (DefaultSealCacheBytes if <= 0).
func NewSealCache(maxBytes int64) *SealCache {
	if maxBytes <= 0 {
		maxBytes = DefaultSealCacheBytes
	}
	return &SealCache{max: maxBytes, entries: make(map[sealMapKey]*sealEntry), plans: make(map[string]*sealEntry)}
}

// Put stores m under key, replacing what was there, then evicts the messages
// due latest until the cache is within its bound. It reports whether m was
// kept: false means it fires later than everything the bound leaves room for.
func (c *SealCache) Put(key SealKey, m Sealed) bool {
	mk := mapKey(key)
	e := &sealEntry{key: mk, m: m, size: int64(m.Size() + len(mk.plan) + len(mk.rule) + len(mk.device) + sealEntryOverhead)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old := c.entries[mk]; old != nil {
		c.remove(old)
	}
	c.entries[mk] = e
	c.bytes += e.size
	heap.Push(&c.latest, e)
	if head := c.plans[mk.plan]; head != nil {
		e.next, head.prev = head, e
	}
	c.plans[mk.plan] = e
	for c.bytes > c.max {
		c.remove(c.latest[0])
		c.evicted++
	}
	return c.entries[mk] == e
}

// Accepts reports whether a message firing at fire would likely be kept:
// the cache has room, or holds one due later that Put would evict. A sealer
// working through fire times in order stops sealing when it says no.
func (c *SealCache) Accepts(fire time.Time) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.bytes < c.max || len(c.latest) > 0 && c.latest[0].key.fire > fire.UnixNano()
}

// Has reports whether a message is stored under key: a sealer working
// through the coming minutes skips what an earlier pass sealed.
func (c *SealCache) Has(key SealKey) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.entries[mapKey(key)] != nil
}

// TakeDue removes and returns the message stored under key.
func (c *SealCache) TakeDue(key SealKey) (Sealed, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[mapKey(key)]
	if e == nil {
		return Sealed{}, false
	}
	c.remove(e)
	return e.m, true
}

// Drop removes every message of a plan and returns how many there were.
func (c *SealCache) Drop(plan string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for e := c.plans[plan]; e != nil; {
		next := e.next
		c.remove(e)
		e, n = next, n+1
	}
	return n
}

// Expire removes the messages whose Expires is at or before now (those a
// device unsubscribed from, or whose minute passed untaken) and returns how
// many. It scans the whole cache: once a minute is cheap.
func (c *SealCache) Expire(now time.Time) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	var gone []*sealEntry
	for _, e := range c.entries {
		if !e.m.Expires.IsZero() && !now.Before(e.m.Expires) {
			gone = append(gone, e)
		}
	}
	for _, e := range gone {
		c.remove(e)
	}
	return len(gone)
}

// SealCacheStats is a snapshot of a SealCache.
type SealCacheStats struct {
	Messages int
	Bytes    int64 // accounted, at most MaxBytes
	MaxBytes int64
	Evicted  int64 // messages evicted by the bound so far
}

// Stats returns the cache's size and evictions.
func (c *SealCache) Stats() SealCacheStats {
	c.mu.Lock()
	defer c.mu.Unlock()
	return SealCacheStats{Messages: len(c.entries), Bytes: c.bytes, MaxBytes: c.max, Evicted: c.evicted}
}

// remove unlinks e from the map, the heap and its plan's list.
func (c *SealCache) remove(e *sealEntry) {
	delete(c.entries, e.key)
	heap.Remove(&c.latest, e.idx)
	c.bytes -= e.size
	if e.prev != nil {
		e.prev.next = e.next
	} else if e.next != nil {
		c.plans[e.key.plan] = e.next
	} else {
		delete(c.plans, e.key.plan)
	}
	if e.next != nil {
		e.next.prev = e.prev
	}
	e.prev, e.next = nil, nil
}

// latestFirst is a max-heap of entries by fire time.
type latestFirst []*sealEntry

func (h latestFirst) Len() int           { return len(h) }
func (h latestFirst) Less(i, j int) bool { return h[i].key.fire > h[j].key.fire }
func (h latestFirst) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].idx, h[j].idx = i, j
}
func (h *latestFirst) Push(x any) {
	e := x.(*sealEntry)
	e.idx = len(*h)
	*h = append(*h, e)
}
func (h *latestFirst) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
