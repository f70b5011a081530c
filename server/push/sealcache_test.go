package push_test

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
)

var t0 = time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)

// sealOne returns a real sealed reminder and its subscription.
func sealOne(t *testing.T, f *fixture) (push.Subscription, push.Sealed) {
	t.Helper()
	sub := f.subscribe()
	m, err := f.sender.Sealer().Seal(sub, reminder, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return sub, m
}

func key(plan string, minute int) push.SealKey {
	return push.SealKey{Plan: plan, Rule: "stretch-daily", Device: "dev", Fire: t0.Add(time.Duration(minute) * time.Minute)}
}

// entrySize is what one entry of m under key(plan, …) costs the cache.
func entrySize(t *testing.T, m push.Sealed, plan string) int64 {
	t.Helper()
	c := push.NewSealCache(1 << 20)
	c.Put(key(plan, 0), m)
	return c.Stats().Bytes
}

// Past the bound the cache keeps the messages due soonest: whatever order
// they are sealed in, it ends up holding exactly the earliest ones, never
// more bytes than the bound.
func TestSealCacheBoundKeepsSoonest(t *testing.T) {
	f := newFixture(t, nil)
	_, m := sealOne(t, f)
	size := entrySize(t, m, "p")
	if size < int64(len(m.Body)) {
		t.Fatalf("entry accounted as %d bytes, less than its %d-byte body", size, len(m.Body))
	}
	const keep, total = 20, 100
	c := push.NewSealCache(keep*size + size/2)
	for _, i := range rand.Perm(total) {
		c.Put(key("p", i), m)
		if st := c.Stats(); st.Bytes > st.MaxBytes {
			t.Fatalf("%d bytes held, bound %d", st.Bytes, st.MaxBytes)
		}
	}
	if st := c.Stats(); st.Messages != keep || st.Evicted != total-keep {
		t.Fatalf("stats %+v, want %d messages, %d evicted", st, keep, total-keep)
	}
	for i := range total {
		if _, ok := c.TakeDue(key("p", i)); ok != (i < keep) {
			t.Errorf("minute %d: kept %v", i, ok)
		}
	}
	if st := c.Stats(); st.Messages != 0 || st.Bytes != 0 {
		t.Errorf("after taking all: %+v", st)
	}
}

// A full cache takes a message due sooner than its latest (which it evicts),
// refuses one due later than everything it holds, and Accepts says so first.
func TestSealCacheEvictsLatestFirst(t *testing.T) {
	f := newFixture(t, nil)
	_, m := sealOne(t, f)
	size := entrySize(t, m, "p")
	c := push.NewSealCache(3 * size)
	for _, minute := range []int{10, 20, 30} {
		if !c.Put(key("p", minute), m) {
			t.Fatalf("minute %d not kept in an empty cache", minute)
		}
	}
	if c.Accepts(key("p", 40).Fire) || !c.Accepts(key("p", 25).Fire) {
		t.Error("Accepts: want no for 40 (after everything held), yes for 25")
	}
	if c.Put(key("p", 40), m) {
		t.Error("kept a message due after everything in the full cache")
	}
	if !c.Put(key("p", 5), m) {
		t.Fatal("refused a message due sooner")
	}
	if _, ok := c.TakeDue(key("p", 30)); ok {
		t.Error("the latest message survived")
	}
	for _, minute := range []int{5, 10, 20} {
		if _, ok := c.TakeDue(key("p", minute)); !ok {
			t.Errorf("minute %d evicted", minute)
		}
	}
	// Bigger than the whole bound: not kept, nothing else lost.
	c = push.NewSealCache(size / 2)
	if c.Put(key("p", 1), m) || c.Stats().Bytes != 0 {
		t.Errorf("an entry over the bound: %+v", c.Stats())
	}
}

// Drop removes a changed plan's messages, all of them and no other plan's.
func TestSealCacheDropPlan(t *testing.T) {
	f := newFixture(t, nil)
	_, m := sealOne(t, f)
	c := push.NewSealCache(0)
	plans := []string{"plan-a", "plan-b", "plan-c"}
	for _, p := range plans {
		for i := range 4 {
			c.Put(key(p, i), m)
		}
	}
	before := c.Stats().Bytes
	if n := c.Drop("plan-b"); n != 4 {
		t.Fatalf("dropped %d, want 4", n)
	}
	if n := c.Drop("plan-b"); n != 0 {
		t.Errorf("dropped %d more", n)
	}
	if st := c.Stats(); st.Messages != 8 || st.Bytes != before*2/3 {
		t.Errorf("after drop: %+v, want 8 messages of %d bytes", st, before*2/3)
	}
	// Taking the newest, the oldest and a middle one of a plan's messages
	// leaves Drop the rest, and nothing of another plan.
	for _, minute := range []int{3, 0, 2} {
		if _, ok := c.TakeDue(key("plan-a", minute)); !ok {
			t.Fatalf("plan-a minute %d missing", minute)
		}
	}
	if n := c.Drop("plan-a"); n != 1 {
		t.Errorf("dropped %d of plan-a, want 1", n)
	}
	if st := c.Stats(); st.Messages != 4 || st.Bytes != before/3 {
		t.Errorf("after dropping plan-a: %+v, want plan-c's 4 messages, %d bytes", st, before/3)
	}
	for i := range 4 {
		if _, ok := c.TakeDue(key("plan-b", i)); ok {
			t.Errorf("plan-b minute %d survived Drop", i)
		}
		if _, ok := c.TakeDue(key("plan-c", i)); !ok {
			t.Errorf("plan-c minute %d lost", i)
		}
	}
}

// TakeDue hands a message out once; a key names an instant, in any zone; a
// second Put under one key replaces the first.
func TestSealCacheTakeDueAndReplace(t *testing.T) {
	f := newFixture(t, nil)
	_, m := sealOne(t, f)
	_, other := sealOne(t, f)
	c := push.NewSealCache(0)
	k := key("p", 0)
	c.Put(k, m)
	c.Put(k, other)
	if st := c.Stats(); st.Messages != 1 {
		t.Fatalf("two entries under one key: %+v", st)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	local := k
	local.Fire = k.Fire.In(berlin)
	if !c.Has(local) || c.Has(key("p", 1)) {
		t.Fatal("Has does not name exactly the stored instant")
	}
	got, ok := c.TakeDue(local)
	if !ok || !bytes.Equal(got.Body, other.Body) {
		t.Fatal("the replacing message is not found by the same instant in another zone")
	}
	if _, ok := c.TakeDue(k); ok || c.Has(k) {
		t.Error("taken twice")
	}
}

// Expire drops messages whose time passed; those without an expiry stay.
func TestSealCacheExpire(t *testing.T) {
	f := newFixture(t, nil)
	_, m := sealOne(t, f)
	c := push.NewSealCache(0)
	for i := range 5 {
		e := m
		e.Expires = t0.Add(time.Duration(i) * time.Minute)
		c.Put(key("p", i), e)
	}
	c.Put(key("q", 0), m) // no expiry
	if n := c.Expire(t0.Add(2 * time.Minute)); n != 3 {
		t.Errorf("expired %d, want 3 (minutes 0, 1, 2)", n)
	}
	if st := c.Stats(); st.Messages != 3 {
		t.Errorf("%+v", st)
	}
}

// DeviceID tells devices apart, changes when a device subscribes again with
// new keys, and does not carry the endpoint (a bearer capability).
func TestDeviceID(t *testing.T) {
	f := newFixture(t, nil)
	a, b := f.subscribe(), f.subscribe()
	rekeyed := b
	rekeyed.Auth = a.Auth
	ids := map[string]bool{push.DeviceID(a): true, push.DeviceID(b): true, push.DeviceID(rekeyed): true}
	if len(ids) != 3 {
		t.Errorf("ids collide: %v", ids)
	}
	for id := range ids {
		if strings.Contains(id, "/push/") || strings.Contains(a.Endpoint, id) || len(id) != 24 {
			t.Errorf("id %q", id)
		}
	}
	same := a
	same.Endpoint = strings.Clone(a.Endpoint)
	if push.DeviceID(a) != push.DeviceID(same) {
		t.Error("not stable")
	}
}

// The whole path: seal ahead into the cache, take at the due minute, check
// it still matches, send; the phone decrypts what Send would have sent.
func TestSealCacheRoundTrip(t *testing.T) {
	f := newFixture(t, nil)
	c := push.NewSealCache(0)
	var subs []push.Subscription
	for i := range 5 {
		sub := f.subscribe()
		subs = append(subs, sub)
		m, err := f.sender.Sealer().Seal(sub, reminder, time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		k := key(fmt.Sprint("plan-", i), 0)
		k.Device = push.DeviceID(sub)
		if !c.Put(k, m) {
			t.Fatal("not kept")
		}
	}
	var due []push.Sealed
	for i, sub := range subs {
		k := key(fmt.Sprint("plan-", i), 0)
		k.Device = push.DeviceID(sub)
		m, ok := c.TakeDue(k)
		if !ok || !m.Matches(sub, reminder) {
			t.Fatalf("device %d: taken %v", i, ok)
		}
		due = append(due, m)
	}
	for i, res := range f.sender.SendAllSealed(context.Background(), due) {
		if !res.Delivered() {
			t.Fatalf("%d: %+v", i, res)
		}
	}
	want, _ := reminder.Payload()
	for _, r := range f.svc.Wait(5, time.Second) {
		if !bytes.Equal(r.Payload, want) {
			t.Errorf("decrypted %q", r.Payload)
		}
	}
}
