package store

import (
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/plan"
)

// BenchmarkSubscribeConcurrent measures durable subscription upserts from many
// concurrent clients: each call returns only after its fsync, and db.Batch lets
// concurrent writers share one.
func BenchmarkSubscribeConcurrent(b *testing.B) {
	db := mustOpen(b)
	plans := make([]string, 1000)
	for i := range plans {
		plans[i] = mustPlan(b, db, "t1").Token
	}
	var n atomic.Int64
	b.ReportAllocs()
	b.SetParallelism(32) // 32 × GOMAXPROCS goroutines, like phones opening the app at once
	start := time.Now()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			s := plan.Subscription{
				Endpoint: "https://fcm.googleapis.com/fcm/send/bench-" + strconv.FormatInt(i, 10),
				P256dh:   "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
				Auth:     "tBHItJI5svbpez7KI4CCXg", LastSeen: time.Now(),
			}
			if _, err := db.PutSubscription(plans[i%int64(len(plans))], s); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	b.ReportMetric(float64(n.Load())/time.Since(start).Seconds(), "subscribes/s")
}
