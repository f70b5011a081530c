package store

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// ScheduleFunc derives the reminder rule states to store for plan p from the
// states stored for it so far (none for a new plan). It runs inside the write
// transaction that stores p, so it must only compute, never use the database.
type ScheduleFunc func(p model.Plan, stored []RuleState) ([]RuleState, error)

// CreatePlanWithSchedule stores a new plan and its reminder schedule (see
// ReplaceSchedule) in one transaction: if the schedule cannot be derived or
// written, the plan is not stored either. A plan that never reminds is worse
// than a request that failed.
func (db *DB) CreatePlanWithSchedule(p model.Plan, schedule ScheduleFunc) error {
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
		if err := storeSchedule(tx, p, schedule); err != nil {
			return err
		}
		queued, err = db.queueEvents(tx, Change{Event: model.EventPlanCreated, Plan: p})
		return err
	})
	db.eventsQueued(queued, err)
	return err
}

// UpdatePlanWithSchedule is UpdatePlan that also replaces the plan's schedule
// with the one derived from the changed plan, in the same transaction: both
// are stored or neither.
func (db *DB) UpdatePlanWithSchedule(token string, fn func(*model.Plan) error, schedule ScheduleFunc) (model.Plan, error) {
	var out model.Plan
	defer db.cache.invalidate(token)
	queued := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		p, n, err := db.updatePlan(tx, token, fn)
		if err != nil {
			return err
		}
		queued = n
		if err := storeSchedule(tx, p, schedule); err != nil {
			return err
		}
		out = p
		return nil
	})
	db.eventsQueued(queued, err)
	return out, err
}

func storeSchedule(tx *bolt.Tx, p model.Plan, schedule ScheduleFunc) error {
	stored, err := storedStates(tx, p.Token)
	if err != nil {
		return err
	}
	states, err := schedule(p, stored)
	if err != nil {
		return fmt.Errorf("schedule reminders: %w", err)
	}
	if err := replaceSchedule(tx, p.Token, states); err != nil {
		return fmt.Errorf("store reminder schedule: %w", err)
	}
	return nil
}

// RepairSchedules writes the schedule of each plan that has none at all (no
// rule states, no generation), where schedule yields rules for it, and
// returns how many it wrote. Such plans were stored by servers that wrote the
// plan and its schedule in two transactions and failed at the second.
func (db *DB) RepairSchedules(schedule ScheduleFunc) (int, error) {
	var missing []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		rules := tx.Bucket(bucketRules).Cursor()
		return tx.Bucket(bucketPlans).ForEach(func(k, _ []byte) error {
			if !hasSchedule(rules, string(k)) {
				missing = append(missing, string(k))
			}
			return nil
		})
	})
	if err != nil || len(missing) == 0 {
		return 0, err
	}
	n := 0
	defer db.cache.invalidate(missing...)
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		n = 0
		for _, token := range missing {
			if hasSchedule(tx.Bucket(bucketRules).Cursor(), token) {
				continue // scheduled meanwhile
			}
			p, err := getPlan(tx, token)
			if errors.Is(err, ErrNotFound) {
				continue // erased meanwhile
			}
			if err != nil {
				return err
			}
			states, err := schedule(p, nil)
			if err != nil {
				return fmt.Errorf("schedule reminders: %w", err)
			}
			if len(states) == 0 {
				continue
			}
			if err := replaceSchedule(tx, token, states); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}

// hasSchedule reports whether the rules bucket holds anything of token's plan.
func hasSchedule(rules *bolt.Cursor, token string) bool {
	pre := prefix(token)
	k, _ := rules.Seek(pre)
	return k != nil && bytes.HasPrefix(k, pre)
}
