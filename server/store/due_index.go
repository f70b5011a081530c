package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// The reminder schedule lives in two buckets:
//
//   - due: fireUnix(8 BE) token 0x00 ruleID -> the rule's state (compact
//     binary, see encodeDue). Time first, so "everything due by t" is one
//     cursor range from the start. The entry carries all a tick needs (kind,
//     the local time last sent, the schedule generation), so a tick's commit
//     is "delete this key, put the next key": both near the two ends of the
//     time order, i.e. mostly sequential pages, whatever the number of plans.
//   - rules: token 0x00 -> the plan's schedule generation (8 BE), and
//     token 0x00 ruleID -> the rule's state JSON as of the last
//     ReplaceSchedule (or the last send persisted with DueStep.Persist).
//
// A tick does not rewrite the rules bucket (that was one random page per sent
// reminder). ReplaceSchedule bumps the generation and writes new due entries;
// the old entries it can locate (each rule's stored NextFire) are deleted, and
// any others (rules that moved on since) are stale: DueUntil marks them and the
// tick drops them unsent (a commit that follows one up by mistake writes
// another stale entry, never a live one). DeletePlan removes all of a plan's entries.

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
	// Gen is the plan's schedule generation this state belongs to; the store sets it.
	Gen uint64 `json:"gen,omitempty"`
}

// DueEntry is one reminder waiting in the due-index.
type DueEntry struct {
	At     time.Time
	Token  string
	RuleID string
	// State is the rule's state as stored with the entry. An entry whose
	// State.Gen is not its plan's current generation (PlanDevices.Gen) is
	// stale: it was written for a schedule since replaced and stands for nothing.
	State RuleState
}

// DueStep is the commit for one due entry: the entry leaves the index and,
// if Next has a NextFire, the rule's next entry goes in. Next nil or with a
// zero NextFire schedules nothing more for the rule.
type DueStep struct {
	Entry DueEntry
	Next  *RuleState
	// Persist also writes Next to the plan's stored rule states (a random page
	// write, so only when needed): ReplaceSchedule inherits LastSentLocal from
	// there. A tick persists a send whose local time recurs later (the repeated
	// autumn hour); any other sent local time lies before every later firing.
	// With Next nil, Persist deletes the stored state (rule no longer derived).
	Persist bool
	// Retries are pushes of this firing to single devices that failed while
	// other devices accepted it: they go into the retry index in the same
	// transaction, and only if the entry was still there to commit.
	Retries []Retry
}

// dueKey is fireUnix(8 BE) token 0x00 ruleID.
func dueKey(at time.Time, token, ruleID string) []byte {
	return appendDueKey(make([]byte, 0, 8+len(token)+1+len(ruleID)), at, token, ruleID)
}

func appendDueKey(k []byte, at time.Time, token, ruleID string) []byte {
	k = binary.BigEndian.AppendUint64(k, uint64(at.Unix()))
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

// dueFormat marks the binary due value; entries written by older code are JSON ('{').
const dueFormat = 1

var zeroUnix = time.Time{}.Unix()

// encodeDue writes s compactly: format, gen, kind, nextLocal, lastSentLocal,
// lastSent (unix seconds, nanoseconds). NextFire is the key's time.
func encodeDue(s RuleState) []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+3+len(s.Kind)+len(s.NextLocal)+len(s.LastSentLocal))
	b = append(b, dueFormat)
	b = binary.AppendUvarint(b, s.Gen)
	for _, str := range [...]string{s.Kind, s.NextLocal, s.LastSentLocal} {
		b = binary.AppendUvarint(b, uint64(len(str)))
		b = append(b, str...)
	}
	sec := zeroUnix
	var nsec int
	if !s.LastSent.IsZero() {
		sec, nsec = s.LastSent.Unix(), s.LastSent.Nanosecond()
	}
	b = binary.AppendVarint(b, sec)
	return binary.AppendUvarint(b, uint64(nsec))
}

var errDueValue = errors.New("malformed due entry")

// decodeDue reads a due value (binary, or JSON from before the binary format).
func decodeDue(v []byte, s *RuleState) error {
	if len(v) > 0 && v[0] == '{' {
		return json.Unmarshal(v, s)
	}
	if len(v) == 0 || v[0] != dueFormat {
		return errDueValue
	}
	v = v[1:]
	gen, n := binary.Uvarint(v)
	if n <= 0 {
		return errDueValue
	}
	s.Gen, v = gen, v[n:]
	var strs [3]string
	for i := range strs {
		l, n := binary.Uvarint(v)
		if n <= 0 || uint64(len(v)-n) < l {
			return errDueValue
		}
		strs[i], v = internKind(v[n:n+int(l)], i == 0), v[n+int(l):]
	}
	s.Kind, s.NextLocal, s.LastSentLocal = strs[0], strs[1], strs[2]
	sec, n := binary.Varint(v)
	if n <= 0 {
		return errDueValue
	}
	nsec, m := binary.Uvarint(v[n:])
	if m <= 0 || nsec >= 1e9 {
		return errDueValue
	}
	s.LastSent = time.Time{}
	if sec != zeroUnix {
		s.LastSent = time.Unix(sec, int64(nsec)).UTC()
	}
	return nil
}

