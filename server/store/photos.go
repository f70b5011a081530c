package store

import (
	"bytes"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// photos: file name ("<sha256>.jpg") -> the re-encoded picture's bytes.
// photoMeta: file name -> photoMeta JSON (who uploaded it, when, whether a plan shows it).
var (
	bucketPhotos    = []byte("photos")
	bucketPhotoMeta = []byte("photo_meta")
)

// ErrPhotoMissing is a stretch naming a photo that is not stored.
var ErrPhotoMissing = model.InvalidField("photo", "no such uploaded photo: upload it again")

// MaxLoosePhotos is how many photos one therapist may keep that no stretch
// uses and no plan shows (uploaded and not yet saved with a stretch, or
// replaced); the oldest beyond it are deleted at the next upload.
const MaxLoosePhotos = 10

type photoMeta struct {
	Owner      string    `json:"owner"`
	UploadedAt time.Time `json:"uploadedAt"`
	// Pinned: a plan shows it (a snapshot of the stretch it was on), so it is kept for good.
	Pinned bool `json:"pinned,omitempty"`
}

// PutPhoto stores a re-encoded picture under its file name for owner, then
// deletes owner's loose photos beyond MaxLoosePhotos, oldest first; the one
// just stored is kept. Storing the same picture again only refreshes its time.
func (db *DB) PutPhoto(name string, data []byte, owner string, now time.Time) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		photos, metas := tx.Bucket(bucketPhotos), tx.Bucket(bucketPhotoMeta)
		m := photoMeta{Owner: owner}
		if err := getJSON(metas, []byte(name), &m); err != nil && err != ErrNotFound {
			return err
		}
		m.UploadedAt = now.UTC()
		if err := photos.Put([]byte(name), data); err != nil {
			return err
		}
		if err := putJSON(metas, []byte(name), m); err != nil {
			return err
		}
		return pruneLoosePhotos(tx, owner, name)
	})
}

// pruneLoosePhotos deletes owner's photos that no stretch uses and no plan
// shows, beyond the newest MaxLoosePhotos; keep is never deleted.
func pruneLoosePhotos(tx *bolt.Tx, owner, keep string) error {
	used := map[string]bool{}
	if err := eachJSON(tx.Bucket(bucketCustomStretches), func(s model.CustomStretch) { used[s.Photo] = true }); err != nil {
		return err
	}
	type loose struct {
		name string
		at   time.Time
	}
	var list []loose
	metas := tx.Bucket(bucketPhotoMeta)
	err := metas.ForEach(func(k, v []byte) error {
		var m photoMeta
		if err := getJSON(metas, k, &m); err != nil {
			return err
		}
		if m.Owner == owner && !m.Pinned && !used[string(k)] && string(k) != keep {
			list = append(list, loose{string(k), m.UploadedAt})
		}
		return nil
	})
	if err != nil || len(list) < MaxLoosePhotos {
		return err
	}
	slices.SortFunc(list, func(a, b loose) int { return b.at.Compare(a.at) })
	for _, l := range list[MaxLoosePhotos-1:] { // keep counts as one of them
		if err := tx.Bucket(bucketPhotos).Delete([]byte(l.name)); err != nil {
			return err
		}
		if err := metas.Delete([]byte(l.name)); err != nil {
			return err
		}
	}
	return nil
}

// Photo returns a stored picture's bytes.
func (db *DB) Photo(name string) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketPhotos).Get([]byte(name))
		if v == nil {
			return ErrNotFound
		}
		out = bytes.Clone(v)
		return nil
	})
	return out, err
}

// PinPhotos keeps the named photos for good: a plan shows them. Names not stored are skipped.
func (db *DB) PinPhotos(names []string) error {
	if len(names) == 0 {
		return nil
	}
	return db.bolt.Update(func(tx *bolt.Tx) error {
		metas := tx.Bucket(bucketPhotoMeta)
		for _, n := range names {
			var m photoMeta
			if err := getJSON(metas, []byte(n), &m); err == ErrNotFound {
				continue
			} else if err != nil {
				return err
			}
			if m.Pinned {
				continue
			}
			m.Pinned = true
			if err := putJSON(metas, []byte(n), m); err != nil {
				return err
			}
		}
		return nil
	})
}
