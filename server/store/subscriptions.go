package store

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// TherapistOwner is the subscription owner key for a therapist's alert devices.
func TherapistOwner(therapistID string) string { return therapistOwnerPrefix + therapistID }

const therapistOwnerPrefix = "t:"

// PutSubscription upserts a device for owner (a plan token or TherapistOwner),
// keyed by (owner, endpoint): one phone can get the reminders of several plans
// (a returning client) and a therapist's alerts at once. It reports whether the
// pair was new. Beyond model.MaxDevices per owner, the least recently seen device
// is dropped. A plan's device is stored only if the plan still exists when the
// write commits (ErrNotFound otherwise): an erasure racing the subscribe leaves
// nothing behind. A device marked NeedsResubscribe keeps the mark while the same
// keys come back (the same refused subscription); new keys clear it.
func (db *DB) PutSubscription(owner string, s model.Subscription) (bool, error) {
	created := false
	defer db.cache.invalidate(owner)
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		created = false
		if !strings.HasPrefix(owner, therapistOwnerPrefix) && tx.Bucket(bucketPlans).Get([]byte(owner)) == nil {
			return ErrNotFound
		}
		subs := tx.Bucket(bucketSubs)
		ek := endpointKey(s.Endpoint)
		var old model.Subscription
		if v := subs.Get(subKey(owner, ek)); v != nil && json.Unmarshal(v, &old) == nil {
			s.CreatedAt = old.CreatedAt
			s.NeedsResubscribe = s.NeedsResubscribe || old.NeedsResubscribe && old.P256dh == s.P256dh && old.Auth == s.Auth
		} else {
			created = true
			s.CreatedAt = s.LastSeen
		}
		if err := putJSON(subs, subKey(owner, ek), s); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Put(ownerKey(ek, owner), nil); err != nil {
			return err
		}
		return capDevices(tx, owner)
	})
	return created, err
}

// ownerKey is the subsByEndpoint key: the fixed-size endpoint hash, then the owner.
func ownerKey(ek []byte, owner string) []byte {
	return append(bytes.Clone(ek), owner...)
}

func subKey(owner string, ek []byte) []byte {
	return append(prefix(owner), ek...)
}

func capDevices(tx *bolt.Tx, owner string) error {
	list, keys := listSubs(tx, owner)
	if len(list) <= model.MaxDevices {
		return nil
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return list[idx[a]].LastSeen.Before(list[idx[b]].LastSeen) })
	for _, i := range idx[:len(list)-model.MaxDevices] {
		if err := tx.Bucket(bucketSubs).Delete(keys[i]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Delete(ownerKey(endpointKey(list[i].Endpoint), owner)); err != nil {
			return err
		}
	}
	return nil
}

func listSubs(tx *bolt.Tx, owner string) ([]model.Subscription, [][]byte) {
	var out []model.Subscription
	var keys [][]byte
	pre := prefix(owner)
	c := tx.Bucket(bucketSubs).Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		var s model.Subscription
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
			keys = append(keys, bytes.Clone(k))
		}
	}
	return out, keys
}

// Subscriptions returns all devices of owner.
func (db *DB) Subscriptions(owner string) ([]model.Subscription, error) {
	var out []model.Subscription
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out, _ = listSubs(tx, owner)
		return nil
	})
	if out == nil {
		out = []model.Subscription{}
	}
	return out, err
}

// Subscription returns owner's device with endpoint (ErrNotFound if it has none).
func (db *DB) Subscription(owner, endpoint string) (model.Subscription, error) {
	var s model.Subscription
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketSubs), subKey(owner, endpointKey(endpoint)), &s)
	})
	return s, err
}

// MarkNeedsResubscribe marks the endpoints' devices, for every owner, as
// refused by their push service, in one transaction; the app subscribes
// again when it next re-syncs.
func (db *DB) MarkNeedsResubscribe(endpoints ...string) error {
	if len(endpoints) == 0 {
		return nil
	}
	var touched []string
	defer func() { db.cache.invalidate(touched...) }()
	return db.bolt.Update(func(tx *bolt.Tx) error {
		touched = touched[:0]
		subs := tx.Bucket(bucketSubs)
		for _, endpoint := range endpoints {
			if err := markRefused(tx, subs, endpointKey(endpoint), &touched); err != nil {
				return err
			}
		}
		return nil
	})
}

// markRefused marks every owner's device with endpoint key ek and adds the owners to touched.
func markRefused(tx *bolt.Tx, subs *bolt.Bucket, ek []byte, touched *[]string) error {
	owners := endpointOwners(tx, ek)
	*touched = append(*touched, owners...)
	for _, owner := range owners {
		k := subKey(owner, ek)
		var s model.Subscription
		if v := subs.Get(k); v == nil || json.Unmarshal(v, &s) != nil || s.NeedsResubscribe {
			continue
		}
		s.NeedsResubscribe = true
		if err := putJSON(subs, k, s); err != nil {
			return err
		}
	}
	return nil
}

