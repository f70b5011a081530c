package store

import (
	"encoding/json"
	"sort"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

var (
	// invites: sha256(invite secret) -> invite JSON.
	bucketInvites = []byte("invites")
	// templates: therapistID 0x00 templateID -> own template JSON.
	bucketTemplates = []byte("own_templates")
)

// ErrInviteUsed is returned for an invite that expired, was used, or (setup) came after the first account.
var ErrInviteUsed = model.GoneError("this invitation link has expired or was already used")

// AddInvite stores a one-time invite. A new setup invite replaces any earlier one,
// so only the link printed last works.
func (db *DB) AddInvite(secret string, inv model.Invite) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		if inv.Kind == model.InviteSetup {
			old, _ := keysWhere(b, func(i model.Invite) bool { return i.Kind == model.InviteSetup })
			if err := deleteKeys(b, old); err != nil {
				return err
			}
		}
		return putJSON(b, hashSecret(secret), inv)
	})
}

// Invite returns a still valid invite for secret, or ErrInviteUsed.
func (db *DB) Invite(secret string, now time.Time) (model.Invite, error) {
	var inv model.Invite
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var err error
		inv, err = validInvite(tx, secret, now)
		return err
	})
	return inv, err
}

func validInvite(tx *bolt.Tx, secret string, now time.Time) (model.Invite, error) {
	var inv model.Invite
	v := tx.Bucket(bucketInvites).Get(hashSecret(secret))
	if v == nil {
		return inv, ErrInviteUsed
	}
	if err := json.Unmarshal(v, &inv); err != nil {
		return inv, err
	}
	if !now.Before(inv.ExpiresAt) {
		return inv, ErrInviteUsed
	}
	if inv.Kind == model.InviteSetup && tx.Bucket(bucketTherapists).Stats().KeyN > 0 {
		return inv, ErrInviteUsed
	}
	return inv, nil
}

// AcceptInvite creates account t from the invite for secret and deletes the invite,
// in one transaction: a link creates exactly one account. A setup invite makes the owner.
func (db *DB) AcceptInvite(secret string, now time.Time, t model.Therapist) (model.Therapist, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		inv, err := validInvite(tx, secret, now)
		if err != nil {
			return err
		}
		emails := tx.Bucket(bucketTherapistEmails)
		key := []byte(strings.ToLower(t.Email))
		if emails.Get(key) != nil {
			return ErrExists
		}
		t.Owner = inv.Kind == model.InviteSetup
		if err := putJSON(tx.Bucket(bucketTherapists), []byte(t.ID), t); err != nil {
			return err
		}
		if err := emails.Put(key, []byte(t.ID)); err != nil {
			return err
		}
		return tx.Bucket(bucketInvites).Delete(hashSecret(secret))
	})
	return t, err
}

// PendingInvites lists the therapist invitations still valid at now, oldest first.
// Setup links are not listed: they stop working once the owner exists.
func (db *DB) PendingInvites(now time.Time) ([]model.Invite, error) {
	out := []model.Invite{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eachJSON(tx.Bucket(bucketInvites), func(inv model.Invite) {
			if inv.Kind == model.InviteTherapist && now.Before(inv.ExpiresAt) {
				out = append(out, inv)
			}
		})
	})
	sort.Slice(out, func(i, j int) bool {
		if !out[i].CreatedAt.Equal(out[j].CreatedAt) {
			return out[i].CreatedAt.Before(out[j].CreatedAt)
		}
		return out[i].ID < out[j].ID
	})
	return out, err
}

// DeleteInvite cancels the therapist invitation with id, so its link stops working
// (ErrNotFound if there is none).
func (db *DB) DeleteInvite(id string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketInvites)
		keys, err := keysWhere(b, func(inv model.Invite) bool { return inv.Kind == model.InviteTherapist && inv.ID == id })
		if err != nil {
			return err
		}
		if len(keys) == 0 || id == "" {
			return ErrNotFound
		}
		return deleteKeys(b, keys)
	})
}

// PutTemplate stores a therapist's own template.
func (db *DB) PutTemplate(t model.Template) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		return putJSON(tx.Bucket(bucketTemplates), join(t.TherapistID, t.ID), t)
	})
}

// Templates lists a therapist's own templates, oldest first.
func (db *DB) Templates(therapistID string) ([]model.Template, error) {
	return listJSON[model.Template](db.bolt, bucketTemplates, therapistID)
}

// DeleteTemplate removes one of therapistID's templates (ErrNotFound if it is not theirs).
func (db *DB) DeleteTemplate(therapistID, id string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketTemplates)
		k := join(therapistID, id)
		if b.Get(k) == nil {
			return ErrNotFound
		}
		return b.Delete(k)
	})
}
