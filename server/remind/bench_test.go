package remind

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
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
//   - cold: the first tick after opening the file: every plan is decoded.
//   - warm: the steady state of a running server: the previous minute's tick
//     ended with its prefetch (Scheduler.warm, as runTick does), which read
//     the plans due within WarmAhead into the store's cache. Its cost is
//     reported as prefetch-ms (not in ms/tick: it ran the minute before) and
//     the cache's heap as cache-MB.
func BenchmarkTick1M(b *testing.B) {
	b.Run("cold", func(b *testing.B) { benchTick1M(b, false) })
	b.Run("warm", func(b *testing.B) { benchTick1M(b, true) })
}

func benchTick1M(b *testing.B, warm bool) {
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
		if warm {
			var m0, m1 runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m0)
			t0 := time.Now()
			s.warm(now.Add(-time.Minute)) // the end of the previous minute's runTick
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
	if warm {
		b.ReportMetric(float64(prefetch.Milliseconds())/float64(b.N), "prefetch-ms")
		b.ReportMetric(float64(cacheBytes)/float64(b.N)/(1<<20), "cache-MB")
	}
	// Pages written by the tick's commits: the due entries leave the start of
	// the index and their next ones go in together (about 700 for 10,000).
	b.ReportMetric(float64(pageWrites)/float64(b.N), "pages-written/tick")
}

// BenchmarkFanout: 100,000 due reminders (10,000 plans × 10 devices) through
// the real push.Sender (encryption, VAPID) to a push service on loopback,
// sharing this machine's cores with it:
//
//   - pushtest: the strict test service, which verifies the JWT and decrypts
//     every message (about as much CPU per push as the sender spends);
//   - sink: reads the body and answers 201, so the numbers are our side's.
//
// Reports pushes/s and the p99 lateness of arrival against the due minute.
func BenchmarkFanout(b *testing.B) {
	b.Run("pushtest", func(b *testing.B) {
		sender, svc := loopbackSender(b)
		benchFanout(b, sender, svc.NewSubscription, func() []time.Time {
			var at []time.Time
			for _, r := range svc.Received() {
				at = append(at, r.At)
			}
			return at
		})
	})
	b.Run("sink", func(b *testing.B) {
		keys, err := push.LoadOrCreateKeys(b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		sink := newSink(b)
		allow, err := push.NewAllowlist([]string{sink.url + "/"})
		if err != nil {
			b.Fatal(err)
		}
		sender, err := push.NewSender(push.Config{Keys: keys, Subject: "ops@example.org", Allow: allow,
			Sleep: func(context.Context, time.Duration) error { return nil }})
		if err != nil {
			b.Fatal(err)
		}
		keySrc := pushtest.New(b, keys.Public) // browser key pairs only; nothing is sent to it
		benchFanout(b, sender, func() (string, string, string) {
			ep, k, a := keySrc.NewSubscription()
			return sink.url + ep[len(keySrc.URL):], k, a
		}, sink.arrivals)
	})
}

// sink is a push service on 127.0.0.1 that only reads the body and answers
// 201: what is left of a push at the receiving end without its crypto.
type sink struct {
	url string
	mu  sync.Mutex
	at  []time.Time
}

func newSink(tb testing.TB) *sink {
	s := &sink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		now := time.Now()
		s.mu.Lock()
		s.at = append(s.at, now)
		s.mu.Unlock()
		w.WriteHeader(http.StatusCreated)
	}))
	tb.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func (s *sink) arrivals() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.at)
}

func benchFanout(b *testing.B, sender Sender, newSub func() (endpoint, p256dh, auth string), arrivals func() []time.Time) {
	const plans, devices = 10_000, 10
	db := storetest.Open(b)
	db.Bolt().NoSync = true // seeding only

	loc, _ := time.LoadLocation("Europe/Berlin")
	session := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
	for i := range plans {
		p := benchPlan(fmt.Sprintf("fan%011d", i), session, loc)
		p.Days = 365
		p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
		if err := db.CreatePlan(p); err != nil {
			b.Fatal(err)
		}
	}
	// Many writers at once, so the store's Batch puts hundreds of devices in a transaction.
	var wg sync.WaitGroup
	errs := make(chan error, 500)
	for w := range 500 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < plans; i += 500 {
				p := model.Plan{Token: fmt.Sprintf("fan%011d", i)}
				for range devices {
					ep, k, a := newSub()
					if _, err := db.PutSubscription(p.Token, model.Subscription{Endpoint: ep, P256dh: k, Auth: a, LastSeen: session}); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	clk := fakeclock.New(session)
	var lateMu sync.Mutex
	var handed []time.Duration
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL,
		ObserveLateness: func(_ string, late time.Duration) { lateMu.Lock(); handed = append(handed, late); lateMu.Unlock() }})
	for i := range plans {
		p, err := db.Plan(fmt.Sprintf("fan%011d", i))
		if err != nil {
			b.Fatal(err)
		}
		if err := s.Schedule(p); err != nil {
			b.Fatal(err)
		}
	}
	db.Bolt().NoSync = false

	b.ResetTimer()
	var lateness []time.Duration
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		// Day i's 19:00 stretch is due for every plan; the tick runs at the due minute.
		due := time.Date(2026, 11, 26+i, 19, 0, 0, 0, loc)
		start := time.Now()
		// The fake clock runs from the due minute at the real pace, so the
		// lateness handed to ObserveLateness is real too.
		s.now = func() time.Time { return due.Add(time.Since(start)) }
		seen := len(arrivals())
		st, err := s.Tick(context.Background())
		elapsed += time.Since(start)
		if err != nil || st.Delivered != plans*devices {
			b.Fatalf("tick: %+v, %v", st, err)
		}
		b.StopTimer()
		for _, at := range arrivals()[seen:] {
			lateness = append(lateness, at.Sub(start))
		}
		b.StartTimer()
	}
	slices.Sort(lateness)
	slices.Sort(handed)
	b.ReportMetric(float64(b.N*plans*devices)/elapsed.Seconds(), "pushes/s")
	b.ReportMetric(lateness[len(lateness)*99/100].Seconds(), "p99-late-s")
	b.ReportMetric(lateness[len(lateness)/2].Seconds(), "p50-late-s")
	// Lateness at hand-off to the sender, as ObserveLateness sees it.
	b.ReportMetric(handed[len(handed)*99/100].Seconds(), "p99-handoff-s")
}
