package remind

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// BenchmarkFanout: 100,000 due reminders (10,000 plans × 10 devices) through
// the real push.Sender (encryption, VAPID) to a push service on loopback,
// sharing this machine's cores with it:
//
//   - pushtest: the strict test service, which verifies the JWT and decrypts
//     every message (about as much CPU per push as the sender spends);
//
//   - sink: reads the body and answers 201, so the numbers are our side's.
//
//   - sealed: the sink, with every message sealed ahead by the pass after
//     the minute before (untimed, as it runs before the due minute; its
//     cost is reported as seal-s and the cache it fills as seal-cache-MB),
//     so the due minute sends stored bytes only.
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
		}, false)
	})
	sinkSender := func(b *testing.B) (*push.Sender, func() (string, string, string), func() []time.Time) {
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
		return sender, func() (string, string, string) {
			ep, k, a := keySrc.NewSubscription()
			return sink.url + ep[len(keySrc.URL):], k, a
		}, sink.arrivals
	}
	b.Run("sink", func(b *testing.B) {
		sender, newSub, arrivals := sinkSender(b)
		benchFanout(b, sender, newSub, arrivals, false)
	})
	b.Run("sealed", func(b *testing.B) {
		sender, newSub, arrivals := sinkSender(b)
		benchFanout(b, sender, newSub, arrivals, true)
	})
}

// FanoutSealCacheBytes is the seal cache BenchmarkFanout/sealed runs with:
// room for its 100,000 messages (about 1.1 KB each as the cache accounts them).
const FanoutSealCacheBytes = 128 << 20

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

func benchFanout(b *testing.B, sender Sender, newSub func() (endpoint, p256dh, auth string), arrivals func() []time.Time, seal bool) {
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
	sealBytes := int64(-1)
	if seal {
		sealBytes = FanoutSealCacheBytes
	}
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL, SealCacheBytes: sealBytes,
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
	var elapsed, sealing time.Duration
	var sealHeap, sealCache float64
	for i := 0; i < b.N; i++ {
		// Day i's 19:00 stretch is due for every plan; the tick runs at the due minute.
		due := time.Date(2026, 11, 26+i, 19, 0, 0, 0, loc)
		if seal {
			// The pass after the tick of the minute before.
			b.StopTimer()
			s.warm(due.Add(-time.Minute))
			t0 := time.Now()
			n := s.sealAhead(context.Background(), due.Add(-time.Minute))
			sealing += time.Since(t0)
			if n != plans*devices {
				b.Fatalf("sealed %d ahead, want %d: %+v", n, plans*devices, s.SealCacheStats())
			}
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			sealHeap += float64(ms.HeapAlloc) / (1 << 20)
			sealCache += float64(s.SealCacheStats().Bytes) / (1 << 20)
			b.StartTimer()
		}
		start := time.Now()
		// The fake clock runs from the due minute at the real pace, so the
		// lateness handed to ObserveLateness is real too.
		s.now = func() time.Time { return due.Add(time.Since(start)) }
		seen := len(arrivals())
		stopProfile := dueProfile(b, seal && i == 0)
		st, err := s.tick(context.Background())
		elapsed += time.Since(start)
		stopProfile()
		if err != nil || st.Delivered != plans*devices || seal && st.Sealed != plans*devices {
			b.Fatalf("tick: %+v, %v", st, err)
		}
		b.StopTimer()
		for _, at := range arrivals()[seen:] {
			lateness = append(lateness, at.Sub(start))
		}
		b.StartTimer()
	}
	if seal {
		b.ReportMetric(sealing.Seconds()/float64(b.N), "seal-s")
		b.ReportMetric(sealCache/float64(b.N), "seal-cache-MB")
		b.ReportMetric(sealHeap/float64(b.N), "heap-MB")
	}
	slices.Sort(lateness)
	slices.Sort(handed)
	b.ReportMetric(float64(b.N*plans*devices)/elapsed.Seconds(), "pushes/s")
	b.ReportMetric(lateness[len(lateness)*99/100].Seconds(), "p99-late-s")
	b.ReportMetric(lateness[len(lateness)/2].Seconds(), "p50-late-s")
	// Lateness at hand-off to the sender, as ObserveLateness sees it.
	b.ReportMetric(handed[len(handed)*99/100].Seconds(), "p99-handoff-s")
}
