package store

import (
	"encoding/binary"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent snapshot of the whole database to w while the
// server keeps running (one read transaction; writers are not blocked).
func (db *DB) Backup(w io.Writer) (int64, error) {
	var n int64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupSize is the size the next snapshot will have (for Content-Length).
func (db *DB) BackupSize() int64 {
	var n int64
	_ = db.bolt.View(func(tx *bolt.Tx) error { n = tx.Size(); return nil })
	return n
}

// Restore replaces dir's database with the snapshot at src. It checks the
// snapshot opens as an aftercare database first, and refuses while a server
// holds the current file. The previous file is kept as aftercare.db.before-restore.
func Restore(dir, src string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	check, err := bolt.Open(src, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("%s is not a readable database: %w", src, err)
	}
	err = check.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketPlans) == nil {
			return fmt.Errorf("%s is not an aftercare backup", src)
		}
		return nil
	})
	_ = check.Close()
	if err != nil {
		return err
	}
	// Holding the current file proves no server runs while we swap it.
	cur, err := Open(dir)
	if err != nil {
		return err
	}
	path := filepath.Join(dir, FileName)
	tmp := path + ".restore"
	if err := copyFile(src, tmp); err != nil {
		_ = cur.Close()
		return err
	}
	if err := os.Rename(path, path+".before-restore"); err != nil {
		_ = cur.Close()
		return err
	}
	_ = cur.Close()
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	db, err := Open(dir) // runs migrations on the restored file
	if err != nil {
		return err
	}
	return db.Close()
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// VerifyBackup opens a snapshot read-only and checks it page by page, so a
// backup cut short (a dropped connection mid-stream) is never reported written.
func VerifyBackup(path string) error {
	// bbolt maps the file and faults on pages past its end, so the size comes first.
	if err := checkLength(path); err != nil {
		return err
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		return fmt.Errorf("%s is not a readable database: %w", path, err)
	}
	defer b.Close()
	return b.View(func(tx *bolt.Tx) (err error) {
		// bbolt panics on some damaged pages instead of returning an error.
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("%s is damaged: %v", path, r)
			}
		}()
		// The page check first, and read to its end: its goroutine must not outlive the transaction.
		var first error
		for e := range tx.Check() {
			if first == nil {
				first = e
			}
		}
		if first != nil {
			return fmt.Errorf("%s is damaged: %w", path, first)
		}
		if tx.Bucket(bucketMeta) == nil || tx.Bucket(bucketPlans) == nil {
			return fmt.Errorf("%s is not an aftercare database", path)
		}
		return nil
	})
}

// checkLength compares the file's size with the page count its meta pages
// record (bbolt's layout: a 16-byte page header, then magic, version, page
// size, flags, root bucket (16), freelist page, high-water page id, txid).
func checkLength(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	const magic = 0xED0CDAED
	var need uint64
	for _, off := range []int{0, -1} {
		if off == -1 {
			if len(data) < 64 {
				break
			}
			off = int(binary.LittleEndian.Uint32(data[16+8:])) // page size from meta 0
		}
		if off+64 > len(data) || binary.LittleEndian.Uint32(data[off+16:]) != magic {
			continue
		}
		pageSize := uint64(binary.LittleEndian.Uint32(data[off+16+8:]))
		pages := binary.LittleEndian.Uint64(data[off+16+40:])
		need = max(need, pages*pageSize)
	}
	if need == 0 {
		return fmt.Errorf("%s is not a bbolt database", path)
	}
	if uint64(len(data)) < need {
		return fmt.Errorf("%s is truncated: %d of %d bytes", path, len(data), need)
	}
	return nil
}
