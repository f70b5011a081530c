package store

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/plan"
)

// A file from before schema versions (version 0: plans only, no meta bucket)
// opens, gains every bucket and the current version, and keeps its plans.
func TestOpenMigratesAVersionZeroFile(t *testing.T) {
	dir := t.TempDir()
	old, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.Plan{Token: "tok-v0-plan-0000000000", TherapistID: "t1", ClientName: "Sam"}
	data, _ := json.Marshal(p)
	err = old.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket(bucketPlans)
		if err != nil {
			return err
		}
		return b.Put([]byte(p.Token), data)
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = old.Close()

	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d after migration", v)
	}
	got, err := db.Plan(p.Token)
	if err != nil || got.ClientName != "Sam" {
		t.Fatalf("plan lost in migration: %+v %v", got, err)
	}
	if _, err := db.Subscriptions(p.Token); err != nil {
		t.Fatal(err)
	}
}

func TestOpenRefusesAFileFromANewerVersion(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketMeta).Put([]byte("schema"), encodeUint(SchemaVersion+1))
	})
	_ = db.Close()
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("newer schema: %v", err)
	}
}
