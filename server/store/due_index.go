package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RuleState is the persisted progress of one reminder rule of a plan: when it
// fires next and what it last sent. The rule itself (text, cron spec, window)
// is derived from the plan again whenever it is needed, so only progress lives here.
type RuleState struct {
	RuleID string `json:"-"`
	Kind   string `json:"kind"`
	// NextFire is the instant of the pending due entry; zero when the rule has nothing left to send.
	NextFire time.Time `json:"next,omitzero"`
	// NextLocal is NextFire as the client's wall clock ("2006-01-02T15:04").
	NextLocal string    `json:"nextLocal,omitempty"`
	LastSent  time.Time `json:"lastSent,omitzero"`
	// LastSentLocal is the local fire time last sent; a rule never sends the
	// same local time twice (the repeated autumn hour, a resend after a crash).
	LastSentLocal string `json:"lastSentLocal,omitempty"`
}

// DueEntry is one reminder waiting in the due-index.
type DueEntry struct {
	At     time.Time
	Token  string
	RuleID string
	// State is the rule's state as stored with the entry.
	State RuleState
}

// DueStep is the commit for one due entry: the entry leaves the index and the
// rule moves on to Next. Next nil forgets the rule altogether (plan erased,
// rule no longer derived); a Next with zero NextFire keeps its history but
// schedules nothing.
type DueStep struct {
	Entry DueEntry
	Next  *RuleState
}

// dueKey is fireUnix(8 BE) token 0x00 ruleID: time first, so "everything due
// by t" is one cursor range from the start.
func dueKey(at time.Time, token, ruleID string) []byte {
	k := make([]byte, 8, 8+len(token)+1+len(ruleID))
	binary.BigEndian.PutUint64(k, uint64(at.Unix()))
	k = append(k, token...)
	k = append(k, 0)
	return append(k, ruleID...)
}

func parseDueKey(k []byte) (at time.Time, token, ruleID string, ok bool) {
	if len(k) < 10 {
		return time.Time{}, "", "", false
	}
	rest := k[8:]
	i := bytes.IndexByte(rest, 0)
	if i < 0 {
		return time.Time{}, "", "", false
	}
	at = time.Unix(int64(binary.BigEndian.Uint64(k[:8])), 0).UTC()
	return at, string(rest[:i]), string(rest[i+1:]), true
}

// ReplaceSchedule swaps a plan's reminder rules for rules in one transaction:
// the old rules and their due entries go (found through each rule's stored
// NextFire, not by scanning the index), the new ones are written with a due
// entry for each non-zero NextFire. A new rule without LastSentLocal inherits
// the old one of the same ID, so editing a plan never resends a reminder.
// It returns ErrNotFound when the plan does not exist (erased meanwhile).
func (db *DB) ReplaceSchedule(token string, rules []RuleState) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return ErrNotFound
		}
		return replaceSchedule(tx, token, rules)
	})
}

// ReplaceSchedules is ReplaceSchedule for many plans in one transaction (bulk
// rebuilds and seeding); plans that do not exist are skipped. Writes go in key
// order: bbolt inserts sorted keys cheaply, random ones into one big node slowly.
func (db *DB) ReplaceSchedules(schedules map[string][]RuleState) error {
	tokens := make([]string, 0, len(schedules))
	for t := range schedules {
		tokens = append(tokens, t)
	}
	slices.Sort(tokens)
	return db.bolt.Update(func(tx *bolt.Tx) error {
		var dues []kv
		for _, token := range tokens {
			if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
				continue
			}
			if _, err := clearSchedule(tx, token); err != nil {
				return err
			}
			// Rule keys are token-prefixed, so plans in token order write them in order.
			for _, s := range schedules[token] {
				data, err := encodeRuleState(token, s)
				if err != nil {
					return err
				}
				if err := tx.Bucket(bucketRules).Put(join(token, s.RuleID), data); err != nil {
					return err
				}
				if !s.NextFire.IsZero() {
					dues = append(dues, kv{dueKey(s.NextFire, token, s.RuleID), data})
				}
			}
		}
		slices.SortFunc(dues, func(a, b kv) int { return bytes.Compare(a.k, b.k) })
		due := tx.Bucket(bucketDue)
		for _, d := range dues {
			if err := due.Put(d.k, d.v); err != nil {
				return err
			}
		}
		return nil
	})
}

type kv struct{ k, v []byte }

func replaceSchedule(tx *bolt.Tx, token string, rules []RuleState) error {
	old, err := clearSchedule(tx, token)
	if err != nil {
		return err
	}
	for _, s := range rules {
		if prev, ok := old[s.RuleID]; ok && s.LastSentLocal == "" {
			s.LastSent, s.LastSentLocal = prev.LastSent, prev.LastSentLocal
		}
		if err := putRuleState(tx, token, s); err != nil {
			return err
		}
	}
	return nil
}

