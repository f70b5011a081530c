package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// customStretches: id -> model.CustomStretch JSON. A studio has one list: a
// few hundred stretches at most, so listing reads them all.
var bucketCustomStretches = []byte("custom_stretches")

// ErrCustomLimit refuses a new stretch from a therapist who has the most allowed.
var ErrCustomLimit = &model.Error{Code: model.Conflict, Field: "", Message: "you have the most own stretches allowed: retire none, but edit one you no longer use"}

// PutCustomStretch stores a therapist's own stretch, new or changed. Its
// photo, when it names one, must be stored (ErrPhotoMissing otherwise). A new
// stretch is refused with ErrCustomLimit when its author already has limit.
func (db *DB) PutCustomStretch(s model.CustomStretch, limit int) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketCustomStretches)
		if s.Photo != "" && tx.Bucket(bucketPhotos).Get([]byte(s.Photo)) == nil {
			return ErrPhotoMissing
		}
		if b.Get([]byte(s.ID)) == nil {
			n := 0
			if err := eachJSON(b, func(o model.CustomStretch) {
				if o.TherapistID == s.TherapistID {
					n++
				}
			}); err != nil {
				return err
			}
			if n >= limit {
				return ErrCustomLimit
			}
		}
		return putJSON(b, []byte(s.ID), s)
	})
}

// CustomStretch returns the therapist's stretch with id.
func (db *DB) CustomStretch(id string) (model.CustomStretch, error) {
	var s model.CustomStretch
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketCustomStretches), []byte(id), &s)
	})
	return s, err
}

// CustomStretches lists every therapist's own stretch in the studio, by id.
func (db *DB) CustomStretches() ([]model.CustomStretch, error) {
	out := []model.CustomStretch{}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return eachJSON(tx.Bucket(bucketCustomStretches), func(s model.CustomStretch) { out = append(out, s) })
	})
	return out, err
}
