package remind

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// seededDirs holds databases seeded once per process for the benchmarks;
// TestMain removes them.
var seededDirs []string

func TestMain(m *testing.M) {
	code := m.Run()
	for _, d := range seededDirs {
		_ = os.RemoveAll(d)
	}
	os.Exit(code)
}

// discard is a Sender that accepts everything without sending: BenchmarkTick1M
// measures the scan and commit path only (delivery is benchmarked in
// package push and by BenchmarkFanout).
type discard struct{}

func (discard) SendAll(_ context.Context, jobs []push.Job) []push.Result {
	out := make([]push.Result, len(jobs))
	for i := range out {
		out[i] = push.Result{Status: 201, Attempts: 1}
	}
	return out
}

const (
	benchPlans  = 111_112 // × 9 rules each ≈ 1,000,000 scheduled rules
	benchDueNow = 10_000  // 1% of them due at the tick
)

var (
	tick1MOnce sync.Once
	tick1MFile string
	tick1MNow  time.Time
	tick1MErr  error
)

// seedTick1M builds the 1M-rule database once: plans with one device each,
// every rule's next fire spread over 100 days, and for 10,000 random plans the
// 19:00 stretch due right now. Writes go in big transactions with NoSync
// (seeding only; the benchmark itself runs with fsync).
func seedTick1M() (string, time.Time, error) {
	tick1MOnce.Do(func() {
		dir, err := os.MkdirTemp("", "remind-bench-1m-")
		if err != nil {
			tick1MErr = err
			return
		}
		seededDirs = append(seededDirs, dir)
		tick1MFile = filepath.Join(dir, store.FileName)
		start := time.Now()
		tick1MNow, tick1MErr = seed1M(dir)
		if fi, err := os.Stat(tick1MFile); err == nil {
			fmt.Fprintf(os.Stderr, "seeded %d rules in %s, %d MB\n", benchPlans*9, time.Since(start).Round(time.Second), fi.Size()>>20)
		}
	})
	return tick1MFile, tick1MNow, tick1MErr
}

func seed1M(dir string) (time.Time, error) {
	db, err := store.Open(dir)
	if err != nil {
		return time.Time{}, err
	}
	defer db.Close()
	db.Bolt().NoSync = true
	defer func() { db.Bolt().NoSync = false }()

	loc, _ := time.LoadLocation("Europe/Berlin")
	session := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	now := time.Date(2026, 12, 1, 19, 0, 0, 0, loc)
	rng := rand.New(rand.NewPCG(1, 2))
	due := make(map[int]bool, benchDueNow)
	for len(due) < benchDueNow {
		due[rng.IntN(benchPlans)] = true
	}
	tokens := make([]string, benchPlans)
	for i := range tokens {
		tokens[i] = fmt.Sprintf("bench%011d-%08x", i, rng.Uint32()) // sequential keys, token-sized
	}

	// Plans one by one (CreatePlan is one transaction each); devices from many
	// goroutines at once, so the store's Batch puts hundreds in one transaction.
	for i, tok := range tokens {
		if err := db.CreatePlan(benchPlan(tok, session, loc)); err != nil {
			return time.Time{}, fmt.Errorf("plan %d: %w", i, err)
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, 512)
	for w := range 512 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < benchPlans; i += 512 {
				sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/" + tokens[i],
					P256dh: "BP", Auth: "au", LastSeen: session}
				if _, err := db.PutSubscription(tokens[i], sub); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return time.Time{}, err
	}

	// Rule states in one transaction; the store writes them in key order.
	rules, err := Rules(benchPlan(tokens[0], session, loc))
	if err != nil {
		return time.Time{}, err
	}
	span := int64(100 * 24 * time.Hour / time.Minute)
	all := make(map[string][]store.RuleState, len(tokens))
	for i, tok := range tokens {
		states := make([]store.RuleState, len(rules))
		for j, r := range rules {
			at := now.Add(time.Duration(1+rng.Int64N(span)) * time.Minute)
			if due[i] && r.ID == "stretch-daily" {
				at = now
			}
			states[j] = store.RuleState{RuleID: r.ID, Kind: r.Kind, NextFire: at, NextLocal: at.In(loc).Format(LocalLayout)}
		}
		all[tok] = states
	}
	if err := db.ReplaceSchedules(all); err != nil {
		return time.Time{}, err
	}
	if n, err := db.CountDue(now); err != nil || n != benchDueNow {
		return time.Time{}, fmt.Errorf("seeded %d due now (%v), want %d", n, err, benchDueNow)
	}
	return now, nil
}

