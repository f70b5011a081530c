package store

import (
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"sync/atomic"

	bolt "go.etcd.io/bbolt"
)

// ErrDamaged wraps every failure that comes from unreadable database pages:
// a file that fails verification at open, or a transaction that hit a damaged page.
var ErrDamaged = errors.New("database file is damaged")

// handle is the bbolt file behind a DB. Every transaction goes through it, so
// online compaction can swap the *bolt.DB underneath (see compact.go), and a
// panic or memory fault on a damaged page becomes an error instead of a crash.
//
// Lock order: maint, then writes, then swap. Transactions must not nest a
// View inside a View: a swap waiting between them would deadlock.
type handle struct {
	path string
	opts *bolt.Options

	maint  sync.Mutex   // one compaction or compacting backup at a time
	writes sync.RWMutex // Update and Batch hold it shared; compaction holds it while it copies
	swap   sync.RWMutex // every transaction holds it shared; compaction holds it for the swap
	b      *bolt.DB

	damaged atomic.Pointer[string] // the first page failure seen; sticky until restart
}

func newHandle(path string, b *bolt.DB, opts *bolt.Options) *handle {
	return &handle{path: path, opts: opts, b: b}
}

// View runs a read transaction.
func (h *handle) View(fn func(*bolt.Tx) error) error {
	return h.read(func() error { return h.b.View(fn) })
}

// Update runs a write transaction.
func (h *handle) Update(fn func(*bolt.Tx) error) error {
	return h.write(func() error { return h.b.Update(fn) })
}

// Batch runs fn in a shared write transaction (bbolt's Batch: fn may run twice).
func (h *handle) Batch(fn func(*bolt.Tx) error) error {
	return h.write(func() error {
		// fn runs on bbolt's batch goroutine: guard it there too.
		return h.b.Batch(func(tx *bolt.Tx) error { return h.guard(func() error { return fn(tx) }) })
	})
}

// read runs run, which reads h.b, holding the swap lock shared and with the
// page fault handling of guard.
func (h *handle) read(run func() error) error {
	h.swap.RLock()
	defer h.swap.RUnlock()
	return h.guard(run)
}

// write is read for a write transaction: it holds the writes lock shared too
// (first, see the lock order), so a compaction can wait for writers.
func (h *handle) write(run func() error) error {
	h.writes.RLock()
	defer h.writes.RUnlock()
	return h.read(run)
}

// recoverPageFault turns a panic inside a transaction (bbolt panics on pages
// it cannot parse; a wild page pointer faults) into ErrDamaged and remembers it.
func (h *handle) recoverPageFault(err *error) {
	if r := recover(); r != nil {
		msg := fmt.Sprint(r)
		h.damaged.CompareAndSwap(nil, &msg)
		*err = &pageFault{msg}
	}
}

// pageFault is a panic or memory fault while bbolt read pages, as an error.
type pageFault struct{ msg string }

func (e *pageFault) Error() string        { return "unreadable page: " + e.msg }
func (e *pageFault) Is(target error) bool { return target == ErrDamaged }

// guard runs fn, which reads h's pages outside View (bbolt's Compact opens its
// own read transaction), with the same fault handling as View.
func (h *handle) guard(fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer h.recoverPageFault(&err)
	return fn()
}

// current returns the open *bolt.DB (it changes when a compaction swaps the file).
func (h *handle) current() *bolt.DB {
	h.swap.RLock()
	defer h.swap.RUnlock()
	return h.b
}

// Close closes the file once in-flight transactions have ended.
func (h *handle) Close() error {
	h.maint.Lock()
	defer h.maint.Unlock()
	h.writes.Lock()
	defer h.writes.Unlock()
	h.swap.Lock()
	defer h.swap.Unlock()
	return h.b.Close()
}
