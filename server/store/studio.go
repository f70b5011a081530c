package store

import (
	"encoding/json"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/studio"
)

// bucketStudio holds the studio's identity: "settings" -> studio.Settings
// JSON, and the logo and its icons as PNG under their names ("logo.png",
// "icon-192.png", …).
var bucketStudio = []byte("studio")

var keyStudioSettings = []byte("settings")

// StudioSettings returns the stored settings; ok is false when the owner never saved any.
func (db *DB) StudioSettings() (s studio.Settings, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketStudio).Get(keyStudioSettings)
		if v == nil {
			return nil
		}
		ok = true
		return json.Unmarshal(v, &s)
	})
	return s, ok, err
}

// PutStudioSettings stores the settings, keeping the stored logo's version.
func (db *DB) PutStudioSettings(s studio.Settings) (studio.Settings, error) {
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStudio)
		var old studio.Settings
		if v := b.Get(keyStudioSettings); v != nil {
			if err := json.Unmarshal(v, &old); err != nil {
				return err
			}
		}
		s.Logo = old.Logo
		return putJSON(b, keyStudioSettings, s)
	})
	return s, err
}

// PutStudioLogo stores the logo and its icons and records its version in the
// settings (seeded with seed when none were saved); nil removes them.
func (db *DB) PutStudioLogo(logo *studio.Logo, seed studio.Settings) (studio.Settings, error) {
	var s studio.Settings
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketStudio)
		s = seed
		if v := b.Get(keyStudioSettings); v != nil {
			if err := json.Unmarshal(v, &s); err != nil {
				return err
			}
		}
		s.Logo = ""
		for _, name := range append([]string{"logo.png"}, studio.IconNames...) {
			if err := b.Delete([]byte(name)); err != nil {
				return err
			}
		}
		if logo != nil {
			s.Logo = logo.Version
			if err := b.Put([]byte("logo.png"), logo.PNG); err != nil {
				return err
			}
			for name, data := range logo.Icons {
				if err := b.Put([]byte(name), data); err != nil {
					return err
				}
			}
		}
		return putJSON(b, keyStudioSettings, s)
	})
	return s, err
}

// StudioImage returns the stored logo ("logo.png") or one of its icons; ErrNotFound without one.
func (db *DB) StudioImage(name string) ([]byte, error) {
	var out []byte
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketStudio).Get([]byte(name))
		if v == nil {
			return ErrNotFound
		}
		out = append([]byte(nil), v...)
		return nil
	})
	return out, err
}
