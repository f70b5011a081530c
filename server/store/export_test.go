package store

import (
	"io"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Methods only this package's tests use; the server reads the due-index
// through DueAfter and AdvanceAll (a tick), backs up through Snapshot.

// DueUntil returns up to limit entries due at or before t, oldest first,
// stale ones included (see DueEntry). It reads only the entries it returns:
// the work is O(due), not O(rules).
func (db *DB) DueUntil(t time.Time, limit int) ([]DueEntry, error) {
	return db.DueAfter(nil, t, limit)
}

// NextDue returns the earliest entry's time, or false when nothing is scheduled.
func (db *DB) NextDue() (time.Time, bool, error) {
	var at time.Time
	var ok bool
	err := db.bolt.View(func(tx *bolt.Tx) error {
		k, _ := tx.Bucket(bucketDue).Cursor().First()
		if k != nil {
			at, _, _, ok = parseDueKey(k)
		}
		return nil
	})
	return at, ok, err
}

// Advance commits one due entry (see DueStep): after a send, this is what
// makes it count as sent.
func (db *DB) Advance(e DueEntry, next *RuleState) error {
	return db.AdvanceAll([]DueStep{{Entry: e, Next: next}})
}

// Schema returns the stored schema version.
func (db *DB) Schema() (int, error) {
	var v uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v = decodeUint(tx.Bucket(bucketMeta).Get([]byte("schema")))
		return nil
	})
	return int(v), err
}

// SubscriptionOwners returns every owner (plan tokens, therapists) holding endpoint.
func (db *DB) SubscriptionOwners(endpoint string) ([]string, error) {
	var owners []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		owners = endpointOwners(tx, endpointKey(endpoint))
		return nil
	})
	return owners, err
}

// Backup writes a compacted snapshot (live records only, verified) to w while
// the server keeps running; see Snapshot.
func (db *DB) Backup(w io.Writer) (int64, error) {
	f, _, err := db.Snapshot()
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return io.Copy(w, f)
}
