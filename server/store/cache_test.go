package store

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// truth reads a plan with its devices, generation and completions straight
// from the file, bypassing the cache.
func truth(tb testing.TB, db *DB, token string) PlanDevices {
	tb.Helper()
	var out PlanDevices
	err := db.bolt.View(func(tx *bolt.Tx) error {
		e, err := newPlanReader(tx).read(token)
		if err != nil {
			out.Err = err
			return nil
		}
		out = fromCache(e, true)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// cached reads token through the cache (PlansWithDevices) and checks it
// against the file.
func cached(tb testing.TB, db *DB, token string) PlanDevices {
	tb.Helper()
	got, err := db.PlansWithDevices([]string{token}, []bool{true})
	if err != nil {
		tb.Fatal(err)
	}
	g, w := got[0], truth(tb, db, token)
	if !errors.Is(g.Err, w.Err) || !reflect.DeepEqual(g.Plan, w.Plan) || !slices.EqualFunc(g.Devices, w.Devices, sameSub) ||
		g.Gen != w.Gen || !slices.EqualFunc(g.DoneAt, w.DoneAt, time.Time.Equal) {
		tb.Fatalf("cached %s:\n got  %+v\n want %+v", token, g, w)
	}
	if p, err := db.Plan(token); !errors.Is(err, w.Err) || err == nil && !reflect.DeepEqual(&p, w.Plan) {
		tb.Fatalf("Plan(%s) = %+v, %v; want %+v, %v", token, p, err, w.Plan, w.Err)
	}
	return g
}

func sameSub(a, b model.Subscription) bool {
	return a.Endpoint == b.Endpoint && a.P256dh == b.P256dh && a.Auth == b.Auth &&
		a.CreatedAt.Equal(b.CreatedAt) && a.LastSeen.Equal(b.LastSeen)
}

func isCached(db *DB, token string) bool {
	e := db.cache.get(token)
	return e != nil && e.full
}

// TestCacheCoherentWithEveryWrite: after each store write that touches a
// plan, its devices, its schedule generation or its completions, the next
// read through the cache shows the write.
func TestCacheCoherentWithEveryWrite(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "th1")
	other := mustPlan(t, db, "th1")
	ep := func(i int) string { return fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d", i) }
	sub := func(i int) model.Subscription {
		return model.Subscription{Endpoint: ep(i), P256dh: "k", Auth: "a", LastSeen: time.Unix(int64(1000+i), 0).UTC()}
	}

	steps := []struct {
		name  string
		write func() error
		check func(PlanDevices) bool
	}{
		{"PutSubscription", func() error { _, err := db.PutSubscription(p.Token, sub(1)); return err },
			func(g PlanDevices) bool { return len(g.Devices) == 1 }},
		{"PutSubscription again (upsert)", func() error {
			s := sub(1)
			s.LastSeen = s.LastSeen.Add(time.Hour)
			_, err := db.PutSubscription(p.Token, s)
			return err
		}, func(g PlanDevices) bool {
			return len(g.Devices) == 1 && g.Devices[0].LastSeen.Equal(sub(1).LastSeen.Add(time.Hour))
		}},
		{"PutSubscription caps devices", func() error {
			for i := 2; i <= model.MaxDevices+2; i++ {
				if _, err := db.PutSubscription(p.Token, sub(i)); err != nil {
					return err
				}
			}
			return nil
		}, func(g PlanDevices) bool { return len(g.Devices) == model.MaxDevices }},
		{"PutSubscription shares an endpoint with another plan", func() error {
			cached(t, db, other.Token)
			_, err := db.PutSubscription(other.Token, sub(model.MaxDevices+2))
			if err == nil && len(cached(t, db, other.Token).Devices) != 1 {
				err = errors.New("new owner does not see the device")
			}
			return err
		}, func(g PlanDevices) bool { return len(g.Devices) == model.MaxDevices }},
		{"DeleteSubscription", func() error { return db.DeleteSubscription(p.Token, ep(model.MaxDevices+1)) },
			func(g PlanDevices) bool { return len(g.Devices) == model.MaxDevices-1 }},
		{"DeleteEndpoint", func() error { return db.DeleteEndpoint(ep(model.MaxDevices)) },
			func(g PlanDevices) bool { return len(g.Devices) == model.MaxDevices-2 }},
		{"UpdatePlan", func() error {
			_, err := db.UpdatePlan(p.Token, func(q *model.Plan) error {
				q.Prefs.Disabled = []string{model.KindHydration}
				q.Prefs.QuietStart = "18:00"
				return nil
			})
			return err
		}, func(g PlanDevices) bool {
			return g.Plan.Prefs.QuietStart == "18:00" && !g.Plan.Prefs.Enabled(model.KindHydration)
		}},
		{"ReplaceSchedule", func() error {
			return db.ReplaceSchedule(p.Token, []RuleState{{RuleID: "r1", Kind: model.KindTip, NextFire: time.Now().Add(time.Hour)}})
		}, func(g PlanDevices) bool { return g.Gen == 1 }},
		{"ReplaceSchedules", func() error {
			return db.ReplaceSchedules(map[string][]RuleState{p.Token: {{RuleID: "r1", Kind: model.KindTip}}})
		}, func(g PlanDevices) bool { return g.Gen == 2 }},
		{"AddCompletion", func() error {
			_, err := db.AddCompletion(p.Token, model.Completion{ID: "c1", At: time.Unix(5000, 0).UTC()})
			return err
		}, func(g PlanDevices) bool { return len(g.DoneAt) == 1 }},
		{"RecordCompletion", func() error {
			_, _, err := db.RecordCompletion(p.Token, model.Completion{ID: "c2", At: time.Unix(6000, 0).UTC()}, Limit{})
			return err
		}, func(g PlanDevices) bool { return len(g.DoneAt) == 2 }},
		{"MarkNeedsResubscribe", func() error { return db.MarkNeedsResubscribe(ep(1)) },
			func(g PlanDevices) bool {
				return slices.ContainsFunc(g.Devices, func(d model.Subscription) bool { return d.Endpoint == ep(1) && d.NeedsResubscribe })
			}},
		{"UpdatePlanWithSchedule", func() error {
			_, err := db.UpdatePlanWithSchedule(p.Token, func(q *model.Plan) error { q.ClientName = "Robin"; return nil },
				func(model.Plan, []RuleState) ([]RuleState, error) { return nil, nil })
			return err
		}, func(g PlanDevices) bool { return g.Plan.ClientName == "Robin" && g.Gen == 3 }},
	}
	// Every write is heard by OnPlanChange too (the scheduler drops what it
	// sealed ahead for the plan there).
	var heardMu sync.Mutex
	heard := map[string]int{}
	db.OnPlanChange(func(token string) { heardMu.Lock(); heard[token]++; heardMu.Unlock() })
	defer db.OnPlanChange(nil)
	heardOf := func(token string) int { heardMu.Lock(); defer heardMu.Unlock(); return heard[token] }
	for _, st := range steps {
		cached(t, db, p.Token) // fill
		if !isCached(db, p.Token) {
			t.Fatalf("%s: not cached before the write", st.name)
		}
		before := heardOf(p.Token) + heardOf(other.Token)
		if err := st.write(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if g := cached(t, db, p.Token); !st.check(g) {
			t.Fatalf("%s: not visible: %+v", st.name, g)
		}
		if heardOf(p.Token)+heardOf(other.Token) == before {
			t.Fatalf("%s: OnPlanChange did not hear the plan", st.name)
		}
	}

	// Erase drops it: the next read is ErrNotFound, and nothing stays cached.
	cached(t, db, p.Token)
	before := heardOf(p.Token)
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	if heardOf(p.Token) == before {
		t.Fatal("DeletePlan: OnPlanChange did not hear the plan")
	}
	if g := cached(t, db, p.Token); !errors.Is(g.Err, ErrNotFound) {
		t.Fatalf("erased plan read as %+v", g)
	}
	if db.cache.get(p.Token) != nil {
		t.Fatal("erased plan still cached")
	}
	// CreatePlan with the token again starts afresh.
	p.ClientName = "Alex"
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	if g := cached(t, db, p.Token); g.Plan.ClientName != "Alex" || len(g.Devices) != 0 {
		t.Fatalf("recreated plan read as %+v", g)
	}
}

// TestCacheHandsOutCopies: changing what Plan or Subscriptions returned
// changes nothing cached (PlansWithDevices is read-only by contract).
func TestCacheHandsOutCopies(t *testing.T) {
	db := mustOpen(t)
	p := model.Plan{Token: "copies", TherapistID: "th1", TimeZone: "UTC", StretchTime: "19:00", Days: 3,
		Prefs:     model.Prefs{Disabled: []string{model.KindTip}, QuietStart: "21:00", QuietEnd: "08:00"},
		Overrides: []model.Override{{StretchID: "a"}}, Stretches: []model.Override{{StretchID: "b"}}}
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutSubscription(p.Token, model.Subscription{Endpoint: "https://fcm.googleapis.com/x", P256dh: "k", Auth: "a"}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second round reads from the cache
		cached(t, db, p.Token)
		q, err := db.Plan(p.Token)
		if err != nil {
			t.Fatal(err)
		}
		q.Prefs.Disabled[0], q.Overrides[0].StretchID, q.Stretches[0].StretchID = "x", "x", "x"
		q.Prefs.Disabled = append(q.Prefs.Disabled[:0], "z")
		subs, _ := db.Subscriptions(p.Token)
		subs[0].Endpoint = "x"
	}
	if g := cached(t, db, p.Token); g.Plan.Prefs.Disabled[0] != model.KindTip || g.Plan.Overrides[0].StretchID != "a" ||
		g.Devices[0].Endpoint != "https://fcm.googleapis.com/x" {
		t.Fatalf("cache changed through a copy: %+v", g)
	}
}

// TestCacheBatchRetryAndRaces: PutSubscription's Batch func runs twice when
// another func of its batch fails; readers fill the cache while writers
// commit. Afterwards every cached read equals the file.
func TestCacheBatchRetryAndRaces(t *testing.T) {
	db := mustOpen(t)
	var tokens []string
	for range 8 {
		tokens = append(tokens, mustPlan(t, db, "th1").Token)
	}
	fail := errors.New("fail this batch")
	var runs sync.Map // endpoint -> times its func ran
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 4 { // readers filling the cache all along
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := db.PlansWithDevices(tokens, nil); err != nil {
					t.Error(err)
					return
				}
				_, _ = db.Plan(tokens[0])
			}
		}()
	}
	var writers sync.WaitGroup
	for w := range 16 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for i := range 20 {
				tok := tokens[(w+i)%len(tokens)]
				ep := fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d-%d", w, i)
				if i%3 == 0 { // a failing func in the batch makes bbolt rerun the others one by one
					_ = db.bolt.Batch(func(*bolt.Tx) error { return fail })
				}
				if _, err := db.PutSubscription(tok, model.Subscription{Endpoint: ep, P256dh: "k", Auth: "a",
					LastSeen: time.Unix(int64(i), 0).UTC()}); err != nil {
					t.Error(err)
				}
				runs.Store(ep, true)
				if i%5 == 0 {
					_, _ = db.UpdatePlan(tok, func(q *model.Plan) error { q.Notes = ep; return nil })
				}
				if i%7 == 0 {
					_ = db.DeleteEndpoint(fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d-%d", w, i-1))
				}
			}
		}()
	}
	writers.Wait()
	close(stop)
	wg.Wait()
	for _, tok := range tokens {
		cached(t, db, tok)
		cached(t, db, tok) // once more from the cache
	}
}

// TestCacheFillLosesToAWrite: a read that began before a write finished does
// not cache what it read.
func TestCacheFillLosesToAWrite(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "th1")
	mark := db.cache.mark()
	var stale *cachedPlan
	_ = db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		stale, err = newPlanReader(tx).read(p.Token)
		return err
	})
	if _, err := db.UpdatePlan(p.Token, func(q *model.Plan) error { q.Notes = "new"; return nil }); err != nil {
		t.Fatal(err)
	}
	if db.cache.put(mark, p.Token, stale) != nil || db.cache.get(p.Token) != nil {
		t.Fatal("a read older than a write was cached")
	}
	if g := cached(t, db, p.Token); g.Plan.Notes != "new" {
		t.Fatalf("read %q", g.Plan.Notes)
	}
}