func endpointOwners(tx *bolt.Tx, ek []byte) []string {
	var owners []string
	c := tx.Bucket(bucketSubsByEndpoint).Cursor()
	for k, _ := c.Seek(ek); k != nil && bytes.HasPrefix(k, ek); k, _ = c.Next() {
		owners = append(owners, string(k[len(ek):]))
	}
	return owners
}

// DeleteSubscription removes owner's device with endpoint (ErrNotFound if it has none).
func (db *DB) DeleteSubscription(owner, endpoint string) error {
	defer db.cache.invalidate(owner)
	return db.bolt.Update(func(tx *bolt.Tx) error {
		ek := endpointKey(endpoint)
		subs := tx.Bucket(bucketSubs)
		if subs.Get(subKey(owner, ek)) == nil {
			return ErrNotFound
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Delete(ownerKey(ek, owner)); err != nil {
			return err
		}
		return subs.Delete(subKey(owner, ek))
	})
}

// DeleteEndpoint removes an endpoint from every owner (the push service said it is gone).
func (db *DB) DeleteEndpoint(endpoint string) error {
	var touched []string
	defer func() { db.cache.invalidate(touched...) }()
	return db.bolt.Update(func(tx *bolt.Tx) error {
		ek := endpointKey(endpoint)
		touched = endpointOwners(tx, ek)
		for _, owner := range touched {
			if err := tx.Bucket(bucketSubsByEndpoint).Delete(ownerKey(ek, owner)); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSubs).Delete(subKey(owner, ek)); err != nil {
				return err
			}
		}
		return nil
	})
}

// CountSubscriptions returns the number of stored devices.
func (db *DB) CountSubscriptions() (int, error) { return db.countKeys(bucketSubs) }

func deleteSubsOf(tx *bolt.Tx, owner string) error {
	list, keys := listSubs(tx, owner)
	for i, s := range list {
		if err := tx.Bucket(bucketSubs).Delete(keys[i]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Delete(ownerKey(endpointKey(s.Endpoint), owner)); err != nil {
			return err
		}
	}
	return nil
}

// pruneAfterLastReminder keeps a plan's devices a week past its last possible
// reminder (the client may still open the plan to look back). Therapist alert
// devices are never pruned by age: nothing refreshes them between alerts, and a
// dead one is removed when its push service answers 404/410.
const pruneAfterLastReminder = 7 * 24 * time.Hour

// PruneSubscriptions deletes the devices of plans that will never send again
// (erased, ended, or a week past their last reminder) and returns how many
// went. It reads every subscription, pruneChunk at a time, each chunk in a
// transaction of its own, and gives back the file pages each chunk mapped
// (ReleaseMapped), so 100,000 devices never sit in memory at once: run it
// daily, not per tick.
func (db *DB) PruneSubscriptions(now time.Time) (int, error) {
	total := 0
	var after []byte
	for {
		n, last, err := db.pruneChunk(now, after)
		total += n
		if err != nil || last == nil {
			return total, err
		}
		after = last
		if err := db.ReleaseMapped(); err != nil {
			return total, err
		}
	}
}

// pruneChunk is one transaction of PruneSubscriptions: up to pruneChunk
// devices after the key after (nil: from the first). It returns the last key
// it read, or nil when it read to the end.
func (db *DB) pruneChunk(now time.Time, after []byte) (int, []byte, error) {
	n := 0
	var last []byte
	var touched []string
	defer func() { db.cache.invalidate(touched...) }()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		n, last, touched = 0, nil, nil
		done := map[string]bool{}
		var stale [][]byte
		var owners []string
		var prevKey []byte
		c := tx.Bucket(bucketSubs).Cursor()
		k, _ := c.First()
		if after != nil {
			if k, _ = c.Seek(after); bytes.Equal(k, after) {
				k, _ = c.Next()
			}
		}
		count := 0
		for ; k != nil; k, _ = c.Next() {
			if count == pruneChunk {
				last = bytes.Clone(prevKey) // more to read: resume after the last key read
				break
			}
			count++
			prevKey = k
			i := bytes.IndexByte(k, 0)
			if i < 0 || bytes.HasPrefix(k, []byte(therapistOwnerPrefix)) {
				continue
			}
			owner := string(k[:i])
			over, seen := done[owner]
			if !seen {
				p, err := getPlan(tx, owner)
				over = err != nil || now.Sub(p.RemindersUntil()) > pruneAfterLastReminder
				done[owner] = over
			}
			if over {
				stale = append(stale, bytes.Clone(k))
				owners = append(owners, owner)
			}
		}
		for i, k := range stale {
			ek := k[len(owners[i])+1:]
			if err := tx.Bucket(bucketSubsByEndpoint).Delete(ownerKey(ek, owners[i])); err != nil {
				return err
			}
			if err := tx.Bucket(bucketSubs).Delete(k); err != nil {
				return err
			}
			n++
		}
		touched = owners
		return nil
	})
	return n, last, err
}

// pruneChunk bounds the devices one pruning transaction reads (a variable for tests).
var pruneChunk = 5000
