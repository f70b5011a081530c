package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// Restore refuses while another holder has the file, and changes nothing.
func TestRestoreRefusesWhileTheDatabaseIsOpen(t *testing.T) {
	src := t.TempDir()
	a := mustOpenIn(t, src)
	mustPlan(t, a, "A")
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := a.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	live := mustOpenIn(t, dir)
	mustPlan(t, live, "B")
	before, _ := os.ReadFile(filepath.Join(dir, FileName))
	err := Restore(dir, backup)
	if !errors.Is(err, ErrLocked) || !errors.Is(err, ErrRefused) {
		t.Fatalf("restore onto an open database: %v", err)
	}
	after, _ := os.ReadFile(filepath.Join(dir, FileName))
	if !bytes.Equal(before, after) {
		t.Fatal("the live file changed")
	}
	if _, err := os.Stat(filepath.Join(dir, FileName+".before-restore")); err == nil {
		t.Fatal("a swap happened")
	}
}

// Restoring onto a damaged live file works (that is what restore is for), and
// keeps the damaged file aside.
func TestRestoreReplacesADamagedLiveFile(t *testing.T) {
	src := mustOpenIn(t, t.TempDir())
	p := mustPlan(t, src, "A")
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := src.BackupFile(backup); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	path := filepath.Join(dir, FileName)
	data, _ := os.ReadFile(path)
	if err := os.WriteFile(path, data[:len(data)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); !errors.Is(err, ErrDamaged) {
		t.Fatalf("open of a truncated file: %v", err)
	}
	if err := Restore(dir, backup); err != nil {
		t.Fatal(err)
	}
	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Plan(p.Token); err != nil {
		t.Fatal(err)
	}
	if kept, _ := os.ReadFile(path + ".before-restore"); len(kept) != len(data)/2 {
		t.Fatalf("damaged file kept as before-restore: %d bytes", len(kept))
	}
}

// damageCorpus makes a real database with overflow pages, nested buckets and
// free pages, and returns its bytes.
func damageCorpus(t testing.TB) []byte {
	t.Helper()
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 60 {
		tok := wordsPlan(t, db, fmt.Sprintf("c%02d", i))
		if i%3 == 0 {
			if err := db.DeletePlan(tok); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A large value (overflow pages) and nested buckets, inline and not.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketMeta).Put([]byte("test_big"), bytes.Repeat([]byte("b"), 20000)); err != nil {
			return err
		}
		outer, err := tx.Bucket(bucketMeta).CreateBucketIfNotExists([]byte("test_nested"))
		if err != nil {
			return err
		}
		small, err := outer.CreateBucketIfNotExists([]byte("inline"))
		if err != nil {
			return err
		}
		if err := small.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		large, err := outer.CreateBucketIfNotExists([]byte("paged"))
		if err != nil {
			return err
		}
		for i := range 400 {
			if err := large.Put(fmt.Appendf(nil, "key-%04d", i), bytes.Repeat([]byte("v"), 40)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = db.Close()
	data, err := os.ReadFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// Whatever the damage, verification answers with an error or accepts a file
// that then reads completely: it never crashes the process.
func TestVerifyNeverCrashesOnDamage(t *testing.T) {
	good := damageCorpus(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "d.db")
	if err := os.WriteFile(path, good, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := VerifyBackup(path); err != nil {
		t.Fatalf("the undamaged corpus: %v", err)
	}
	ps := int(binary.LittleEndian.Uint32(good[16+8:]))
	// Damage only the pages in use (below the high-water mark both meta pages record):
	// bbolt grows files in steps, and garbage in the unused tail is rightly harmless.
	hwm := max(binary.LittleEndian.Uint64(good[56:]), binary.LittleEndian.Uint64(good[ps+56:]))
	good = good[:min(len(good), int(hwm)*ps)]
	r := rand.New(rand.NewPCG(3, 4))
	refused := map[string]int{}
	for i := range 300 {
		bad := bytes.Clone(good)
		kind := []string{"truncate", "page", "bits", "header"}[i%4]
		switch kind {
		case "truncate":
			bad = bad[:r.IntN(len(bad))]
		case "page": // one whole page of garbage, meta pages included
			p := r.IntN(len(bad) / ps)
			for j := p * ps; j < (p+1)*ps; j++ {
				bad[j] = byte(r.Uint32())
			}
		case "bits": // a few flipped bits anywhere
			for range 1 + r.IntN(8) {
				bad[r.IntN(len(bad))] ^= 1 << r.IntN(8)
			}
		case "header": // a page header rewritten: wild ids, counts, overflow
			p := 2 + r.IntN(len(bad)/ps-2)
			for j := p * ps; j < p*ps+16; j++ {
				bad[j] = byte(r.Uint32())
			}
		}
		if err := os.WriteFile(path, bad, 0o600); err != nil {
			t.Fatal(err)
		}
		err := VerifyBackup(path)
		if err != nil {
			refused[kind]++
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err)
			}
			continue
		}
		// Accepted: every record must read (a flip inside a free page or a value's bytes is harmless to bbolt).
		b, err := openBolt(path, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("%s damage accepted but does not open: %v", kind, err)
		}
		h := newHandle(path, b, nil)
		if err := h.guard(func() error { return compactInto(filepath.Join(t.TempDir(), "c.db"), b) }); err != nil {
			t.Fatalf("%s damage accepted but does not read: %v", kind, err)
		}
		_ = b.Close()
	}
	t.Logf("refused of 75 each: %v", refused)
	if refused["truncate"] < 60 || refused["page"] < 40 || refused["header"] < 50 {
		t.Fatalf("too much damage accepted: %v", refused)
	}
}

// A page fault under a running process fails the read and Ping, and does not crash.
func TestPageDamageWhileOpenFailsPingNotTheProcess(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenIn(t, dir)
	var tokens []string
	for range 30 {
		tokens = append(tokens, wordsPlan(t, db, "dmg"))
	}
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, FileName)
	data, _ := os.ReadFile(path)
	ps := os.Getpagesize() // bbolt's default page size
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	junk := bytes.Repeat([]byte{0xA5}, ps)
	for p := 2; (p+1)*ps <= len(data); p++ {
		if bytes.Contains(data[p*ps:(p+1)*ps], []byte(`"clientName"`)) {
			if _, err := f.WriteAt(junk, int64(p*ps)); err != nil {
				t.Fatal(err)
			}
		}
	}
	_ = f.Close()
	db.cache = newPlanCache(DefaultCacheBytes) // reads must reach the file
	if _, err := db.Plan(tokens[15]); !errors.Is(err, ErrDamaged) {
		t.Fatalf("reading a damaged plan page: %v", err)
	}
	if err := db.Ping(); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Ping on a damaged file: %v", err)
	}
}
