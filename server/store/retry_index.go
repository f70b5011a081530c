package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// The retry index holds pushes of a reminder to single devices still to go:
// a firing some devices of the plan accepted while others failed for a
// reason worth another try (5xx, 429, a transport error). The due entry moves
// on (the firing counts as sent) and each failed device gets a retry entry in
// the same commit:
//
//	retry: at(8 BE) token 0x00 ruleID 0x00 endpointHash(16) -> retryValue JSON
//
// Time first, like the due-index, so "every retry due by t" is one cursor
// range from the start: a tick's retry work is O(retries due).

// Retry is one pending push of a reminder firing to one device.
type Retry struct {
	At       time.Time // when to try next (the key's time, whole seconds)
	Token    string
	RuleID   string
	Endpoint string
	// Due and Local are the firing's instant and local time (the reminder's
	// dedupe key): the retry is sent only while the rule still has this firing
	// and it is within its kind's grace.
	Due   time.Time
	Local string
	// Attempts counts the ticks that tried this device so far.
	Attempts int
}

type retryValue struct {
	Endpoint string `json:"ep"`
	Due      int64  `json:"due"`
	Local    string `json:"local"`
	Attempts int    `json:"n"`
}

func retryKey(r *Retry) []byte {
	k := make([]byte, 0, 8+len(r.Token)+1+len(r.RuleID)+1+16)
	k = appendDueKey(k, r.At, r.Token, r.RuleID)
	k = append(k, 0)
	return append(k, endpointKey(r.Endpoint)...)
}

// parseRetryKey reads the time, token and rule ID (the endpoint hash, the
// last 16 bytes, may hold any byte).
func parseRetryKey(k []byte) (at time.Time, token, ruleID string, ok bool) {
	if len(k) < 8+1+1+16 || k[len(k)-17] != 0 {
		return time.Time{}, "", "", false
	}
	return parseDueKey(k[:len(k)-17])
}

func putRetries(tx *bolt.Tx, rs []Retry) error {
	if len(rs) == 0 {
		return nil
	}
	b := tx.Bucket(bucketRetry)
	for i := range rs {
		r := &rs[i]
		if r.Token == "" || r.RuleID == "" || r.Endpoint == "" {
			return fmt.Errorf("retry without token, rule or endpoint")
		}
		v, err := json.Marshal(retryValue{Endpoint: r.Endpoint, Due: r.Due.Unix(), Local: r.Local, Attempts: r.Attempts})
		if err != nil {
			return err
		}
		if err := b.Put(retryKey(r), v); err != nil {
			return err
		}
	}
	return nil
}

// RetriesDue returns up to limit retries due at or before t, oldest first.
func (db *DB) RetriesDue(t time.Time, limit int) ([]Retry, error) {
	var out []Retry
	end := uint64(t.Unix())
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketRetry).Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			at, token, ruleID, ok := parseRetryKey(k)
			if !ok {
				continue
			}
			var rv retryValue
			if err := json.Unmarshal(v, &rv); err != nil {
				return fmt.Errorf("decode retry entry: %w", err)
			}
			out = append(out, Retry{At: at, Token: token, RuleID: ruleID, Endpoint: rv.Endpoint,
				Due: time.Unix(rv.Due, 0).UTC(), Local: rv.Local, Attempts: rv.Attempts})
		}
		return nil
	})
	return out, err
}

// CountRetries returns how many retries are pending (tests, diagnostics).
func (db *DB) CountRetries() (int, error) { return db.countKeys(bucketRetry) }

// RetryStep is the commit for one retry taken by RetriesDue: it leaves the
// index and, if Next is set, comes back as Next (same token, rule and
// endpoint; a later At, more Attempts).
type RetryStep struct {
	Retry Retry
	Next  *Retry
}

// CommitRetries writes steps in one transaction. A retry whose key is gone
// (its plan erased meanwhile) is left gone.
func (db *DB) CommitRetries(steps []RetryStep) error {
	if len(steps) == 0 {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketRetry)
		for _, st := range steps {
			k := retryKey(&st.Retry)
			if b.Get(k) == nil {
				continue
			}
			if err := b.Delete(k); err != nil {
				return err
			}
			if st.Next != nil {
				next := *st.Next
				next.Token, next.RuleID, next.Endpoint = st.Retry.Token, st.Retry.RuleID, st.Retry.Endpoint
				if err := putRetries(tx, []Retry{next}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// deleteRetriesOf removes a plan's retries. The index is keyed by time first
// and small (only failed pushes within their grace), so this scans it.
func deleteRetriesOf(tx *bolt.Tx, token string) error {
	b := tx.Bucket(bucketRetry)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if _, tok, _, ok := parseRetryKey(k); ok && tok == token {
			keys = append(keys, bytes.Clone(k))
		}
	}
	return deleteKeys(b, keys)
}
