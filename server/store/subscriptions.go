package store

import (
	"bytes"
	"encoding/json"
	"sort"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/plan"
)

// TherapistOwner is the subscription owner key for a therapist's alert devices.
func TherapistOwner(therapistID string) string { return "t:" + therapistID }

// PutSubscription upserts a device by endpoint for owner (a plan token or
// TherapistOwner). An endpoint moves to the new owner if it belonged to another.
// It reports whether the subscription was new. Beyond plan.MaxDevices, the least
// recently seen device is dropped.
func (db *DB) PutSubscription(owner string, s plan.Subscription) (bool, error) {
	created := false
	// Owners whose devices change; the func may run twice, so this only grows.
	touched := []string{owner}
	defer func() { db.cache.invalidate(touched...) }()
	err := db.bolt.Batch(func(tx *bolt.Tx) error {
		created = false
		subs := tx.Bucket(bucketSubs)
		byEP := tx.Bucket(bucketSubsByEndpoint)
		ek := endpointKey(s.Endpoint)
		if prev := byEP.Get(ek); prev != nil {
			prevOwner := string(prev)
			if prevOwner == owner {
				var old plan.Subscription
				if v := subs.Get(subKey(owner, ek)); v != nil && json.Unmarshal(v, &old) == nil {
					s.CreatedAt = old.CreatedAt
				}
			} else {
				touched = append(touched, prevOwner)
				if err := subs.Delete(subKey(prevOwner, ek)); err != nil {
					return err
				}
			}
		} else {
			created = true
		}
		if created || s.CreatedAt.IsZero() {
			s.CreatedAt = s.LastSeen
		}
		data, err := json.Marshal(s)
		if err != nil {
			return err
		}
		if err := subs.Put(subKey(owner, ek), data); err != nil {
			return err
		}
		if err := byEP.Put(ek, []byte(owner)); err != nil {
			return err
		}
		return capDevices(tx, owner)
	})
	return created, err
}

func subKey(owner string, ek []byte) []byte {
	return append(prefix(owner), ek...)
}

func capDevices(tx *bolt.Tx, owner string) error {
	list, keys := listSubs(tx, owner)
	if len(list) <= plan.MaxDevices {
		return nil
	}
	idx := make([]int, len(list))
	for i := range idx {
		idx[i] = i
	}
	sort.Slice(idx, func(a, b int) bool { return list[idx[a]].LastSeen.Before(list[idx[b]].LastSeen) })
	for _, i := range idx[:len(list)-plan.MaxDevices] {
		if err := tx.Bucket(bucketSubs).Delete(keys[i]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Delete(endpointKey(list[i].Endpoint)); err != nil {
			return err
		}
	}
	return nil
}

func listSubs(tx *bolt.Tx, owner string) ([]plan.Subscription, [][]byte) {
	var out []plan.Subscription
	var keys [][]byte
	pre := prefix(owner)
	c := tx.Bucket(bucketSubs).Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		var s plan.Subscription
		if json.Unmarshal(v, &s) == nil {
			out = append(out, s)
			keys = append(keys, bytes.Clone(k))
		}
	}
	return out, keys
}

// Subscriptions returns all devices of owner.
func (db *DB) Subscriptions(owner string) ([]plan.Subscription, error) {
	var out []plan.Subscription
	err := db.bolt.View(func(tx *bolt.Tx) error {
		out, _ = listSubs(tx, owner)
		return nil
	})
	if out == nil {
		out = []plan.Subscription{}
	}
	return out, err
}

// SubscriptionOwner returns who holds endpoint, or ErrNotFound.
func (db *DB) SubscriptionOwner(endpoint string) (string, error) {
	var owner string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSubsByEndpoint).Get(endpointKey(endpoint))
		if v == nil {
			return ErrNotFound
		}
		owner = string(v)
		return nil
	})
	return owner, err
}

// DeleteSubscription removes endpoint if owner holds it (ErrNotFound otherwise).
func (db *DB) DeleteSubscription(owner, endpoint string) error {
	defer db.cache.invalidate(owner)
	return db.bolt.Update(func(tx *bolt.Tx) error {
		ek := endpointKey(endpoint)
		byEP := tx.Bucket(bucketSubsByEndpoint)
		if string(byEP.Get(ek)) != owner {
			return ErrNotFound
		}
		if err := byEP.Delete(ek); err != nil {
			return err
		}
		return tx.Bucket(bucketSubs).Delete(subKey(owner, ek))
	})
}

// DeleteEndpoint removes an endpoint whoever holds it (the push service said it is gone).
func (db *DB) DeleteEndpoint(endpoint string) error {
	var touched []string
	defer func() { db.cache.invalidate(touched...) }()
	return db.bolt.Update(func(tx *bolt.Tx) error {
		ek := endpointKey(endpoint)
		byEP := tx.Bucket(bucketSubsByEndpoint)
		owner := byEP.Get(ek)
		if owner == nil {
			return nil
		}
		touched = append(touched, string(owner))
		k := subKey(string(owner), ek)
		if err := byEP.Delete(ek); err != nil {
			return err
		}
		return tx.Bucket(bucketSubs).Delete(k)
	})
}

// CountSubscriptions returns the number of stored devices.
func (db *DB) CountSubscriptions() (int, error) {
	n := 0
	err := db.bolt.View(func(tx *bolt.Tx) error {
		n = tx.Bucket(bucketSubs).Stats().KeyN
		return nil
	})
	return n, err
}

func deleteSubsOf(tx *bolt.Tx, owner string) error {
	list, keys := listSubs(tx, owner)
	for i, s := range list {
		if err := tx.Bucket(bucketSubs).Delete(keys[i]); err != nil {
			return err
		}
		if err := tx.Bucket(bucketSubsByEndpoint).Delete(endpointKey(s.Endpoint)); err != nil {
			return err
		}
	}
	return nil
}