// clearSchedule deletes a plan's rule states and their due entries, and
// returns the deleted states by rule ID.
func clearSchedule(tx *bolt.Tx, token string) (map[string]RuleState, error) {
	rb, due := tx.Bucket(bucketRules), tx.Bucket(bucketDue)
	old := make(map[string]RuleState)
	var oldKeys [][]byte
	pre := prefix(token)
	c := rb.Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		var s RuleState
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("decode rule state %q: %w", k, err)
		}
		s.RuleID = string(k[len(pre):])
		old[s.RuleID] = s
		oldKeys = append(oldKeys, bytes.Clone(k))
	}
	for _, k := range oldKeys {
		if err := rb.Delete(k); err != nil {
			return nil, err
		}
	}
	for _, s := range old {
		if !s.NextFire.IsZero() {
			if err := due.Delete(dueKey(s.NextFire, token, s.RuleID)); err != nil {
				return nil, err
			}
		}
	}
	return old, nil
}

// putRuleState writes a rule's state and, if it has a NextFire, its due entry
// (the same JSON, so a due scan needs no second lookup).
func putRuleState(tx *bolt.Tx, token string, s RuleState) error {
	data, err := encodeRuleState(token, s)
	if err != nil {
		return err
	}
	if err := tx.Bucket(bucketRules).Put(join(token, s.RuleID), data); err != nil {
		return err
	}
	if s.NextFire.IsZero() {
		return nil
	}
	return tx.Bucket(bucketDue).Put(dueKey(s.NextFire, token, s.RuleID), data)
}

func encodeRuleState(token string, s RuleState) ([]byte, error) {
	if s.RuleID == "" {
		return nil, fmt.Errorf("rule state of %s without rule id", token)
	}
	return json.Marshal(s)
}

// RuleStates returns the stored rule states of a plan, ordered by rule ID.
func (db *DB) RuleStates(token string) ([]RuleState, error) {
	out := []RuleState{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		pre := prefix(token)
		c := tx.Bucket(bucketRules).Cursor()
		for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			var s RuleState
			if err := json.Unmarshal(v, &s); err != nil {
				return fmt.Errorf("decode rule state: %w", err)
			}
			s.RuleID = string(k[len(pre):])
			out = append(out, s)
		}
		return nil
	})
	return out, err
}

// DueUntil returns up to limit entries due at or before t, oldest first. It
// reads only the entries it returns: the work is O(due), not O(rules).
func (db *DB) DueUntil(t time.Time, limit int) ([]DueEntry, error) {
	var out []DueEntry
	end := uint64(t.Unix())
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		for k, v := c.First(); k != nil && (limit <= 0 || len(out) < limit); k, v = c.Next() {
			if len(k) < 8 || binary.BigEndian.Uint64(k[:8]) > end {
				break
			}
			at, token, ruleID, ok := parseDueKey(k)
			if !ok {
				continue // not ours to interpret; never written by this code
			}
			e := DueEntry{At: at, Token: token, RuleID: ruleID}
			if err := json.Unmarshal(v, &e.State); err != nil {
				return fmt.Errorf("decode due entry: %w", err)
			}
			e.State.RuleID = ruleID
			out = append(out, e)
		}
		return nil
	})
	return out, err
}

// CountDue returns how many entries are due at or before t (the backlog).
func (db *DB) CountDue(t time.Time) (int, error) {
	n := 0
	end := uint64(t.Unix())
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketDue).Cursor()
		for k, _ := c.First(); k != nil && len(k) >= 8 && binary.BigEndian.Uint64(k[:8]) <= end; k, _ = c.Next() {
			n++
		}
		return nil
	})
	return n, err
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

// AdvanceAll commits many due entries in one transaction (one fsync per
// tick batch instead of one per reminder). An entry whose due key is gone was
// replaced or erased while it was being sent; it is left alone.
func (db *DB) AdvanceAll(steps []DueStep) error {
	if len(steps) == 0 {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		due, rules := tx.Bucket(bucketDue), tx.Bucket(bucketRules)
		for _, st := range steps {
			e := st.Entry
			k := dueKey(e.At, e.Token, e.RuleID)
			if due.Get(k) == nil {
				continue
			}
			if err := due.Delete(k); err != nil {
				return err
			}
			if st.Next == nil {
				if err := rules.Delete(join(e.Token, e.RuleID)); err != nil {
					return err
				}
				continue
			}
			next := *st.Next
			next.RuleID = e.RuleID
			if err := putRuleState(tx, e.Token, next); err != nil {
				return err
			}
		}
		return nil
	})
}
