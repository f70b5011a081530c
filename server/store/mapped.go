package store

import bolt "go.etcd.io/bbolt"

// ReleaseMapped lets go of the database file's pages this process has
// mapped (bbolt reads the file through mmap). A scan of a whole bucket, such
// as the daily prune of 100,000 devices, maps every page it reads, and writes
// move pages all over the file (copy on write) that the next read maps; Linux
// also maps up to 15 cached neighbours of each page read (fault-around), so
// scattered reads map most of the file. Those pages stay counted in the
// server's resident memory until the next remap, although the kernel keeps
// them in its page cache either way. Nothing is lost: the
// mapping is read-only and backed by the file, so a page read again is mapped
// again from the cache. On systems without madvise it does nothing.
func (db *DB) ReleaseMapped() error {
	// A read transaction holds bbolt's mmap lock: the mapping cannot move meanwhile.
	return db.bolt.View(func(tx *bolt.Tx) error {
		return releaseMapped(tx.DB().Info().Data, tx.Size())
	})
}
