package store

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
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
			s := model.Subscription{
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

// seedPlans fills db with n plans of realistic size (notes, five check-ins each),
// without fsync per write (seeding only).
func seedPlans(b *testing.B, db *DB, n int) {
	b.Helper()
	bdb := db.Bolt()
	bdb.NoSync = true
	defer func() { bdb.NoSync = false }()
	const per = 500
	for start := 0; start < n; start += per {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i := start; i < min(n, start+per); i++ {
				p := model.Plan{Token: model.NewToken(), TherapistID: "t1", ClientName: "Client " + strconv.Itoa(i),
					Notes: strings.Repeat("Focus on the left piriformis, gentle. ", 8), RoutineID: "piriformis-release",
					TimeZone: "Europe/Berlin", SessionAt: time.Now().UTC(), Days: 14, StretchTime: "19:00", Prefs: model.DefaultPrefs(), CreatedAt: time.Now()}
				data, _ := json.Marshal(p)
				if err := tx.Bucket(bucketPlans).Put([]byte(p.Token), data); err != nil {
					return err
				}
				if err := tx.Bucket(bucketPlansByTherapist).Put(join(p.TherapistID, p.Token), nil); err != nil {
					return err
				}
				for j := range 5 {
					c := model.CheckIn{ID: "checkin-" + strconv.Itoa(j), At: time.Now(), Soreness: 4, Pain: 2, Note: strings.Repeat("a bit stiff today ", 5)}
					cd, _ := json.Marshal(c)
					if err := tx.Bucket(bucketCheckIns).Put(join(p.Token, c.ID), cd); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCompact measures one online compaction (the erasure path): writers
// wait for the whole copy, readers only for the swap.
func BenchmarkCompact(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n)+"plans", func(b *testing.B) {
			db := mustOpen(b)
			seedPlans(b, db, n)
			var st CompactStats
			var writes, reads time.Duration
			b.ResetTimer()
			for range b.N {
				var err error
				if st, err = db.Compact(); err != nil {
					b.Fatal(err)
				}
				writes += st.WritesPaused
				reads += st.ReadsPaused
			}
			b.ReportMetric(float64(writes.Milliseconds())/float64(b.N), "writes-paused-ms")
			b.ReportMetric(float64(reads.Microseconds())/float64(b.N), "reads-paused-µs")
			b.ReportMetric(float64(st.After)/(1<<20), "file-MiB")
		})
	}
}

// BenchmarkOpenVerify measures Open of an existing file, which walks every
// reachable page before bbolt maps it.
func BenchmarkOpenVerify(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(strconv.Itoa(n)+"plans", func(b *testing.B) {
			dir := b.TempDir()
			db, err := Open(dir)
			if err != nil {
				b.Fatal(err)
			}
			seedPlans(b, db, n)
			_ = db.Close()
			b.ResetTimer()
			for range b.N {
				db, err := Open(dir)
				if err != nil {
					b.Fatal(err)
				}
				_ = db.Close()
			}
		})
	}
}

// BenchmarkSnapshot measures a hot backup: compact into a scratch file and verify it.
func BenchmarkSnapshot(b *testing.B) {
	db := mustOpen(b)
	seedPlans(b, db, 10000)
	b.ResetTimer()
	for range b.N {
		f, _, err := db.Snapshot()
		if err != nil {
			b.Fatal(err)
		}
		_ = f.Close()
	}
}

// BenchmarkClientsFirstPage reads the first page (50 rows) of the clients
// list, attention and active, among 10,000 plans of every kind, as the
// owner; and the same page of a name search that matches one plan in eight.
func BenchmarkClientsFirstPage(b *testing.B) {
	db := mustOpen(b)
	now := time.Date(2027, 3, 1, 12, 0, 0, 0, time.UTC)
	bdb := db.Bolt()
	bdb.NoSync = true
	names := []string{"Maria Silva", "Sam Taylor", "Zoë Ávila", "Jonas Berg", "Aiko Tanaka", "Omar Haddad", "Lena Novak", "Priya Rao"}
	for start := 0; start < 10_000; start += 500 {
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i := start; i < start+500; i++ {
				session := now.Add(-time.Duration(i%(5*365*24)) * time.Hour)
				p := model.Plan{Token: model.NewToken(), TherapistID: "t" + strconv.Itoa(i%5), ClientName: names[i%len(names)] + " " + strconv.Itoa(i),
					RoutineID: "piriformis-release", SessionAt: session, TimeZone: "Europe/Berlin", Days: 14, CreatedAt: session}
				data, _ := json.Marshal(p)
				if err := putNewPlan(tx, p, data); err != nil {
					return err
				}
				if i%50 == 0 {
					c := model.CheckIn{ID: "checkin-" + strconv.Itoa(i), At: session.Add(50 * time.Hour), Soreness: 8, RedFlags: []string{model.RedFlagSaddle}}
					if err := putJSON(tx.Bucket(bucketCheckIns), join(p.Token, c.ID), c); err != nil {
						return err
					}
					if err := refreshClientRow(tx, p); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	bdb.NoSync = false
	if err := db.SettleClients(now); err != nil {
		b.Fatal(err)
	}
	all := []Section{SectionRedFlag, SectionStillSore, SectionInactive, SectionActive}
	for _, bc := range []struct {
		name string
		q    ClientQuery
	}{
		{"attention+active", ClientQuery{Sections: all, QuietBefore: now.Add(-48 * time.Hour), Limit: 50}},
		{"search", ClientQuery{Sections: append(all, SectionEnded), QuietBefore: now.Add(-48 * time.Hour), Name: "maria", Limit: 50}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				page, err := db.ClientRows(bc.q)
				if err != nil || len(page.Rows) != 50 {
					b.Fatalf("%d rows, %v", len(page.Rows), err)
				}
			}
		})
	}
}
