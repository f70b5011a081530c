package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// Webhook buckets.
var (
	// webhook: "config" -> model.Webhook JSON, "status" -> model.WebhookStatus JSON
	bucketWebhook = []byte("webhook")
	// webhook_outbox: nextAt unix ms (8 BE) id -> model.OutboxEvent JSON
	// (events still to deliver, the next due first)
	bucketOutbox = []byte("webhook_outbox")
)

var (
	keyWebhookConfig = []byte("config")
	keyWebhookStatus = []byte("status")
)

// Change is a write an integration may hear about: Event is one of model's
// Event* types; CheckIn is set for model.EventCheckInCreated, and Clinic
// too for a version-2 check-in.
type Change struct {
	Event   string
	Plan    model.Plan
	CheckIn model.CheckIn
	Clinic  *clinic.CheckIn
}

// EventsFunc turns a change into the webhook events to queue for it (none
// when no webhook wants it). It runs inside the write transaction of the
// change, so the events are stored exactly when the change is: it must only
// compute, never use the database.
type EventsFunc func(Change) ([]model.OutboxEvent, error)

// EventHook is what SetEvents installs: Events makes the events of a change;
// Wants (if set) says cheaply whether a change of that type would make any,
// so a write does not read what it does not need; Queued (if set) is called
// after a transaction that queued events has committed, to wake a deliverer.
type EventHook struct {
	Events EventsFunc
	Wants  func(event string) bool
	Queued func()
}

// events holds the installed hook.
type events struct {
	mu   sync.RWMutex
	hook EventHook
}

// SetEvents installs h for every later change.
func (db *DB) SetEvents(h EventHook) {
	db.events.mu.Lock()
	db.events.hook = h
	db.events.mu.Unlock()
}

func (db *DB) eventHook() EventHook {
	db.events.mu.RLock()
	defer db.events.mu.RUnlock()
	return db.events.hook
}

// wantsEvents reports whether changes of type event may queue events.
func (db *DB) wantsEvents(event string) bool {
	h := db.eventHook()
	return h.Events != nil && (h.Wants == nil || h.Wants(event))
}

// queueEvents stores the events fn makes of c inside tx and reports how many.
func (db *DB) queueEvents(tx *bolt.Tx, c Change) (int, error) {
	fn := db.eventHook().Events
	if fn == nil {
		return 0, nil
	}
	evs, err := fn(c)
	if err != nil {
		return 0, fmt.Errorf("webhook events for %s: %w", c.Event, err)
	}
	for _, e := range evs {
		if err := putOutbox(tx, e); err != nil {
			return 0, err
		}
	}
	return len(evs), nil
}

// eventsQueued wakes the deliverer after a transaction that queued n
// events ended with err (nil: committed).
func (db *DB) eventsQueued(n int, err error) {
	if n == 0 || err != nil {
		return
	}
	if queued := db.eventHook().Queued; queued != nil {
		queued()
	}
}

func outboxKey(at time.Time, id string) []byte {
	return append(binary.BigEndian.AppendUint64(nil, uint64(at.UnixMilli())), id...)
}

func putOutbox(tx *bolt.Tx, e model.OutboxEvent) error {
	return putJSON(tx.Bucket(bucketOutbox), outboxKey(e.NextAt, e.ID), e)
}

// QueueEvent stores one event for delivery (the owner's test ping).
func (db *DB) QueueEvent(e model.OutboxEvent) error {
	err := db.bolt.Update(func(tx *bolt.Tx) error { return putOutbox(tx, e) })
	db.eventsQueued(1, err)
	return err
}

// DueEvents returns up to max events due at now, the longest due first, and
// when the next one after them is due (zero when none is waiting).
func (db *DB) DueEvents(now time.Time, max int) ([]model.OutboxEvent, time.Time, error) {
	var out []model.OutboxEvent
	var next time.Time
	limit := outboxKey(now, "\xff")
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketOutbox).Cursor()
		for k, v := c.First(); k != nil; k, v = c.Next() {
			if len(out) == max || bytes.Compare(k, limit) > 0 {
				if len(k) >= 8 {
					next = time.UnixMilli(int64(binary.BigEndian.Uint64(k[:8])))
				}
				return nil
			}
			var e model.OutboxEvent
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode outbox event %x: %w", k, err)
			}
			out = append(out, e)
		}
		return nil
	})
	return out, next, err
}

// EventDelivered removes a delivered event and records the success.
func (db *DB) EventDelivered(e model.OutboxEvent, at time.Time) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if err := tx.Bucket(bucketOutbox).Delete(outboxKey(e.NextAt, e.ID)); err != nil {
			return err
		}
		return updateStatus(tx, func(s *model.WebhookStatus) { t := at.UTC(); s.LastDeliveredAt = &t })
	})
}

// EventFailed records a failed attempt at event e (as DueEvents returned it)
// and schedules its next one at next. An event erased or dropped meanwhile
// stays gone.
func (db *DB) EventFailed(e model.OutboxEvent, next time.Time, failure string, at time.Time) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		old := outboxKey(e.NextAt, e.ID)
		if b.Get(old) != nil {
			if err := b.Delete(old); err != nil {
				return err
			}
			e.Attempts++
			e.NextAt = next
			if err := putOutbox(tx, e); err != nil {
				return err
			}
		}
		return updateStatus(tx, func(s *model.WebhookStatus) { t := at.UTC(); s.LastFailedAt, s.LastFailure = &t, failure })
	})
}

