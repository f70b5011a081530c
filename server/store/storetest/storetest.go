// Package storetest opens real bbolt databases for tests: a test that needs
// storage gets a file of its own in its temporary directory.
package storetest

import (
	"testing"

	"github.com/aftercare/aftercare/server/store"
)

// Open opens a new, empty database in a fresh tb.TempDir() and closes it
// when the test ends. It fails the test if the database cannot be opened.
func Open(tb testing.TB) *store.DB {
	tb.Helper()
	return OpenDir(tb, tb.TempDir())
}

// OpenDir opens (creating if needed) the database in dir, e.g. again after a
// simulated restart, and closes it when the test ends; closing it earlier
// is fine.
func OpenDir(tb testing.TB, dir string) *store.DB {
	tb.Helper()
	db, err := store.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = db.Close() })
	return db
}
