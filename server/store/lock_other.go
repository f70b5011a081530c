//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package store

// lockFile is a no-op where bbolt does not lock with flock; bbolt's own lock
// at open still keeps a second server out.
func lockFile(path string, exclusive bool) (unlock func(), err error) {
	return func() {}, nil
}
