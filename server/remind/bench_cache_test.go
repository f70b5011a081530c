package remind

import (
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// BenchmarkPlanCacheBytes measures what a plan in the store's cache takes, as
// the reminder prefetch leaves it (plan, devices, its derived stretch rule),
// against what the cache's byte bound accounts for it: accounted-B/plan must
// stay above heap-B/plan, or a full cache would take more than its bound.
// Devices have the lengths of real ones (an FCM endpoint, a 65-byte key, a
// 16-byte secret, in base64).
func BenchmarkPlanCacheBytes(b *testing.B) {
	for _, devices := range []int{1, model.MaxDevices} {
		b.Run(fmt.Sprintf("devices=%d", devices), func(b *testing.B) {
			const plans = 2000
			db := storetest.Open(b)
			db.Bolt().NoSync = true
			loc, _ := time.LoadLocation("Europe/Berlin")
			session := time.Date(2026, 11, 26, 10, 0, 0, 0, loc)
			now := time.Date(2026, 11, 26, 18, 59, 0, 0, loc)
			s := New(Config{DB: db, Sender: discard{}, Now: func() time.Time { return session }})
			for i := range plans {
				p := benchPlan(fmt.Sprintf("cache%011d-%08x", i, i), session, loc)
				if err := db.CreatePlan(p); err != nil {
					b.Fatal(err)
				}
				for d := range devices {
					sub := model.Subscription{
						Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%s:APA91b%0140d", strings.Repeat("e", 11), i*devices+d),
						P256dh:   "B" + strings.Repeat("p", 86), Auth: strings.Repeat("a", 22), LastSeen: session,
					}
					if _, err := db.PutSubscription(p.Token, sub); err != nil {
						b.Fatal(err)
					}
				}
				if err := s.Schedule(p); err != nil {
					b.Fatal(err)
				}
			}
			var heap, accounted float64
			for b.Loop() {
				db.LimitCache(1 << 40) // room for all: what one plan takes is measured
				var m0, m1 runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&m0)
				s.warm(now) // every plan's 19:00 stretch is due within WarmAhead
				runtime.GC()
				runtime.ReadMemStats(&m1)
				if n := db.CachedPlans(); n != plans {
					b.Fatalf("%d plans cached, want %d", n, plans)
				}
				heap = float64(m1.HeapAlloc-min(m1.HeapAlloc, m0.HeapAlloc)) / plans
				accounted = float64(db.CachedBytes()) / plans
				db.LimitCache(1) // empty for the next round
			}
			b.ReportMetric(heap, "heap-B/plan")
			b.ReportMetric(accounted, "accounted-B/plan")
		})
	}
}