// EventDropped removes an event given up on after a failed attempt, and counts it.
func (db *DB) EventDropped(e model.OutboxEvent, failure string, at time.Time) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		old := outboxKey(e.NextAt, e.ID)
		gone := b.Get(old) == nil
		if err := b.Delete(old); err != nil {
			return err
		}
		return updateStatus(tx, func(s *model.WebhookStatus) {
			t := at.UTC()
			s.LastFailedAt, s.LastFailure = &t, failure
			if !gone {
				s.Dropped++
			}
		})
	})
}

// EventUnwanted removes an event the webhook no longer takes (its type was
// switched off since it was queued); nothing is counted.
func (db *DB) EventUnwanted(e model.OutboxEvent) error {
	return db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketOutbox).Delete(outboxKey(e.NextAt, e.ID)) })
}

// OutboxDueAt makes every waiting event due at t (the receiver is back:
// a test delivery went through) and returns how many there are.
func (db *DB) OutboxDueAt(t time.Time) (int, error) {
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketOutbox)
		var evs []model.OutboxEvent
		var keys [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var e model.OutboxEvent
			if err := json.Unmarshal(v, &e); err != nil {
				return fmt.Errorf("decode outbox event %x: %w", k, err)
			}
			if e.NextAt.After(t) {
				keys = append(keys, bytes.Clone(k))
				evs = append(evs, e)
			}
			n++
			return nil
		})
		if err != nil {
			return err
		}
		if err := deleteKeys(b, keys); err != nil {
			return err
		}
		for _, e := range evs {
			e.NextAt = t
			if err := putOutbox(tx, e); err != nil {
				return err
			}
		}
		return nil
	})
	db.eventsQueued(n, err)
	return n, err
}

// CountOutbox returns how many events wait for delivery.
func (db *DB) CountOutbox() (int, error) { return db.countKeys(bucketOutbox) }

// Webhook returns the owner's webhook settings; the zero value when none are saved.
func (db *DB) Webhook() (model.Webhook, error) {
	var w model.Webhook
	err := db.bolt.View(func(tx *bolt.Tx) error { return getRecord(tx.Bucket(bucketWebhook), keyWebhookConfig, &w) })
	return w, err
}

// WebhookStatus returns how delivery has gone lately and how many events wait.
func (db *DB) WebhookStatus() (model.WebhookStatus, int, error) {
	var s model.WebhookStatus
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketOutbox).Stats().KeyN
		return getRecord(tx.Bucket(bucketWebhook), keyWebhookStatus, &s)
	})
	return s, n, err
}

// UpdateWebhook applies fn to the stored settings and saves them; when fn
// reports drop, the undelivered events are deleted in the same transaction
// (the webhook was removed, or its receiver said it is gone) and the
// delivery status starts afresh.
func (db *DB) UpdateWebhook(fn func(w *model.Webhook) (drop bool, err error)) (model.Webhook, error) {
	var out model.Webhook
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketWebhook)
		var w model.Webhook
		if err := getRecord(b, keyWebhookConfig, &w); err != nil {
			return err
		}
		drop, err := fn(&w)
		if err != nil {
			return err
		}
		if drop {
			if err := tx.DeleteBucket(bucketOutbox); err != nil {
				return err
			}
			if _, err := tx.CreateBucket(bucketOutbox); err != nil {
				return err
			}
			if err := b.Delete(keyWebhookStatus); err != nil {
				return err
			}
		}
		out = w
		return putJSON(b, keyWebhookConfig, w)
	})
	return out, err
}

// purgeEventsOf deletes the undelivered events about the plan with token
// (its erasure: nothing more about it leaves the studio but the erasure).
// The outbox is short, so this scans it.
func purgeEventsOf(tx *bolt.Tx, token string) error {
	b := tx.Bucket(bucketOutbox)
	var keys [][]byte
	err := b.ForEach(func(k, v []byte) error {
		var e struct {
			Plan string `json:"plan"`
		}
		if err := json.Unmarshal(v, &e); err != nil {
			return fmt.Errorf("decode outbox event %x: %w", k, err)
		}
		if e.Plan == token {
			keys = append(keys, bytes.Clone(k))
		}
		return nil
	})
	if err != nil {
		return err
	}
	return deleteKeys(b, keys)
}

func updateStatus(tx *bolt.Tx, fn func(*model.WebhookStatus)) error {
	b := tx.Bucket(bucketWebhook)
	var s model.WebhookStatus
	if err := getRecord(b, keyWebhookStatus, &s); err != nil {
		return err
	}
	fn(&s)
	return putJSON(b, keyWebhookStatus, s)
}

// getRecord decodes the record under key into v; a missing key leaves v alone.
func getRecord(b *bolt.Bucket, key []byte, v any) error {
	if err := getJSON(b, key, v); err != nil && !errors.Is(err, ErrNotFound) {
		return fmt.Errorf("decode %s: %w", key, err)
	}
	return nil
}
