package store

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// ErrNotFound is model.ErrNotFound, so callers can branch without importing store.
var ErrNotFound = model.ErrNotFound

// ErrExists is returned when a unique key is taken.
var ErrExists = model.ConflictError("already exists")

// CreatePlan stores a new plan; the token must be unused.
func (db *DB) CreatePlan(p model.Plan) error {
	data, err := json.Marshal(p)
	if err != nil {
		return err
	}
	defer db.cache.invalidate(p.Token)
	queued := 0
	err = db.bolt.Update(func(tx *bolt.Tx) (err error) {
		if err := putNewPlan(tx, p, data); err != nil {
			return err
		}
		queued, err = db.queueEvents(tx, Change{Event: model.EventPlanCreated, Plan: p})
		return err
	})
	db.eventsQueued(queued, err)
	return err
}

// putNewPlan stores plan p (encoded as data) under its unused token.
func putNewPlan(tx *bolt.Tx, p model.Plan, data []byte) error {
	b := tx.Bucket(bucketPlans)
	if b.Get([]byte(p.Token)) != nil {
		return ErrExists
	}
	if err := b.Put([]byte(p.Token), data); err != nil {
		return err
	}
	if err := putFeed(tx, p.Token, model.NewToken()); err != nil {
		return err
	}
	if err := putClientRow(tx, model.NewClientRow(p, nil, nil)); err != nil {
		return err
	}
	return tx.Bucket(bucketPlansByTherapist).Put(join(p.TherapistID, p.Token), nil)
}

// UpdatePlan applies fn to the stored plan and saves the result atomically.
func (db *DB) UpdatePlan(token string, fn func(*model.Plan) error) (model.Plan, error) {
	var out model.Plan
	defer db.cache.invalidate(token)
	queued := 0
	err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
		var p model.Plan
		p, queued, err = db.updatePlan(tx, token, fn)
		if err == nil {
			out = p
		}
		return err
	})
	db.eventsQueued(queued, err)
	return out, err
}

// updatePlan applies fn to the stored plan and writes the result back; when
// that ends the plan, it queues plan.ended and says how many events it queued.
func (db *DB) updatePlan(tx *bolt.Tx, token string, fn func(*model.Plan) error) (model.Plan, int, error) {
	p, err := getPlan(tx, token)
	if err != nil {
		return p, 0, err
	}
	wasEnded := p.EndedAt != nil
	if err := fn(&p); err != nil {
		return p, 0, err
	}
	p.Token = token
	if err := putJSON(tx.Bucket(bucketPlans), []byte(token), p); err != nil {
		return p, 0, err
	}
	if err := refreshClientRow(tx, p); err != nil {
		return p, 0, err
	}
	if wasEnded || p.EndedAt == nil {
		return p, 0, nil
	}
	n, err := db.queueEvents(tx, Change{Event: model.EventPlanEnded, Plan: p})
	return p, n, err
}

// Plan returns the plan for token or ErrNotFound.
func (db *DB) Plan(token string) (model.Plan, error) {
	if e := db.cache.get(token); e != nil {
		return clonePlan(e.p), nil
	}
	mark := db.cache.mark()
	var p model.Plan
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		p, err = getPlan(tx, token)
		return err
	})
	if err == nil {
		c := clonePlan(&p)
		db.cache.put(mark, token, &cachedPlan{p: &c})
	}
	return p, err
}

func getPlan(tx *bolt.Tx, token string) (model.Plan, error) {
	var p model.Plan
	if token == "" {
		return p, ErrNotFound
	}
	v := tx.Bucket(bucketPlans).Get([]byte(token))
	if v == nil {
		return p, ErrNotFound
	}
	if err := json.Unmarshal(v, &p); err != nil {
		return p, fmt.Errorf("decode plan: %w", err)
	}
	return p, nil
}

// PlansByTherapist returns a therapist's plans, newest first. An empty id returns every plan.
func (db *DB) PlansByTherapist(therapistID string) ([]model.Plan, error) {
	var out []model.Plan
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if therapistID == "" {
			return eachJSON(tx.Bucket(bucketPlans), func(p model.Plan) { out = append(out, p) })
		}
		pre := prefix(therapistID)
		c := tx.Bucket(bucketPlansByTherapist).Cursor()
		for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
			p, err := getPlan(tx, string(k[len(pre):]))
			if err != nil {
				return err
			}
			out = append(out, p)
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, err
}

