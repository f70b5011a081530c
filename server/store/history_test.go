package store

import (
	"bytes"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// The daily count follows the day the caller names; the total counts what is
// stored; erasing the plan leaves no key of it in any bucket, counters included.
func TestRecordLimitsAndErase(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	lim := Limit{Day: "2026-11-26", PerDay: 2, Total: 3}
	at := time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)
	add := func(id string, lim Limit) error {
		_, _, err := db.RecordCheckIn(p.Token, model.CheckIn{ID: id, At: at}, lim)
		return err
	}
	for _, id := range []string{"ci-00001", "ci-00002"} {
		if err := add(id, lim); err != nil {
			t.Fatal(err)
		}
	}
	if err := add("ci-00003", lim); !errors.Is(err, ErrDailyLimit) {
		t.Fatalf("third of the day: %v", err)
	}
	if err := add("ci-00001", lim); err != nil {
		t.Fatalf("a stored id is answered whatever the limit: %v", err)
	}
	lim.Day = "2026-11-27"
	if err := add("ci-00003", lim); err != nil {
		t.Fatal(err)
	}
	if err := add("ci-00004", lim); !errors.Is(err, ErrTotalLimit) {
		t.Fatalf("fourth in all: %v", err)
	}
	if l, _ := db.CheckIns(p.Token); len(l) != 3 {
		t.Fatalf("%d stored", len(l))
	}

	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	err := db.Bolt().View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bolt.Bucket) error {
			return b.ForEach(func(k, _ []byte) error {
				if bytes.Contains(k, []byte(p.Token)) {
					t.Errorf("bucket %s still holds %q", name, k)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