// TestCacheBounded: a full cache drops entries instead of growing past its
// bound in bytes, and keeps the plans that fit; one larger than a shard's
// share is not cached at all.
func TestCacheBounded(t *testing.T) {
	const bound = cacheShards * 16 << 10 // 16 KiB a shard
	c := newPlanCache(bound)
	devs := make([]model.Subscription, model.MaxDevices)
	for i := range devs {
		devs[i] = model.Subscription{Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%0150d", i), P256dh: "k", Auth: "a"}
	}
	for i := range 5000 {
		tok := fmt.Sprint("t", i)
		c.put(c.mark(), tok, &cachedPlan{p: &model.Plan{Token: tok, Notes: "notes"}, full: true, devs: devs})
		if n := c.size(); n > bound {
			t.Fatalf("%d bytes cached after %d puts, bound %d", n, i+1, bound)
		}
	}
	one := (&cachedPlan{p: &model.Plan{Token: "t0", Notes: "notes"}, devs: devs}).estimateSize("t0")
	if n := c.len(); n < bound/int(one)/2 {
		t.Fatalf("%d plans of %d bytes cached in %d bytes: it drops more than it must", n, one, bound)
	}
	huge := &cachedPlan{p: &model.Plan{Token: "huge", Notes: strings.Repeat("x", 32<<10)}, full: true}
	if got := c.put(c.mark(), "huge", huge); got != nil || c.get("huge") != nil {
		t.Fatal("a plan larger than a shard was cached")
	}
	// Invalidating gives the bytes back.
	for i := range 5000 {
		c.invalidate(fmt.Sprint("t", i))
	}
	if n, m := c.size(), c.len(); n != 0 || m != 0 {
		t.Fatalf("%d bytes, %d plans left after invalidating every one", n, m)
	}
}
