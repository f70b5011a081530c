package store

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// ErrRefused wraps a restore that stopped before it changed anything.
var ErrRefused = errors.New("nothing was changed")

// Restore replaces dir's database with the snapshot at src. Before it touches
// anything it verifies the snapshot completely (VerifyBackup), refuses while a
// server holds the current file, and prepares the new file beside it
// (compacted, migrated); only then is the previous file renamed to
// aftercare.db.before-restore and the new one put in its place.
func Restore(dir, src string) error {
	if err := VerifyBackup(src); err != nil {
		return fmt.Errorf("%w (%w)", err, ErrRefused)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	path := filepath.Join(dir, FileName)
	_, statErr := os.Stat(path)
	exists := statErr == nil
	if exists {
		// Holding bbolt's lock proves no server runs while we swap the file. The
		// current file may itself be damaged (why restore otherwise), so it is
		// locked, not opened.
		unlock, err := lockFile(path, true)
		if err != nil {
			return fmt.Errorf("restore into %s: %w (%w)", path, err, ErrRefused)
		}
		defer unlock()
	}
	tmp := path + ".restore"
	if err := prepareRestore(src, tmp); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("%w (%w)", err, ErrRefused)
	}
	if exists {
		if err := os.Rename(path, path+".before-restore"); err != nil {
			_ = os.Remove(tmp)
			return fmt.Errorf("%w (%w)", err, ErrRefused)
		}
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	return syncDir(dir)
}

// prepareRestore writes src's live records into tmp and brings them to this
// binary's schema, then checks the result.
func prepareRestore(src, tmp string) error {
	_ = os.Remove(tmp)
	in, err := openBolt(src, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("%s is not a readable database: %w", src, err)
	}
	err = newHandle(src, in, nil).guard(func() error { return compactInto(tmp, in) })
	_ = in.Close()
	if err != nil {
		return err
	}
	out, err := openBolt(tmp, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return err
	}
	db := &DB{bolt: newHandle(tmp, out, nil), now: time.Now}
	err = db.migrate()
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("migrate %s: %w", src, err)
	}
	return VerifyBackup(tmp)
}