// kinds are the reminder kinds, so decoding a due entry's kind allocates nothing.
var kinds = []string{model.KindHydration, model.KindStretch, model.KindCheckIn, model.KindFollowUp, model.KindTip, model.KindTest}

func internKind(b []byte, isKind bool) string {
	if isKind {
		for _, k := range kinds {
			if string(b) == k {
				return k
			}
		}
	}
	return string(b)
}

// dueGen reads just the generation of a due value (0 for the JSON format).
func dueGen(v []byte) uint64 {
	if len(v) < 2 || v[0] != dueFormat {
		return 0
	}
	gen, _ := binary.Uvarint(v[1:])
	return gen
}

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

// DueUntil returns up to limit entries due at or before t, oldest first,
// stale ones included (see DueEntry). It reads only the entries it returns:
// the work is O(due), not O(rules).
func (db *DB) DueUntil(t time.Time, limit int) ([]DueEntry, error) {
	return db.DueAfter(nil, t, limit)
}

// DueAfter is DueUntil for the entries after the entry after (nil: from the
// start): a tick reads its next round while the last one is being committed.
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

// PlanDevices is a plan with its push devices, as a reminder tick needs it.
// Plan, Devices and DoneAt are shared with the store's cache: read-only,
// never to be changed by the caller (the reminder tick only reads them; it
// reads thousands a minute, so they are not copied).
type PlanDevices struct {
	Plan    *model.Plan // nil with Err
	Err     error       // ErrNotFound when the plan was erased
	Devices []model.Subscription
	Gen     uint64 // the schedule generation: due entries of another are stale
	// DoneAt holds the times of the plan's completions, when asked for (else nil).
	DoneAt []time.Time
	// Memo, if not nil, keeps values derived from Plan alone (e.g. reminder
	// rules) for as long as the cache holds this version of the plan: a write
	// to the plan drops it with the plan. Values put there must be immutable.
	Memo *sync.Map
}

// PlansWithDevices reads the plans and their devices (and, where
// withDone[i], the completion times) in one read transaction, in the order
// of tokens. One cursor per bucket serves all plans: a tick reads thousands.
// What the cache has (see cache.go) is not read from the file; what is read
// goes into the cache.
func (db *DB) PlansWithDevices(tokens []string, withDone []bool) ([]PlanDevices, error) {
	out := make([]PlanDevices, len(tokens))
	var miss []int
	for i, token := range tokens {
		if e := db.cache.get(token); e != nil && e.full {
			out[i] = fromCache(e, withDone != nil && withDone[i])
		} else {
			miss = append(miss, i)
		}
	}
	if len(miss) == 0 {
		return out, nil
	}
	mark := db.cache.mark()
	err := db.bolt.View(func(tx *bolt.Tx) error {
		r := newPlanReader(tx)
		for _, i := range miss {
			e, err := r.read(tokens[i])
			if err != nil {
				out[i].Err = err
				continue
			}
			if c := db.cache.put(mark, tokens[i], e); c != nil && c.full {
				e = c
			}
			out[i] = fromCache(e, withDone != nil && withDone[i])
		}
		return r.err
	})
	return out, err
}

// fromCache hands out e, read-only (see PlanDevices).
func fromCache(e *cachedPlan, withDone bool) PlanDevices {
	o := PlanDevices{Plan: e.p, Devices: e.devs, Gen: e.gen, Memo: e.memo}
	if withDone {
		o.DoneAt = e.done
		if o.DoneAt == nil {
			o.DoneAt = []time.Time{}
		}
	}
	return o
}

// planReader reads whole cache entries with one cursor per bucket.
type planReader struct {
	plans, subs, rules, comps *bolt.Cursor
	pre                       []byte
	err                       error // a completion that does not decode
}

func newPlanReader(tx *bolt.Tx) *planReader {
	return &planReader{plans: tx.Bucket(bucketPlans).Cursor(), subs: tx.Bucket(bucketSubs).Cursor(),
		rules: tx.Bucket(bucketRules).Cursor(), comps: tx.Bucket(bucketCompletions).Cursor()}
}

// read returns token's plan with devices, generation and completion times.
func (r *planReader) read(token string) (*cachedPlan, error) {
	r.pre = append(append(r.pre[:0], token...), 0)
	pre := r.pre
	k, v := r.plans.Seek(pre[:len(token)])
	if token == "" || !bytes.Equal(k, pre[:len(token)]) {
		return nil, ErrNotFound
	}
	e := &cachedPlan{p: new(model.Plan), full: true}
	if err := json.Unmarshal(v, e.p); err != nil {
		return nil, fmt.Errorf("decode plan: %w", err)
	}
	for k, v := r.subs.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = r.subs.Next() {
		var s model.Subscription
		if json.Unmarshal(v, &s) == nil {
			e.devs = append(e.devs, s)
		}
	}
	if k, v := r.rules.Seek(pre); bytes.Equal(k, pre) {
		e.gen = decodeUint(v)
	}
	for k, v := r.comps.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = r.comps.Next() {
		var c struct {
			At time.Time `json:"at"`
		}
		if err := json.Unmarshal(v, &c); err != nil {
			r.err = fmt.Errorf("decode completion: %w", err)
			return nil, r.err
		}
		e.done = append(e.done, c.At)
	}
	return e, nil
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
