package store

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Erased words and free pages: bbolt never overwrites a page it frees, so a
// deleted plan's text stays in the file until the page is reused. Everything
// that copies the database therefore copies live records only (compactInto),
// and the file itself is rewritten that way a short while after an erasure
// (online compaction). meta["erased_at"] marks a file that still holds erased
// words, so a restart or crash before the compaction does not lose the promise.

var keyErasedAt = []byte("erased_at")

// compactTxBytes bounds one transaction of a compaction copy (memory, not durability:
// the copy is synced once at the end).
const compactTxBytes = 8 << 20

// compactInto writes the live records of src into a new bbolt file at dst,
// synced to disk. Free pages of src are not copied.
func compactInto(dst string, src *bolt.DB) error {
	out, err := bolt.Open(dst, 0o600, &bolt.Options{Timeout: time.Second, NoSync: true})
	if err != nil {
		return fmt.Errorf("create %s: %w", dst, err)
	}
	if err := bolt.Compact(out, src, compactTxBytes); err != nil {
		_ = out.Close()
		return fmt.Errorf("compact into %s: %w", dst, err)
	}
	out.NoSync = false
	if err := out.Sync(); err != nil {
		_ = out.Close()
		return err
	}
	return out.Close()
}

// tempPattern names the data directory's scratch files; Open removes leftovers.
const tempPattern = FileName + ".tmp-*"

// tempFile creates an empty scratch file beside the database (bbolt
// initialises an empty file when it opens it).
func (db *DB) tempFile() (string, error) {
	f, err := os.CreateTemp(filepath.Dir(db.bolt.path), tempPattern)
	if err != nil {
		return "", err
	}
	name := f.Name()
	if err := f.Close(); err != nil {
		_ = os.Remove(name)
		return "", err
	}
	return name, nil
}

// removeStaleTemps deletes scratch files a crash left behind (they may hold
// erased words). Called only while this process holds the database.
func removeStaleTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, n := range names {
		_ = os.Remove(n)
	}
	_ = os.Remove(filepath.Join(dir, FileName+".restore"))
}

// BackupFile writes a compacted, verified snapshot of the database to a new
// file at path: live records only, so nothing erased travels with it. Writers
// are not blocked (one read transaction).
func (db *DB) BackupFile(path string) error {
	h := db.bolt
	h.maint.Lock()
	defer h.maint.Unlock()
	h.swap.RLock()
	err := h.guard(func() error { return compactInto(path, h.b) })
	h.swap.RUnlock()
	if err == nil {
		err = VerifyBackup(path)
	}
	if err != nil {
		_ = os.Remove(path)
	}
	return err
}

// Snapshot writes a compacted, verified snapshot to a scratch file in the data
// directory and returns it open for reading, already unlinked (closing it
// frees the space), with its size.
func (db *DB) Snapshot() (*os.File, int64, error) {
	name, err := db.tempFile()
	if err != nil {
		return nil, 0, err
	}
	if err := db.BackupFile(name); err != nil {
		return nil, 0, err
	}
	f, err := os.Open(name)
	_ = os.Remove(name)
	if err != nil {
		return nil, 0, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, 0, err
	}
	return f, st.Size(), nil
}

// noteErasure is called inside a transaction that deletes client words: it
// marks the file as holding erased words and, once the transaction commits,
// wakes the compactor.
func (db *DB) noteErasure(tx *bolt.Tx) error {
	m := tx.Bucket(bucketMeta)
	if m.Get(keyErasedAt) == nil {
		if err := m.Put(keyErasedAt, encodeUint(uint64(db.now().UnixNano()))); err != nil {
			return err
		}
	}
	tx.OnCommit(db.compactor.erased)
	return nil
}

// ErasedWordsSince returns when the oldest erasure not yet compacted away
// happened (ok false when the file holds none).
func (db *DB) ErasedWordsSince() (at time.Time, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		if v := tx.Bucket(bucketMeta).Get(keyErasedAt); v != nil {
			at, ok = time.Unix(0, int64(decodeUint(v))), true
		}
		return nil
	})
	return at, ok, err
}