func benchPlan(token string, session time.Time, loc *time.Location) model.Plan {
	next := session.AddDate(0, 0, 30)
	return model.Plan{
		Token: token, TherapistID: "th1", ClientName: "Sam Example", RoutineID: "sciatica-gentle",
		SessionAt: session, NextSessionAt: &next, TimeZone: loc.String(), StretchTime: "19:00",
		Days: 28, Notes: "Gentle hamstring and glute work; go easy on the left side.",
		Prefs: model.DefaultPrefs(), CreatedAt: session,
	}
}

func copyFile(dst, src string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	// Written back now, untimed: else the tick's first fdatasync flushes the copy.
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// BenchmarkTick1M: one tick over 1,000,000 scheduled rules with 1% (10,000)
// due: scan the due-index, load each plan and its devices, decide, hand the
// jobs to a discarding sender, commit. Each iteration ticks a fresh copy of
// the seeded file (the copy is not timed).
//
//   - cold: a tick right after opening the file with nothing read ahead:
//     every plan is decoded by the tick.
//   - restart: the first tick after a restart as Start runs it: Start first
//     reads the plans due by then and within WarmAhead into the cache
//     (Scheduler.warmStart), reported as prefetch-ms (before the tick, not
//     in ms/tick).
//   - warm: the steady state of a running server: the previous minute's tick
//     ended with its prefetch (Scheduler.warm, as runTick does), which read
//     the plans due within WarmAhead into the store's cache. Its cost is
//     reported as prefetch-ms (not in ms/tick: it ran the minute before) and
//     the cache's heap as cache-MB.
func BenchmarkTick1M(b *testing.B) {
	b.Run("cold", func(b *testing.B) { benchTick1M(b, nil) })
	b.Run("restart", func(b *testing.B) { benchTick1M(b, func(s *Scheduler, now time.Time) { s.warmStart(now) }) })
	b.Run("warm", func(b *testing.B) {
		benchTick1M(b, func(s *Scheduler, now time.Time) { s.warm(now.Add(-time.Minute)) }) // the end of the previous minute's runTick
	})
}

// benchTick1M ticks; warm, if set, reads ahead before each tick, untimed.
func benchTick1M(b *testing.B, warm func(s *Scheduler, now time.Time)) {
	file, now, err := seedTick1M()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	var total, scan, decide, commit, prefetch time.Duration
	var pageWrites int64
	var cacheBytes uint64
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		dir := b.TempDir()
		if err := copyFile(filepath.Join(dir, store.FileName), file); err != nil {
			b.Fatal(err)
		}
		db, err := store.Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		s := New(Config{DB: db, Sender: discard{}, Now: func() time.Time { return now }})
		if warm != nil {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			t0 := time.Now()
			warm(s, now)
			prefetch += time.Since(t0)
			runtime.GC()
			runtime.ReadMemStats(&m1)
			cacheBytes += m1.HeapAlloc - min(m1.HeapAlloc, m0.HeapAlloc)
			if n := db.CachedPlans(); n < benchDueNow {
				b.Fatalf("prefetch cached %d plans", n)
			}
		}
		before := db.Bolt().Stats()
		writes0 := before.TxStats.GetWrite()
		b.StartTimer()
		start := time.Now()
		st, err := s.Tick(context.Background())
		total += time.Since(start)
		after := db.Bolt().Stats()
		pageWrites += after.TxStats.GetWrite() - writes0
		scan += st.Scan
		decide += st.Decide
		commit += st.Commit
		b.StopTimer()
		if err != nil || st.Due != benchDueNow || st.Sent != benchDueNow || st.Pushes != benchDueNow {
			b.Fatalf("tick: %+v, %v", st, err)
		}
		_ = db.Close()
		_ = os.RemoveAll(dir)
		b.StartTimer()
	}
	b.ReportMetric(float64(total.Milliseconds())/float64(b.N), "ms/tick")
	b.ReportMetric(float64(scan.Milliseconds())/float64(b.N), "scan-ms")
	b.ReportMetric(float64(decide.Milliseconds())/float64(b.N), "decide-ms")
	b.ReportMetric(float64(commit.Milliseconds())/float64(b.N), "commit-ms")
	if warm != nil {
		b.ReportMetric(float64(prefetch.Milliseconds())/float64(b.N), "prefetch-ms")
		b.ReportMetric(float64(cacheBytes)/float64(b.N)/(1<<20), "cache-MB")
	}
	// Pages written by the tick's commits: the due entries leave the start of
	// the index and their next ones go in together (about 700 for 10,000).
	b.ReportMetric(float64(pageWrites)/float64(b.N), "pages-written/tick")
}
