//go:build linux

package store

import (
	"fmt"
	"syscall"

	bolt "go.etcd.io/bbolt"
)

// ReleaseMapped takes the database file's pages out of this process's
// resident set (madvise MADV_DONTNEED over bbolt's read-only shared
// mapping). bbolt reads through the mapping, so every page a write or a
// full scan once touched counts in the process's RSS for as long as it
// stays mapped: with 10,000 plans that is the whole 110 MB file, though a
// minute's work touches a few hundred pages. The pages stay in the kernel's
// page cache, so the next read of one is a minor fault, not a disk read;
// the kernel may reclaim them under memory pressure. It runs inside a read
// transaction, which keeps bbolt from remapping meanwhile.
func (db *DB) ReleaseMapped() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		data, size := tx.DB().Info().Data, tx.Size()
		if data == 0 || size <= 0 {
			return nil
		}
		if _, _, errno := syscall.Syscall(syscall.SYS_MADVISE, data, uintptr(size), syscall.MADV_DONTNEED); errno != 0 {
			return fmt.Errorf("release mapped database pages: %w", errno)
		}
		return nil
	})
}