// CompactStats describes one online compaction.
type CompactStats struct {
	Before, After int64         // file sizes in bytes
	WritesPaused  time.Duration // writers waited this long (the copy and the swap)
	ReadsPaused   time.Duration // readers waited this long (the swap only)
}

// Compact rewrites the live file with its live records only, so erased words
// leave it. Writers wait while the copy is made; readers go on against the old
// file until the swap, which takes a rename.
func (db *DB) Compact() (st CompactStats, err error) {
	h := db.bolt
	h.maint.Lock()
	defer h.maint.Unlock()
	if fi, err := os.Stat(h.path); err == nil {
		st.Before = fi.Size()
	}
	h.writes.Lock()
	defer h.writes.Unlock()
	start := time.Now()
	defer func() { st.WritesPaused = time.Since(start) }()
	name, err := db.tempFile()
	if err != nil {
		return st, err
	}
	fail := func(err error) (CompactStats, error) { _ = os.Remove(name); return st, err }
	// No writer runs, so h.b is stable and the copy is the current state.
	if err := h.guard(func() error { return compactInto(name, h.b) }); err != nil {
		return fail(err)
	}
	if err := checkFile(name); err != nil {
		return fail(fmt.Errorf("compacted copy %s: %w", name, err))
	}
	nb, err := openBolt(name, h.opts)
	if err != nil {
		return fail(err)
	}
	if err := nb.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Delete(keyErasedAt) }); err != nil {
		_ = nb.Close()
		return fail(err)
	}
	swapStart := time.Now()
	h.swap.Lock()
	// The new file is open and locked before it takes the name, and the old one
	// stays locked until it has lost it: no other process can slip in between.
	if err := os.Rename(name, h.path); err != nil {
		h.swap.Unlock()
		_ = nb.Close()
		return fail(err)
	}
	old := h.b
	h.b = nb
	h.swap.Unlock()
	st.ReadsPaused = time.Since(swapStart)
	if err := syncDir(filepath.Dir(h.path)); err != nil {
		return st, err
	}
	if fi, err := os.Stat(h.path); err == nil {
		st.After = fi.Size()
	}
	// No transaction can reach old any more.
	return st, old.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// compactor runs Compact a fixed delay after the first erasure not yet
// compacted away: erased words leave the live file within that delay (plus
// the compaction's own time), however many erasures follow.
type compactor struct {
	db     *DB
	after  time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	timer   *time.Timer
	closed  bool
	running sync.WaitGroup
}

// erased arms the timer unless a compaction is already due. Safe on a nil compactor.
func (c *compactor) erased() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed && c.timer == nil {
		c.timer = time.AfterFunc(c.after, c.run)
	}
}

func (c *compactor) run() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.timer = nil // an erasure from now on needs the next compaction
	c.running.Add(1)
	c.mu.Unlock()
	defer c.running.Done()
	st, err := c.db.Compact()
	if err != nil {
		c.logger.Error("compact database after erasure (will retry)", "err", err)
		c.erased()
		return
	}
	c.logger.Info("compacted database: erased words removed from the file",
		"bytesBefore", st.Before, "bytesAfter", st.After, "writesPaused", st.WritesPaused.Round(time.Microsecond), "readsPaused", st.ReadsPaused.Round(time.Microsecond))
}

// stop prevents further runs and waits for one in progress.
func (c *compactor) stop() {
	c.mu.Lock()
	c.closed = true
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
	c.mu.Unlock()
	c.running.Wait()
}

// CompactAfterErasure makes this process compact the file after (at most) the
// given delay whenever client words were erased, including erasures recorded
// before it started. Close compacts at once if one is still due. Call once,
// before serving.
func (db *DB) CompactAfterErasure(after time.Duration, logger *slog.Logger) error {
	if db.compactor != nil {
		return errors.New("compaction already scheduled")
	}
	c := &compactor{db: db, after: after, logger: logger}
	at, pending, err := db.ErasedWordsSince()
	if err != nil {
		return err
	}
	db.compactor = c
	if pending {
		c.mu.Lock()
		c.timer = time.AfterFunc(max(0, at.Add(after).Sub(db.now())), c.run)
		c.mu.Unlock()
	}
	return nil
}
