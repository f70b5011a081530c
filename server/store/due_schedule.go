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

// scheduleGen returns the plan's schedule generation; 0 when it has none yet
// (or only rules written before generations existed).
func scheduleGen(tx *bolt.Tx, token string) uint64 {
	return decodeUint(tx.Bucket(bucketRules).Get(prefix(token)))
}

// ReplaceSchedule swaps a plan's reminder rules for rules in one transaction:
// the plan's schedule generation goes up, so every due entry written before
// is stale; the ones found through each old rule's stored NextFire are deleted
// right away, the rest are dropped by the tick that reaches them. The new
// rules are written with a due entry for each non-zero NextFire. A new rule
// without LastSentLocal inherits the stored one of the same ID (see
// DueStep.Persist for what that holds).
// It returns ErrNotFound when the plan does not exist (erased meanwhile).
func (db *DB) ReplaceSchedule(token string, rules []RuleState) error {
	defer db.cache.invalidate(token) // the cache holds the generation
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
	defer db.cache.invalidate(tokens...)
	return db.bolt.Update(func(tx *bolt.Tx) error {
		var dues []kv
		rb := tx.Bucket(bucketRules)
		for _, token := range tokens {
			if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
				continue
			}
			old, gen, err := clearSchedule(tx, token)
			if err != nil {
				return err
			}
			gen++
			// Rule keys are token-prefixed, so plans in token order write them in order.
			if err := rb.Put(prefix(token), encodeUint(gen)); err != nil {
				return err
			}
			for _, s := range schedules[token] {
				inherit(&s, old)
				s.Gen = gen
				data, err := encodeRuleState(token, s)
				if err != nil {
					return err
				}
				if err := rb.Put(join(token, s.RuleID), data); err != nil {
					return err
				}
				if !s.NextFire.IsZero() {
					dues = append(dues, kv{dueKey(s.NextFire, token, s.RuleID), encodeDue(s)})
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

func inherit(s *RuleState, old map[string]RuleState) {
	if prev, ok := old[s.RuleID]; ok && s.LastSentLocal == "" {
		s.LastSent, s.LastSentLocal = prev.LastSent, prev.LastSentLocal
	}
}

func replaceSchedule(tx *bolt.Tx, token string, rules []RuleState) error {
	old, gen, err := clearSchedule(tx, token)
	if err != nil {
		return err
	}
	gen++
	if err := tx.Bucket(bucketRules).Put(prefix(token), encodeUint(gen)); err != nil {
		return err
	}
	for _, s := range rules {
		inherit(&s, old)
		s.Gen = gen
		if err := putRuleState(tx, token, s); err != nil {
			return err
		}
	}
	return nil
}

// clearSchedule deletes a plan's stored rule states and the due entries they
// point to, and returns the deleted states by rule ID and the generation.
func clearSchedule(tx *bolt.Tx, token string) (map[string]RuleState, uint64, error) {
	rb, due := tx.Bucket(bucketRules), tx.Bucket(bucketDue)
	old, err := storedStates(tx, token)
	if err != nil {
		return nil, 0, err
	}
	gen := scheduleGen(tx, token)
	byID := make(map[string]RuleState, len(old))
	for _, s := range old {
		byID[s.RuleID] = s
		if err := rb.Delete(join(token, s.RuleID)); err != nil {
			return nil, 0, err
		}
		if !s.NextFire.IsZero() {
			if err := due.Delete(dueKey(s.NextFire, token, s.RuleID)); err != nil {
				return nil, 0, err
			}
		}
	}
	return byID, gen, nil
}

// storedStates reads a plan's rule states from the rules bucket, by rule ID.
func storedStates(tx *bolt.Tx, token string) ([]RuleState, error) {
	var out []RuleState
	pre := prefix(token)
	c := tx.Bucket(bucketRules).Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		if len(k) == len(pre) {
			continue // the generation
		}
		var s RuleState
		if err := json.Unmarshal(v, &s); err != nil {
			return nil, fmt.Errorf("decode rule state %q: %w", k, err)
		}
		s.RuleID = string(k[len(pre):])
		out = append(out, s)
	}
	return out, nil
}

// putRuleState writes a rule's state and, if it has a NextFire, its due entry.
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
	return tx.Bucket(bucketDue).Put(dueKey(s.NextFire, token, s.RuleID), encodeDue(s))
}

func encodeRuleState(token string, s RuleState) ([]byte, error) {
	if s.RuleID == "" {
		return nil, fmt.Errorf("rule state of %s without rule id", token)
	}
	return json.Marshal(s)
}

// ScheduledStates returns the plan's rule states as stored by the last
// ReplaceSchedule (plus persisted sends), ordered by rule ID: one prefix read.
// Their NextFire may have passed since; RuleStates has the current ones.
func (db *DB) ScheduledStates(token string) ([]RuleState, error) {
	var out []RuleState
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		out, err = storedStates(tx, token)
		return err
	})
	if out == nil {
		out = []RuleState{}
	}
	return out, err
}

// RuleStates returns the plan's rules as they stand now, ordered by rule ID:
// the stored states with each pending rule's NextFire, NextLocal and
// LastSentLocal taken from its live due entry; a rule without one has
// nothing left to send. It scans the due-index from the earliest stored
// NextFire on, so it is for tests and diagnostics, not for a request path.
func (db *DB) RuleStates(token string) ([]RuleState, error) {
	out := []RuleState{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		stored, err := storedStates(tx, token)
		if err != nil || len(stored) == 0 {
			return err
		}
		gen := scheduleGen(tx, token)
		idx := make(map[string]int, len(stored))
		var from time.Time
		for i := range stored {
			s := &stored[i]
			idx[s.RuleID] = i
			if !s.NextFire.IsZero() && (from.IsZero() || s.NextFire.Before(from)) {
				from = s.NextFire
			}
			s.NextFire, s.NextLocal = time.Time{}, ""
		}
		out = stored
		if from.IsZero() {
			return nil
		}
		seek := make([]byte, 8)
		binary.BigEndian.PutUint64(seek, uint64(from.Unix()))
		needle := prefix(token)
		c := tx.Bucket(bucketDue).Cursor()
		for k, v := c.Seek(seek); k != nil; k, v = c.Next() {
			if len(k) <= 8 || !bytes.HasPrefix(k[8:], needle) {
				continue
			}
			at, _, ruleID, ok := parseDueKey(k)
			i, known := idx[ruleID]
			if !ok || !known {
				continue
			}
			var s RuleState
			if decodeDue(v, &s) != nil || s.Gen != gen {
				continue
			}
			o := &out[i]
			o.NextFire, o.NextLocal = at, s.NextLocal
			o.LastSent, o.LastSentLocal = s.LastSent, s.LastSentLocal
		}
		return nil
	})
	return out, err
}
