package auth

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
)

func newTestThrottle(limit int) (*Throttle, *fakeclock.Clock) {
	c := fakeclock.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))
	return NewThrottle(limit, 15*time.Minute, c.Now), c
}

func TestThrottleSlidingWindow(t *testing.T) {
	th, clock := newTestThrottle(3)
	for i := 0; i < 3; i++ {
		if wait := th.RetryAfter("k"); wait != 0 {
			t.Fatalf("after %d failures: wait %v", i, wait)
		}
		th.Fail("k")
		clock.Advance(time.Minute)
	}
	// Failures at 0, 1 and 2 minutes; it is 3 minutes now: the first leaves at 15.
	if wait := th.RetryAfter("k"); wait != 12*time.Minute {
		t.Fatalf("locked: wait %v, want 12m", wait)
	}
	if th.RetryAfter("other") != 0 {
		t.Fatal("another key is locked too")
	}
	clock.Advance(12 * time.Minute)
	if wait := th.RetryAfter("k"); wait != 0 {
		t.Fatalf("after the oldest failure left the window: wait %v", wait)
	}
	th.Fail("k")
	if th.RetryAfter("k") == 0 {
		t.Fatal("a new failure within the window locks again")
	}
	th.Reset("k")
	if th.RetryAfter("k") != 0 || th.Count("k") != 0 || th.Len() != 0 {
		t.Fatalf("after Reset: wait %v, count %d, %d keys", th.RetryAfter("k"), th.Count("k"), th.Len())
	}
}

// TestThrottleReservationsCountInFlight: attempts in flight count against the
// limit, so a burst cannot overtake it before the failures are recorded.
func TestThrottleReservationsCountInFlight(t *testing.T) {
	th, clock := newTestThrottle(5)
	var admitted sync.WaitGroup
	var mu sync.Mutex
	n := 0
	for range 200 {
		admitted.Add(1)
		go func() {
			defer admitted.Done()
			if th.Reserve("k", th.Limit) == 0 {
				mu.Lock()
				n++
				mu.Unlock()
			}
		}()
	}
	admitted.Wait()
	if n != 5 {
		t.Fatalf("%d of 200 concurrent attempts admitted, want 5", n)
	}
	wait := th.Reserve("k", th.Limit)
	if wait != inFlightRetry {
		t.Fatalf("refused while all 5 are in flight: wait %v, want %v", wait, inFlightRetry)
	}
	// Two of them turn out right (released), three wrong (failed): two slots free.
	th.Release("k")
	th.Release("k")
	for range 3 {
		th.Fail("k")
	}
	if got := th.Count("k"); got != 3 {
		t.Fatalf("count %d, want 3 failures", got)
	}
	for i := range 2 {
		if th.Reserve("k", th.Limit) != 0 {
			t.Fatalf("released slot %d not free", i)
		}
	}
	if wait := th.Reserve("k", th.Limit); wait == 0 || wait > inFlightRetry {
		t.Fatalf("full again (3 failures, 2 in flight): wait %v", wait)
	}
	// A higher limit (the ceiling for clean addresses) admits past Limit.
	if th.Reserve("k", 50) != 0 {
		t.Fatal("reserve under a higher limit refused")
	}
	// Nothing in flight and all failures expired: the key is forgotten.
	for range 3 {
		th.Release("k")
	}
	clock.Advance(th.Window)
	if th.Count("k") != 0 || th.Len() != 0 {
		t.Fatalf("after the window: count %d, %d keys", th.Count("k"), th.Len())
	}
}

// TestThrottleFullOfOneOffsKeepsLockedKeys: 10,000 one-off failures under
// other keys fill the throttle; the locked key and the attacker's key with
// several failures stay, the memory bound holds, and the oldest one-offs went.
func TestThrottleFullOfOneOffsKeepsLockedKeys(t *testing.T) {
	th, clock := newTestThrottle(5)
	for range 5 {
		th.Fail("a:victim@example.org")
	}
	th.Fail("i:203.0.113.66")
	th.Fail("i:203.0.113.66")
	for i := range DefaultMaxKeys {
		clock.Advance(time.Millisecond)
		th.Fail(fmt.Sprintf("one-off-%d", i))
	}
	if th.RetryAfter("a:victim@example.org") == 0 {
		t.Fatal("10,000 one-off failures unlocked the victim")
	}
	if got := th.Count("i:203.0.113.66"); got != 2 {
		t.Fatalf("the attacker's record of 2 failures: count %d", got)
	}
	if th.Len() != DefaultMaxKeys {
		t.Fatalf("%d keys, want the bound %d", th.Len(), DefaultMaxKeys)
	}
	if th.Count("one-off-0") != 0 || th.Count("one-off-1") != 0 || th.Count(fmt.Sprintf("one-off-%d", DefaultMaxKeys-1)) != 1 {
		t.Fatal("not the oldest one-offs were evicted")
	}
}

// TestThrottleEvictsExpiredLockedKeysFirst: a locked key whose failures have
// all left the window is worth nothing and goes before a fresh one-off.
func TestThrottleEvictsExpiredLockedKeysFirst(t *testing.T) {
	th, clock := newTestThrottle(2)
	th.MaxKeys = 3
	th.Fail("old")
	th.Fail("old")
	clock.Advance(th.Window)
	th.Fail("x")
	th.Fail("y")
	th.Fail("z") // full: "old" goes, not "x"
	if th.Len() != 3 || th.Count("x") != 1 || th.Count("y") != 1 || th.Count("z") != 1 {
		t.Fatalf("%d keys; x %d y %d z %d", th.Len(), th.Count("x"), th.Count("y"), th.Count("z"))
	}
}

// TestThrottleNeverEvictsAttemptsInFlight: a key with an attempt in flight is
// not forgotten, so its count cannot be wiped by a spray while bcrypt runs.
func TestThrottleNeverEvictsAttemptsInFlight(t *testing.T) {
	th, _ := newTestThrottle(5)
	th.MaxKeys = 10
	for range 5 {
		if th.Reserve("a:victim@example.org", th.Limit) != 0 {
			t.Fatal("reserve refused")
		}
	}
	for i := range 100 {
		th.Fail(fmt.Sprintf("one-off-%d", i))
	}
	if th.Reserve("a:victim@example.org", th.Limit) == 0 {
		t.Fatal("the spray evicted 5 attempts in flight")
	}
	if th.Len() > 10 {
		t.Fatalf("%d keys, bound 10", th.Len())
	}
}

func TestAddressKey(t *testing.T) {
	for _, c := range []struct{ a, b string }{
		{"2001:db8:1:2::a", "2001:db8:1:2:ffff:ffff:ffff:ffff"},
		{"2001:db8:1:2::1", "2001:DB8:1:2:0:0:0:2"},
		{"203.0.113.7", "::ffff:203.0.113.7"},
	} {
		if AddressKey(c.a) != AddressKey(c.b) {
			t.Errorf("%s and %s: keys %q and %q, want one", c.a, c.b, AddressKey(c.a), AddressKey(c.b))
		}
	}
	for _, c := range []struct{ a, b string }{
		{"2001:db8:1:2::1", "2001:db8:1:3::1"},
		{"203.0.113.7", "203.0.113.8"},
	} {
		if AddressKey(c.a) == AddressKey(c.b) {
			t.Errorf("%s and %s share key %q", c.a, c.b, AddressKey(c.a))
		}
	}
	if got := AddressKey("2001:db8:1:2::a"); got != "i:2001:db8:1:2::/64" {
		t.Errorf("key %q", got)
	}
}
