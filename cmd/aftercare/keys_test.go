package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store/storetest"
)

func TestVAPIDKeysTravelWithTheDatabaseAndNeverRotate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	db := storetest.OpenDir(t, dir)
	first, err := loadKeys(db, dir)
	if err != nil {
		t.Fatal(err)
	}
	// Lost vapid.json (e.g. a restore onto a new machine): the database's pair comes back.
	if err := os.Remove(filepath.Join(dir, "vapid.json")); err != nil {
		t.Fatal(err)
	}
	again, err := loadKeys(db, dir)
	if err != nil || again != first {
		t.Fatalf("keys changed after losing vapid.json: %v", err)
	}
	// A different pair on disk is refused, not silently used.
	other := filepath.Join(t.TempDir(), "other")
	if _, err := push.LoadOrCreateKeys(other); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(filepath.Join(other, "vapid.json"))
	if err := os.WriteFile(filepath.Join(dir, "vapid.json"), data, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadKeys(db, dir); err == nil || !strings.Contains(err.Error(), "different key pair") {
		t.Fatalf("mismatched vapid.json: %v", err)
	}
}
