package remind

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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
