package store

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// A file from before schema versions (version 0: plans only, no meta bucket)
// opens, gains every bucket and the current version, and keeps its plans.
func TestOpenMigratesAVersionZeroFile(t *testing.T) {
	dir := t.TempDir()
	old, err := bolt.Open(filepath.Join(dir, FileName), 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := model.Plan{Token: "tok-v0-plan-0000000000", TherapistID: "t1", ClientName: "Sam"}
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

// A schema-1 file (subs_by_endpoint: endpointHash -> owner) opens with its
// devices intact and reachable by endpoint.
func TestOpenMigratesSchemaOneSubscriptions(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := mustPlan(t, db, "A")
	sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/v1", P256dh: "k", Auth: "a"}
	data, _ := json.Marshal(sub)
	ek := endpointKey(sub.Endpoint)
	// Write the file as schema 1 did.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketSubs).Put(subKey(p.Token, ek), data); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Put(ek, []byte(p.Token)); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put([]byte("schema"), encodeUint(1))
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()

	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d", v)
	}
	owners, _ := db.SubscriptionOwners(sub.Endpoint)
	if len(owners) != 1 || owners[0] != p.Token {
		t.Fatalf("owners after migration %q", owners)
	}
	if err := db.DeleteEndpoint(sub.Endpoint); err != nil {
		t.Fatal(err)
	}
	if l, _ := db.Subscriptions(p.Token); len(l) != 0 {
		t.Fatal("a migrated device could not be deleted as gone")
	}
}

func TestVerifyBackupRefusesATruncatedSnapshot(t *testing.T) {
	db := mustOpen(t)
	for i := 0; i < 50; i++ {
		mustPlan(t, db, "A")
	}
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	full, half := filepath.Join(dir, "full.db"), filepath.Join(dir, "half.db")
	_ = os.WriteFile(full, buf.Bytes(), 0o600)
	// Cut inside the pages in use: bbolt grows files in steps, so the tail may be unused space.
	used := bytes.LastIndexFunc(buf.Bytes(), func(r rune) bool { return r != 0 }) + 1
	_ = os.WriteFile(half, buf.Bytes()[:used/2], 0o600)
	if err := VerifyBackup(full); err != nil {
		t.Fatalf("a whole snapshot: %v", err)
	}
	if err := VerifyBackup(half); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("half a snapshot: %v", err)
	}
	_ = os.WriteFile(half, []byte("not a database at all, just some text"), 0o600)
	if err := VerifyBackup(half); err == nil {
		t.Fatal("text accepted as a backup")
	}
}