// DeletePlan erases a plan and everything tied to it: completions, check-ins,
// PSFS ratings, preparation forms, subscriptions, reminder rules, due entries, pending per-device retries and
// its calendar feed.
func (db *DB) DeletePlan(token string) error {
	defer db.cache.invalidate(token)
	queued := 0
	err := db.bolt.Update(func(tx *bolt.Tx) (err error) {
		p, err := getPlan(tx, token)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketPlans).Delete([]byte(token)); err != nil {
			return err
		}
		if err := db.noteErasure(tx); err != nil { // the words stay in free pages until compacted
			return err
		}
		if err := tx.Bucket(bucketPlansByTherapist).Delete(join(p.TherapistID, token)); err != nil {
			return err
		}
		if err := dropClientRow(tx, token); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketCompletions, bucketCheckIns, bucketPSFS, bucketPreparations, bucketPrepareSent, bucketRules, bucketHistoryDays} {
			if err := deletePrefix(tx.Bucket(name), prefix(token)); err != nil {
				return err
			}
		}
		if err := deleteSubsOf(tx, token); err != nil {
			return err
		}
		if err := deleteRetriesOf(tx, token); err != nil {
			return err
		}
		if err := deleteFeedOf(tx, token); err != nil {
			return err
		}
		if err := deleteDueOf(tx, token); err != nil {
			return err
		}
		// Undelivered webhook events about the plan go too; only its erasure is told.
		if err := purgeEventsOf(tx, token); err != nil {
			return err
		}
		queued, err = db.queueEvents(tx, Change{Event: model.EventPlanErased, Plan: p})
		return err
	})
	db.eventsQueued(queued, err)
	return err
}

// deletePrefix collects keys first: deleting while iterating a cursor can skip keys.
func deletePrefix(b *bolt.Bucket, pre []byte) error {
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
		keys = append(keys, bytes.Clone(k))
	}
	return deleteKeys(b, keys)
}

// deleteDueOf removes every due-index entry of a plan. The index is keyed by
// time first, so this scans it; plans are erased rarely.
func deleteDueOf(tx *bolt.Tx, token string) error {
	b := tx.Bucket(bucketDue)
	needle := prefix(token)
	var keys [][]byte
	c := b.Cursor()
	for k, _ := c.First(); k != nil; k, _ = c.Next() {
		if len(k) > 8 && bytes.HasPrefix(k[8:], needle) {
			keys = append(keys, bytes.Clone(k))
		}
	}
	return deleteKeys(b, keys)
}

// AddCompletion stores a completion once per client-chosen id, with no limit; it reports whether it was new.
func (db *DB) AddCompletion(token string, c model.Completion) (bool, error) {
	_, created, err := db.RecordCompletion(token, c, Limit{})
	return created, err
}

// AddCheckIn stores a check-in once per client-chosen id, with no limit; it reports whether it was new.
func (db *DB) AddCheckIn(token string, c model.CheckIn) (bool, error) {
	_, created, err := db.RecordCheckIn(token, c, Limit{})
	return created, err
}

// Completions returns a plan's completions, oldest first.
func (db *DB) Completions(token string) ([]model.Completion, error) {
	return oldestFirst(db, bucketCompletions, token, func(c *model.Completion) time.Time { return c.At })
}

// CheckIns returns a plan's check-ins, oldest first.
func (db *DB) CheckIns(token string) ([]model.CheckIn, error) {
	return oldestFirst(db, bucketCheckIns, token, func(c *model.CheckIn) time.Time { return c.At })
}

// oldestFirst lists a plan's records in bucket by their time (at), oldest first.
func oldestFirst[T any](db *DB, bucket []byte, token string, at func(*T) time.Time) ([]T, error) {
	out, err := listJSON[T](db.bolt, bucket, token)
	sort.SliceStable(out, func(i, j int) bool { return at(&out[i]).Before(at(&out[j])) })
	return out, err
}

// CountPlans returns the number of stored plans.
func (db *DB) CountPlans() (int, error) { return db.countKeys(bucketPlans) }
