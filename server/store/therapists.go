package store

import (
	"crypto/sha256"
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
		if err := putJSON(tx.Bucket(bucketTherapists), []byte(t.ID), t); err != nil {
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
		return eachJSON(tx.Bucket(bucketTherapists), func(t model.Therapist) { out = append(out, t) })
	})
	return out, err
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
		if err := putJSON(tx.Bucket(bucketTherapists), []byte(id), t); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

func getTherapist(tx *bolt.Tx, id string) (model.Therapist, error) {
	var t model.Therapist
	err := getJSON(tx.Bucket(bucketTherapists), []byte(id), &t)
	return t, err
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

// AddAPIToken stores the hash of secret for the token's therapist.
func (db *DB) AddAPIToken(secret string, t model.APIToken) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketAPITokens), hashSecret(secret), t)
	})
}

// TherapistByAPIToken resolves a presented secret to an enabled account.
func (db *DB) TherapistByAPIToken(secret string) (model.Therapist, error) {
	var t model.Therapist
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var tok model.APIToken
		if err := getJSON(tx.Bucket(bucketAPITokens), hashSecret(secret), &tok); err != nil {
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
		return eachJSON(tx.Bucket(bucketAPITokens), func(tok model.APIToken) {
			if tok.TherapistID == therapistID {
				out = append(out, tok)
			}
		})
	})
	return out, err
}

// RevokeAPIToken deletes the token with id belonging to therapistID.
func (db *DB) RevokeAPIToken(therapistID, id string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketAPITokens)
		hits, err := keysWhere(b, func(tok model.APIToken) bool { return tok.ID == id && tok.TherapistID == therapistID })
		if err != nil {
			return err
		}
		if len(hits) == 0 {
			return ErrNotFound
		}
		return deleteKeys(b, hits)
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
		if err := putJSON(tx.Bucket(bucketTherapists), []byte(id), t); err != nil {
			return err
		}
		out = t
		return nil
	})
	return out, err
}

// credential is what API tokens and sessions have in common: their account.
type credential struct {
	TherapistID string `json:"therapistId"`
}

// deleteCredentials deletes every API token and session of therapistID.
func deleteCredentials(tx *bolt.Tx, therapistID string) error {
	for _, bucket := range [][]byte{bucketAPITokens, bucketSessions} {
		b := tx.Bucket(bucket)
		keys, err := keysWhere(b, func(o credential) bool { return o.TherapistID == therapistID })
		if err != nil {
			return err
		}
		if err := deleteKeys(b, keys); err != nil {
			return err
		}
	}
	return nil
}
