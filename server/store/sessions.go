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
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketSessions), hashSecret(secret), s)
	})
}

// Session returns the session for secret or ErrNotFound.
func (db *DB) Session(secret string) (model.Session, error) {
	var s model.Session
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketSessions), hashSecret(secret), &s)
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
		if err := deleteKeys(b, keys); err != nil {
			return err
		}
		n = len(keys)
		return nil
	})
	return n, err
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
