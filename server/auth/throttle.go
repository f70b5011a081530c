package auth

import (
	"sync"
	"time"
)

// Throttle counts failures per key in a sliding window; at Limit failures the
// key is refused until the oldest failure leaves the window.
type Throttle struct {
	Limit  int
	Window time.Duration
	Now    func() time.Time

	mu       sync.Mutex
	failures map[string][]time.Time
}

// maxKeys bounds the memory an address-spraying attacker can make us hold.
const maxKeys = 10000

// NewThrottle returns a throttle allowing limit failures per window.
func NewThrottle(limit int, window time.Duration, now func() time.Time) *Throttle {
	return &Throttle{Limit: limit, Window: window, Now: now, failures: map[string][]time.Time{}}
}

// RetryAfter returns 0 when key may try now, else how long it must wait.
func (t *Throttle) RetryAfter(key string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	list := t.recent(key, now)
	if len(list) < t.Limit {
		return 0
	}
	return list[len(list)-t.Limit].Add(t.Window).Sub(now)
}

// Fail records a failed attempt for key.
func (t *Throttle) Fail(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	if len(t.failures) >= maxKeys {
		t.prune(now)
	}
	t.failures[key] = append(t.recent(key, now), now)
}

// Reset forgets key's failures (after a successful login).
func (t *Throttle) Reset(key string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.failures, key)
}

func (t *Throttle) recent(key string, now time.Time) []time.Time {
	list := t.failures[key]
	i := 0
	for i < len(list) && !list[i].After(now.Add(-t.Window)) {
		i++
	}
	list = list[i:]
	if len(list) == 0 {
		delete(t.failures, key)
		return nil
	}
	t.failures[key] = list
	return list
}

func (t *Throttle) prune(now time.Time) {
	for k := range t.failures {
		t.recent(k, now)
	}
	if len(t.failures) >= maxKeys {
		// Still full of fresh keys: start over rather than grow without bound.
		t.failures = map[string][]time.Time{}
	}
}
