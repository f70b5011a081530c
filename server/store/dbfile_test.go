package store

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// wordsPlan stores a plan whose name, notes and check-ins carry word, and returns its token.
func wordsPlan(t testing.TB, db *DB, word string) string {
	t.Helper()
	p := model.Plan{Token: model.NewToken(), TherapistID: "A", ClientName: word + "name", Notes: word + "notes " + strings.Repeat("x", 500),
		RoutineID: "piriformis-release", TimeZone: "Europe/Berlin", SessionAt: time.Now().UTC(), Days: 7, StretchTime: "19:00",
		Prefs: model.DefaultPrefs(), CreatedAt: time.Now()}
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	for i := range 5 {
		if _, err := db.AddCheckIn(p.Token, model.CheckIn{ID: fmt.Sprintf("ci-%s-%d", word, i), Soreness: 3, Note: word + "checkin", At: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	return p.Token
}

func fileContains(t testing.TB, path, s string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(data, []byte(s))
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestCompactionAfterErasureRemovesTheWordsFromTheFile(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.CompactAfterErasure(200*time.Millisecond, quiet); err != nil {
		t.Fatal(err)
	}
	keep := wordsPlan(t, db, "keepzq")
	gone := wordsPlan(t, db, "gonezq")
	path := filepath.Join(dir, FileName)
	if err := db.DeletePlan(gone); err != nil {
		t.Fatal(err)
	}
	if _, due, _ := db.ErasedWordsSince(); !due {
		t.Fatal("the erasure was not recorded")
	}
	if !fileContains(t, path, "gonezqnotes") {
		t.Fatal("the words were already gone right after the erase: the test proves nothing")
	}
	deadline := time.Now().Add(5 * time.Second)
	for fileContains(t, path, "gonezq") {
		if time.Now().After(deadline) {
			t.Fatal("erased words still in the file 5 s after the erase (delay 200 ms)")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, due, _ := db.ErasedWordsSince(); due {
		t.Fatal("the compacted file still says erased words are waiting")
	}
	if p, err := db.Plan(keep); err != nil || p.ClientName != "keepzqname" {
		t.Fatalf("kept plan after compaction: %v %+v", err, p)
	}
	if _, err := db.Plan(gone); !errors.Is(err, ErrNotFound) {
		t.Fatalf("erased plan after compaction: %v", err)
	}
	if cis, _ := db.CheckIns(keep); len(cis) != 5 {
		t.Fatalf("check-ins after compaction: %d", len(cis))
	}
}

// An erasure recorded by a process that stopped before compacting is compacted
// by the next one, at once when the delay has passed.
func TestErasureBeforeARestartIsCompactedByTheNextStart(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	gone := wordsPlan(t, db, "restartzq")
	if err := db.DeletePlan(gone); err != nil {
		t.Fatal(err)
	}
	_ = db.Close() // no compactor: a CLI process, or a crash before the timer
	path := filepath.Join(dir, FileName)
	if !fileContains(t, path, "restartzqnotes") {
		t.Fatal("words already gone: the test proves nothing")
	}
	db, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	later := time.Now().Add(time.Hour)
	db.now = func() time.Time { return later } // the delay has long passed
	if err := db.CompactAfterErasure(30*time.Minute, quiet); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for fileContains(t, path, "restartzq") {
		if time.Now().After(deadline) {
			t.Fatal("an overdue erasure was not compacted at start")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestCloseCompactsAnErasureStillDue(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CompactAfterErasure(time.Hour, quiet); err != nil {
		t.Fatal(err)
	}
	if err := db.DeletePlan(wordsPlan(t, db, "closezq")); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if fileContains(t, filepath.Join(dir, FileName), "closezq") {
		t.Fatal("erased words still in the file after a clean shutdown")
	}
}

func TestBackupsCarryLiveRecordsOnly(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenIn(t, dir)
	keep := wordsPlan(t, db, "keepbk")
	if err := db.DeletePlan(wordsPlan(t, db, "gonebk")); err != nil {
		t.Fatal(err)
	}
	if !fileContains(t, filepath.Join(dir, FileName), "gonebknotes") {
		t.Fatal("words already gone from the live file: the test proves nothing")
	}
	var buf bytes.Buffer
	if _, err := db.Backup(&buf); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "b.db")
	if err := db.BackupFile(file); err != nil {
		t.Fatal(err)
	}
	streamed, _ := os.ReadFile(file)
	for name, data := range map[string][]byte{"stream": buf.Bytes(), "file": streamed} {
		if bytes.Contains(data, []byte("gonebk")) {
			t.Errorf("%s backup holds erased words", name)
		}
		if !bytes.Contains(data, []byte("keepbkname")) {
			t.Errorf("%s backup lost live data", name)
		}
	}
	if err := VerifyBackup(file); err != nil {
		t.Fatal(err)
	}
	// Scratch files of the hot backup never stay behind.
	if left, _ := filepath.Glob(filepath.Join(dir, tempPattern)); len(left) != 0 {
		t.Fatalf("scratch files left: %v", left)
	}
	_ = keep
}

func mustOpenIn(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// Compactions swap the file under readers and writers of every kind; none of
// them fails, and every acknowledged write is there afterwards.
func TestCompactionUnderConcurrentReadersAndWriters(t *testing.T) {
	db := mustOpen(t)
	var tokens []string
	for range 20 {
		tokens = append(tokens, mustPlan(t, db, "A").Token)
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	acked := map[string]string{} // check-in id -> token
	errs := make(chan error, 100)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				tok := tokens[(w+i)%len(tokens)]
				id := fmt.Sprintf("ci-w%d-%06d", w, i)
				switch i % 4 {
				case 0:
					if _, err := db.AddCheckIn(tok, model.CheckIn{ID: id, Soreness: 2, At: time.Now()}); err != nil {
						errs <- err
						return
					}
					mu.Lock()
					acked[id] = tok
					mu.Unlock()
				case 1:
					if _, err := db.Plan(tok); err != nil {
						errs <- err
						return
					}
				case 2:
					if _, err := db.PlansByTherapist("A"); err != nil {
						errs <- err
						return
					}
				case 3:
					if _, err := db.UpdatePlan(tok, func(p *model.Plan) error { p.Notes = id; return nil }); err != nil {
						errs <- err
						return
					}
				}
			}
		}()
	}
	var worst time.Duration
	for range 10 {
		st, err := db.Compact()
		if err != nil {
			t.Fatal(err)
		}
		worst = max(worst, st.WritesPaused)
		time.Sleep(20 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	byPlan := map[string]int{}
	for _, tok := range acked {
		byPlan[tok]++
	}
	for tok, n := range byPlan {
		cis, err := db.CheckIns(tok)
		if err != nil || len(cis) != n {
			t.Fatalf("plan %s: %d acknowledged check-ins, %d stored (%v)", tok, n, len(cis), err)
		}
	}
	t.Logf("%d acknowledged check-ins across 10 compactions; longest write pause %v", len(acked), worst)
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
}

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
	db.cache = newPlanCache(DefaultCachePlans) // reads must reach the file
	if _, err := db.Plan(tokens[15]); !errors.Is(err, ErrDamaged) {
		t.Fatalf("reading a damaged plan page: %v", err)
	}
	if err := db.Ping(); !errors.Is(err, ErrDamaged) {
		t.Fatalf("Ping on a damaged file: %v", err)
	}
}
