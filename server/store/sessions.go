package store

import (
	"bytes"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// sessions: sha256(session secret) -> session JSON. A stolen database file holds no usable cookie.
var bucketSessions = []byte("sessions")

// PutSession stores (or refreshes) the session for secret.
func (db *DB) PutSession(secret string, s model.Session) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Put(hashSecret(secret), data)
	})
}

// Session returns the session for secret or ErrNotFound.
func (db *DB) Session(secret string) (model.Session, error) {
	var s model.Session
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketSessions).Get(hashSecret(secret))
		if v == nil {
			return ErrNotFound
		}
		return json.Unmarshal(v, &s)
	})
	return s, err
}

// DeleteSession ends one session; a missing one is not an error.
func (db *DB) DeleteSession(secret string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketSessions).Delete(hashSecret(secret))
	})
}

// DeleteSessions removes every session of therapistID (except the one for keepSecret,
// if not empty) and every session that matches expired. It returns how many went.
func (db *DB) DeleteSessions(therapistID, keepSecret string, expired func(model.Session) bool) (int, error) {
	var keep []byte
	if keepSecret != "" {
		keep = hashSecret(keepSecret)
	}
	n := 0
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketSessions)
		var keys [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var s model.Session
			if json.Unmarshal(v, &s) != nil {
				keys = append(keys, bytes.Clone(k))
				return nil
			}
			if (therapistID != "" && s.TherapistID == therapistID && !bytes.Equal(k, keep)) || (expired != nil && expired(s)) {
				keys = append(keys, bytes.Clone(k))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, k := range keys {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		n = len(keys)
		return nil
	})
	return n, err
}

// UpdateTherapist applies fn to the stored account and saves it; the e-mail address cannot change.
func (db *DB) UpdateTherapist(id string, fn func(*model.Therapist) error) (model.Therapist, error) {
	var out model.Therapist
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		t, err := getTherapist(tx, id)
		if err != nil {
			return err
		}
		email := t.Email
		if err := fn(&t); err != nil {
			return err
		}
		t.ID, t.Email = id, email
		data, err := json.Marshal(t)
		if err != nil {
			return err
		}
		out = t
		return tx.Bucket(bucketTherapists).Put([]byte(id), data)
	})
	return out, err
}

// touchInterval limits LastSeen writes to one per minute per session.
const touchInterval = time.Minute

// TouchSession refreshes LastSeen when it is older than a minute.
func (db *DB) TouchSession(secret string, s model.Session, now time.Time) error {
	if now.Sub(s.LastSeen) < touchInterval {
		return nil
	}
	s.LastSeen = now.UTC()
	return db.PutSession(secret, s)
}
