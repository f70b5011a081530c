package auth

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Throttle counts failed attempts per key in a sliding window. An attempt is
// reserved before the password is checked (Reserve) and settled after it (Fail
// or Release), so attempts in flight count against the limit: a burst of
// concurrent logins cannot all slip past it while bcrypt runs.
//
// Memory is bounded by MaxKeys. When full, a record whose failures have all
// expired goes first, else the least recently used of those with the fewest
// failures: a spray of one-off failures pushes out other one-off failures, never
// a locked-out key or an attacker's record of several. Records with attempts in
// flight are never evicted.
type Throttle struct {
	Limit   int
	Window  time.Duration
	MaxKeys int
	Now     func() time.Time

	mu   sync.Mutex
	keys map[string]*record
	// byFailures[n] lists the idle records with n failures in the window (n
	// capped at Limit), least recently used first; [0] stays empty.
	byFailures []list.List
}

// record is one key's recent failures and attempts in flight.
type record struct {
	key      string
	failures []time.Time // within the window, oldest first
	pending  int
	in       *list.List // the eviction list holding elem; nil while attempts are in flight
	elem     *list.Element
}

// DefaultMaxKeys bounds the memory an address-spraying attacker can make us
// hold: about 100 bytes per key, plus its failure times.
const DefaultMaxKeys = 10000

// inFlightRetry is the Retry-After for a key refused only because of attempts
// still being checked: they settle within a bcrypt check or two.
const inFlightRetry = time.Second

// NewThrottle returns a throttle allowing limit failures per window.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{Limit: limit, Window: window, MaxKeys: DefaultMaxKeys, Now: now}
}

// Reserve starts an attempt for key if its failures in the window plus its
// attempts in flight are below limit (usually t.Limit), and returns 0. Otherwise
// it reserves nothing and returns how long to wait. Settle each reservation with
// Fail or Release.
func (t *Throttle) Reserve(key string, limit int) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	r := t.get(key, now)
	if wait := t.wait(r, limit, now); wait > 0 {
		return wait
	}
	if r == nil {
		r = t.add(key, now)
	}
	t.unlink(r)
	r.pending++
	return 0
}

// RetryAfter returns 0 when key may try now under Limit, else how long it must wait.
func (t *Throttle) RetryAfter(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	return t.wait(t.get(key, now), t.Limit, now)
}

// Count returns key's failures in the window plus its attempts in flight.
func (t *Throttle) Count(key string) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	r := t.get(key, t.Now())
	if r == nil {
		return 0
	}
	return len(r.failures) + r.pending
}

// Fail settles one of key's attempts as a failure (or records a failure for a
// key without one in flight).
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	r := t.get(key, now)
	if r == nil {
		r = t.add(key, now)
	}
	r.failures = append(r.failures, now)
	t.settle(r)
}

// Release settles one of key's attempts without a failure.
func (t *Throttle) Release(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.get(key, t.Now()); r != nil {
		t.settle(r)
	}
}

// Reset forgets key's failures (after a successful login); attempts in flight stay counted.
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if r := t.keys[key]; r != nil {
		r.failures = nil
		t.file(r)
	}
}

// Len returns how many keys the throttle holds.
func (t *Throttle) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.keys)
}

// wait is how long until r's failures plus attempts in flight drop below limit.
func (t *Throttle) wait(r *record, limit int, now time.Time) time.Duration {
	if r == nil || len(r.failures)+r.pending < limit {
		return 0
	}
	// The count drops below limit once failures[over] has left the window.
	over := len(r.failures) + r.pending - limit
	if over >= len(r.failures) {
		return inFlightRetry
	}
	wait := r.failures[over].Add(t.Window).Sub(now)
	if r.pending > 0 {
		wait = min(wait, inFlightRetry)
	}
	return max(wait, time.Nanosecond)
}

// get returns key's record with expired failures dropped, or nil when nothing is left of it.
func (t *Throttle) get(key string, now time.Time) *record {
	r := t.keys[key]
	if r == nil {
		return nil
	}
	i := 0
	for i < len(r.failures) && t.expired(r.failures[i], now) {
		i++
	}
	if i == 0 {
		return r
	}
	r.failures = r.failures[i:]
	if len(r.failures) == 0 {
		r.failures = nil
	}
	if r.in != nil {
		t.file(r) // to the list for fewer failures, or out
	}
	return t.keys[key]
}

func (t *Throttle) expired(failure, now time.Time) bool {
	return !failure.After(now.Add(-t.Window))
}

// add creates key's record, making room first when the throttle is full.
func (t *Throttle) add(key string, now time.Time) *record {
	if t.keys == nil {
		t.keys = map[string]*record{}
	}
	if maxKeys := max(t.MaxKeys, 1); len(t.keys) >= maxKeys {
		t.evict(now)
	}
	r := &record{key: key}
	t.keys[key] = r
	return r
}

// evict drops one idle record: one whose failures have all expired, else the
// least recently used of those with the fewest failures. When every record has
// an attempt in flight the map grows past MaxKeys until they settle.
func (t *Throttle) evict(now time.Time) {
	var fewest *record
	for i := range t.byFailures {
		e := t.byFailures[i].Front()
		if e == nil {
			continue
		}
		r := e.Value.(*record)
		if t.expired(r.failures[len(r.failures)-1], now) {
			t.drop(r)
			return
		}
		if fewest == nil {
			fewest = r
		}
	}
	if fewest != nil {
		t.drop(fewest)
	}
}

// settle ends one attempt in flight and files r for eviction when none is left.
func (t *Throttle) settle(r *record) {
	if r.pending > 0 {
		r.pending--
	}
	t.file(r)
}

// file puts an idle record at the back of its eviction list (most recently
// used), drops an idle record without failures, and leaves a busy one unlisted.
func (t *Throttle) file(r *record) {
	t.unlink(r)
	switch {
	case r.pending > 0:
	case len(r.failures) == 0:
		t.drop(r)
	default:
		if len(t.byFailures) == 0 {
			t.byFailures = make([]list.List, max(t.Limit, 1)+1)
		}
		l := &t.byFailures[min(len(r.failures), len(t.byFailures)-1)]
		r.in, r.elem = l, l.PushBack(r)
	}
}

func (t *Throttle) unlink(r *record) {
	if r.in != nil {
		r.in.Remove(r.elem)
		r.in, r.elem = nil, nil
	}
}

func (t *Throttle) drop(r *record) {
	t.unlink(r)
	if t.keys[r.key] == r {
		delete(t.keys, r.key)
	}
}

// AddressKey is the throttling key of a client address: an IPv4 address as it
// is, an IPv6 address by its /64, the block one subscriber (one home, one
// phone) usually gets, so walking through it is not a fresh address each time.
func AddressKey(addr string) string {
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return "i:" + addr
	}
	ip = ip.Unmap().WithZone("")
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return "i:" + p.String()
	}
	return "i:" + ip.String()
}
