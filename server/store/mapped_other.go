//go:build !linux

package store

// ReleaseMapped is a no-op where the resident set is not trimmed this way
// (see mapped_linux.go).
func (db *DB) ReleaseMapped() error { return nil }
