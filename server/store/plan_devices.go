package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

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
