package store

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DueAfter returns up to limit entries due at or before t after the entry
// after (nil: from the start), oldest first, stale ones included (see
// DueEntry): a tick reads its next round while the last one is being
// committed. It reads only the entries it returns: the work is O(due), not
// O(rules).
func (db *DB) DueAfter(after *DueEntry, t time.Time, limit int) ([]DueEntry, error) {
	var out []DueEntry
	if limit > 0 {
		out = make([]DueEntry, 0, min(limit, 4096))
	}
	end := uint64(t.Unix())
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		k, v := c.First()
		if after != nil {
			from := dueKey(after.At, after.Token, after.RuleID)
			if k, v = c.Seek(from); bytes.Equal(k, from) {
				k, v = c.Next()
			}
		}
		for ; k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			at, token, ruleID, ok := parseDueKey(k)
			if !ok {
				continue // not ours to interpret; never written by this code
			}
			e := DueEntry{At: at, Token: token, RuleID: ruleID}
			if err := decodeDue(v, &e.State); err != nil {
				return fmt.Errorf("decode due entry: %w", err)
			}
			e.State.RuleID = ruleID
			e.State.NextFire = at
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// DueWithin returns the entries due after after and at or before until (at
// most limit), in index order (fire time first), with their states: what the
// next ticks will take, for sealing their messages ahead.
func (db *DB) DueWithin(after, until time.Time, limit int) ([]DueEntry, error) {
	var out []DueEntry
	err := db.bolt.View(func(tx *bolt.Tx) error {
		seek := make([]byte, 8)
		binary.BigEndian.PutUint64(seek, uint64(after.Unix())+1)
		end := uint64(until.Unix())
		c := tx.Bucket(bucketDue).Cursor()
		for k, v := c.Seek(seek); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			at, token, ruleID, ok := parseDueKey(k)
			if !ok {
				continue
			}
			e := DueEntry{At: at, Token: token, RuleID: ruleID}
			if err := decodeDue(v, &e.State); err != nil {
				return fmt.Errorf("decode due entry: %w", err)
			}
			e.State.RuleID, e.State.NextFire = ruleID, at
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// CountDue returns how many entries are due at or before t (the backlog;
// stale entries count until a tick drops them).
func (db *DB) CountDue(t time.Time) (int, error) {
	n := 0
	end := uint64(t.Unix())
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.First(); len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) <= end; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
}

// AdvanceAll commits many due entries in one transaction (one fsync per
// tick batch instead of one per reminder). An entry whose due key is gone was
// replaced or erased while it was being sent; it is left alone. The next
// entry keeps the entry's generation, so following up an entry whose plan was
// rescheduled meanwhile writes only another stale entry; a persisted state is
// written only if the generation is still current.
func (db *DB) AdvanceAll(steps []DueStep) error {
	if len(steps) == 0 {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		due, rules := tx.Bucket(bucketDue), tx.Bucket(bucketRules)
		// One cursor serves the lookups (a Get or Delete makes a new one each).
		c := due.Cursor()
		var k []byte
		for _, st := range steps {
			e := st.Entry
			k = appendDueKey(k[:0], e.At, e.Token, e.RuleID)
			if found, _ := c.Seek(k); !bytes.Equal(found, k) {
				continue
			}
			if err := c.Delete(); err != nil {
				return err
			}
			if err := putRetries(tx, st.Retries); err != nil {
				return err
			}
			persist := st.Persist && e.State.Gen == scheduleGen(tx, e.Token)
			if st.Next == nil {
				if persist {
					if err := rules.Delete(join(e.Token, e.RuleID)); err != nil {
						return err
					}
				}
				continue
			}
			next := *st.Next
			next.RuleID, next.Gen = e.RuleID, e.State.Gen
			if persist {
				data, err := encodeRuleState(e.Token, next)
				if err != nil {
					return err
				}
				if err := rules.Put(join(e.Token, e.RuleID), data); err != nil {
					return err
				}
			}
			if !next.NextFire.IsZero() {
				nk := dueKey(next.NextFire, e.Token, e.RuleID)
				// A stale follow-up must not overwrite the entry a rescheduling
				// just wrote for the same firing (its newer generation wins).
				if found, old := c.Seek(nk); bytes.Equal(found, nk) && dueGen(old) > next.Gen {
					continue
				}
				if err := due.Put(nk, encodeDue(next)); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// DueRef names one due entry: its plan and rule.
type DueRef struct{ Token, RuleID string }

// DueRefs returns the entries due after after and at or before until (at
// most limit), in index order: what the next ticks will load, for a
// prefetch. It reads keys only.
func (db *DB) DueRefs(after, until time.Time, limit int) ([]DueRef, error) {
	var out []DueRef
	err := db.bolt.View(func(tx *bolt.Tx) error {
		seek := make([]byte, 8)
		binary.BigEndian.PutUint64(seek, uint64(after.Unix())+1)
		end := uint64(until.Unix())
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.Seek(seek); k != nil && (limit <= 0 || len(out) < limit); k, _ = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			if _, token, ruleID, ok := parseDueKey(k); ok {
				out = append(out, DueRef{Token: token, RuleID: ruleID})
			}
		}
		return nil
	})
	return out, err
}
