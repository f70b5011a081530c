package push_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/aftercare/aftercare/server/push"
)

func TestLoadOrCreateKeys(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	first, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := first.Validate(); err != nil {
		t.Fatalf("generated keys invalid: %v", err)
	}
	info, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("dir mode %o, want 700", perm)
	}
	info, err = os.Stat(filepath.Join(dir, "vapid.json"))
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o600 {
		t.Errorf("file mode %o, want 600", perm)
	}

	second, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	if second != first {
		t.Fatal("second call returned a different pair: keys must never rotate")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("directory holds %d files, want only vapid.json", len(entries))
	}
}

func TestLoadOrCreateKeysRefusesDamagedFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "vapid.json")
	if err := os.WriteFile(path, []byte(`{"publicKey":"abc","privateKey":"def"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := push.LoadOrCreateKeys(dir); err == nil {
		t.Fatal("damaged key file accepted")
	}
	// The damaged file is left for the operator, never replaced by a new pair.
	if data, _ := os.ReadFile(path); string(data) != `{"publicKey":"abc","privateKey":"def"}` {
		t.Fatal("damaged key file was overwritten")
	}
}

func TestKeysValidateMismatch(t *testing.T) {
	a, err := push.LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	b, err := push.LoadOrCreateKeys(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := (push.Keys{Public: a.Public, Private: b.Private}).Validate(); err == nil {
		t.Fatal("mismatched pair accepted")
	}
}
