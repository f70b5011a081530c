package store

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"strings"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// CreateTherapist stores an account; the first one ever created becomes the studio owner.
func (db *DB) CreateTherapist(t model.Therapist) (model.Therapist, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		emails := tx.Bucket(bucketTherapistEmails)
		key := []byte(strings.ToLower(t.Email))
		if emails.Get(key) != nil {
			return ErrExists
		}
		if tx.Bucket(bucketTherapists).Stats().KeyN == 0 {
			t.Owner = true
		}
		data, err := json.Marshal(t)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketTherapists).Put([]byte(t.ID), data); err != nil {
			return err
		}
		return emails.Put(key, []byte(t.ID))
	})
	return t, err
}

// TherapistByEmail looks an account up case-insensitively.
func (db *DB) TherapistByEmail(email string) (model.Therapist, error) {
	var t model.Therapist
	err := db.bolt.View(func(tx *bolt.Tx) error {
		id := tx.Bucket(bucketTherapistEmails).Get([]byte(strings.ToLower(email)))
		if id == nil {
			return ErrNotFound
		}
		var err error
		t, err = getTherapist(tx, string(id))
		return err
	})
	return t, err
}

// Therapist returns the account with id.
func (db *DB) Therapist(id string) (model.Therapist, error) {
	var t model.Therapist
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		t, err = getTherapist(tx, id)
		return err
	})
	return t, err
}

// Therapists lists all accounts.
func (db *DB) Therapists() ([]model.Therapist, error) {
	var out []model.Therapist
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketTherapists).ForEach(func(_, v []byte) error {
			var t model.Therapist
			if err := json.Unmarshal(v, &t); err != nil {
				return err
			}
			out = append(out, t)
			return nil
		})
	})
	return out, err
}

func getTherapist(tx *bolt.Tx, id string) (model.Therapist, error) {
	var t model.Therapist
	v := tx.Bucket(bucketTherapists).Get([]byte(id))
	if v == nil {
		return t, ErrNotFound
	}
	err := json.Unmarshal(v, &t)
	return t, err
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// AddAPIToken stores the hash of secret for the token's therapist.
func (db *DB) AddAPIToken(secret string, t model.APIToken) error {
	data, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAPITokens).Put(hashSecret(secret), data)
	})
}

// TherapistByAPIToken resolves a presented secret to an enabled account.
func (db *DB) TherapistByAPIToken(secret string) (model.Therapist, error) {
	var t model.Therapist
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketAPITokens).Get(hashSecret(secret))
		if v == nil {
			return ErrNotFound
		}
		var tok model.APIToken
		if err := json.Unmarshal(v, &tok); err != nil {
			return err
		}
		var err error
		t, err = getTherapist(tx, tok.TherapistID)
		if err == nil && t.Disabled {
			return ErrNotFound
		}
		return err
	})
	return t, err
}

// APITokens lists a therapist's tokens (metadata only).
func (db *DB) APITokens(therapistID string) ([]model.APIToken, error) {
	out := []model.APIToken{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAPITokens).ForEach(func(_, v []byte) error {
			var tok model.APIToken
			if err := json.Unmarshal(v, &tok); err != nil {
				return err
			}
			if tok.TherapistID == therapistID {
				out = append(out, tok)
			}
			return nil
		})
	})
	return out, err
}

// RevokeAPIToken deletes the token with id belonging to therapistID.
func (db *DB) RevokeAPIToken(therapistID, id string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAPITokens)
		var hit []byte
		err := b.ForEach(func(k, v []byte) error {
			var tok model.APIToken
			if json.Unmarshal(v, &tok) == nil && tok.ID == id && tok.TherapistID == therapistID {
				hit = bytes.Clone(k)
			}
			return nil
		})
		if err != nil {
			return err
		}
		if hit == nil {
			return ErrNotFound
		}
		return b.Delete(hit)
	})
}

// SetTherapistDisabled sets or clears id's disabled flag once allow (if not nil)
// approves the account. Whenever the account is or was disabled, the same
// transaction deletes its API tokens and browser sessions: disabling revokes
// them for good, and re-enabling revives none (nor any a disabled account kept
// from an older version).
func (db *DB) SetTherapistDisabled(id string, disabled bool, allow func(model.Therapist) error) (model.Therapist, error) {
	var out model.Therapist
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		t, err := getTherapist(tx, id)
		if err != nil {
			return err
		}
		if allow != nil {
			if err := allow(t); err != nil {
				return err
			}
		}
		if t.Disabled || disabled {
			if err := deleteCredentials(tx, id); err != nil {
				return err
			}
		}
		t.Disabled = disabled
		data, err := json.Marshal(t)
		if err != nil {
			return err
		}
		out = t
		return tx.Bucket(bucketTherapists).Put([]byte(id), data)
	})
	return out, err
}

// deleteCredentials deletes every API token and session of therapistID.
func deleteCredentials(tx *bolt.Tx, therapistID string) error {
	for _, bucket := range [][]byte{bucketAPITokens, bucketSessions} {
		b := tx.Bucket(bucket)
		var keys [][]byte
		err := b.ForEach(func(k, v []byte) error {
			var owner struct {
				TherapistID string `json:"therapistId"`
			}
			if json.Unmarshal(v, &owner) == nil && owner.TherapistID == therapistID {
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
	}
	return nil
}
