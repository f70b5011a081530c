package store

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
	addClinicRecords(t, db, p.Token, word)
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
	if cis, _ := db.CheckIns(keep); len(cis) != 6 { // 5 and one version-2
		t.Fatalf("check-ins after compaction: %d", len(cis))
	}
	if r, _ := db.PSFSRatings(keep); len(r) != 1 {
		t.Fatalf("PSFS ratings after compaction: %d", len(r))
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
