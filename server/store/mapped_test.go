package store

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// rssFile is this process's file-backed resident memory in bytes (Linux), or -1.
func rssFile(t *testing.T) int64 {
	t.Helper()
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return -1
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "RssFile:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return -1
}

// After a scan of the whole file, ReleaseMapped gives its pages back (the
// resident memory falls by most of what the scan mapped) and the data reads
// the same afterwards.
func TestReleaseMappedAfterAScan(t *testing.T) {
	db := mustOpen(t)
	bdb := db.Bolt()
	bdb.NoSync = true
	big := []byte(strings.Repeat("x", 3000))
	for i := range 8 {
		if err := db.bolt.Update(func(tx *bolt.Tx) error {
			for j := range 1000 {
				if err := tx.Bucket(bucketPlans).Put([]byte("k"+strconv.Itoa(i*1000+j)), big); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
	}
	bdb.NoSync = false
	scan := func() int {
		n := 0
		_ = db.bolt.View(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketPlans).ForEach(func(_, v []byte) error { n += len(v); return nil })
		})
		return n
	}
	before := rssFile(t)
	if before < 0 {
		t.Skip("no /proc/self/status")
	}
	want := scan()
	scanned := rssFile(t)
	if err := db.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	released := rssFile(t)
	t.Logf("file-backed RSS: %d KB before, %d KB after a 24 MB scan, %d KB after ReleaseMapped", before>>10, scanned>>10, released>>10)
	if mapped := scanned - before; mapped < 16<<20 || released > before+(scanned-before)/4 {
		t.Fatalf("the scan mapped %d KB; after ReleaseMapped %d KB of them are still resident", mapped>>10, (released-before)>>10)
	}
	if got := scan(); got != want {
		t.Fatalf("read %d bytes after releasing, %d before", got, want)
	}
}

// The prune reads the devices a chunk at a time and still finds every stale
// one, whichever chunk it falls in, and keeps every live one.
func TestPruneSubscriptionsInChunks(t *testing.T) {
	defer func(n int) { pruneChunk = n }(pruneChunk)
	pruneChunk = 7
	db := mustOpen(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	var live, stale []string
	for i := range 30 {
		ago := 24 * time.Hour
		if i%2 == 0 {
			ago = 40 * 24 * time.Hour
		}
		p := model.Plan{Token: model.NewToken(), TherapistID: "A", ClientName: "Jo", RoutineID: "piriformis-release",
			TimeZone: "Europe/Berlin", SessionAt: now.Add(-ago), Days: 14, Prefs: model.DefaultPrefs()}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
		for d := range 3 {
			if _, err := db.PutSubscription(p.Token, model.Subscription{Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d-%d", i, d), LastSeen: now}); err != nil {
				t.Fatal(err)
			}
		}
		if i%2 == 0 {
			stale = append(stale, p.Token)
		} else {
			live = append(live, p.Token)
		}
	}
	if n, err := db.PruneSubscriptions(now); err != nil || n != 45 {
		t.Fatalf("pruned %d (%v), want 45 over %d chunks", n, err, 90/pruneChunk+1)
	}
	for _, token := range stale {
		if subs, _ := db.Subscriptions(token); len(subs) != 0 {
			t.Errorf("stale plan keeps %d devices", len(subs))
		}
	}
	for _, token := range live {
		if subs, _ := db.Subscriptions(token); len(subs) != 3 {
			t.Errorf("live plan has %d devices, want 3", len(subs))
		}
	}
}
