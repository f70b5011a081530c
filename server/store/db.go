// Package store keeps everything aftercare knows in one bbolt file and hands
// out domain types; no byte slice read inside a transaction escapes it.
package store

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"
)

// SchemaVersion is the layout this code reads and writes.
//
//	1: first release.
//	2: subs_by_endpoint keyed endpointHash|owner (a phone may serve several plans).
//	3: the clients list's rows carry clinic.Attention (two warning-sign tiers, worsening legs).
const SchemaVersion = 3

// FileName is the database file inside the data directory.
const FileName = "aftercare.db"

// ErrLocked is returned by Open when another process (usually a running server) holds the file.
var ErrLocked = errors.New("database is in use by another aftercare process (stop the server first)")

// Bucket names. Keys are documented next to each.
var (
	bucketMeta = []byte("meta") // "schema" -> version
	// plans: token -> plan JSON
	bucketPlans = []byte("plans")
	// plansByTherapist: therapistID 0x00 token -> nil
	bucketPlansByTherapist = []byte("plans_by_therapist")
	// completions / checkins: token 0x00 id -> JSON
	bucketCompletions = []byte("completions")
	bucketCheckIns    = []byte("checkins")
	// subs: token 0x00 endpointHash -> subscription JSON ("all devices of a plan" is a prefix scan)
	bucketSubs = []byte("subs")
	// subsByEndpoint: endpointHash(16) owner -> nil, owner = token or "t:"+therapistID
	// ("who holds this endpoint" is a prefix scan)
	bucketSubsByEndpoint = []byte("subs_by_endpoint")
	// therapists: id -> JSON; therapistEmails: lower(email) -> id
	bucketTherapists      = []byte("therapists")
	bucketTherapistEmails = []byte("therapist_emails")
	// apiTokens: sha256(token) -> JSON
	bucketAPITokens = []byte("api_tokens")
	// due: fireUnix(8 BE) token 0x00 ruleID -> JSON (the reminder due-index)
	bucketDue = []byte("due")
	// rules: token 0x00 ruleID -> rule state JSON
	bucketRules = []byte("rules")
	// retry: fireUnix(8 BE) token 0x00 ruleID 0x00 endpointHash(16) -> retry JSON
	// (a reminder's pushes to single devices still to go; see retry_index.go)
	bucketRetry = []byte("retry")
)

var allBuckets = [][]byte{
	bucketMeta, bucketPlans, bucketPlansByTherapist, bucketCompletions, bucketCheckIns,
	bucketSubs, bucketSubsByEndpoint, bucketTherapists, bucketTherapistEmails, bucketAPITokens,
	bucketDue, bucketRules, bucketRetry,
	bucketSessions, bucketInvites, bucketTemplates, // workspace: sessions.go, invites.go
	bucketHistoryDays,              // history.go
	bucketFeeds, bucketFeedsByPlan, // calendar feeds: feeds.go
	bucketClientRows, bucketClientIndex, bucketClientOpenEnds, bucketPlansByEnd, // the clients list: clients.go
	bucketStudio,                                         // the studio's identity: studio.go
	bucketCustomStretches, bucketPhotos, bucketPhotoMeta, // therapists' own stretches: custom_stretches.go, photos.go
	bucketWebhook, bucketOutbox, // webhooks: outbox.go
	bucketPSFS, bucketPreparations, bucketPrepareSent, // clinical records: clinic.go
}

// DB is the aftercare database.
type DB struct {
	bolt      *handle // the file; swapped underneath by online compaction (compact.go)
	now       func() time.Time
	cache     *planCache // decoded plans and devices; see cache.go
	compactor *compactor // nil unless CompactAfterErasure was called
	events    events     // the webhook outbox's hook; see outbox.go
}

// Open opens (creating if needed) the database in dir, with dir 0700 and the file 0600.
func Open(dir string) (*DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory %s: %w", dir, err)
	}
	path := filepath.Join(dir, FileName)
	// bbolt maps the file and trusts its pages: a truncated or damaged file
	// makes it fault or panic. Check the file first, under bbolt's own lock so
	// a running server's file is never read mid-write.
	if _, err := os.Stat(path); err == nil {
		unlock, err := lockFile(path, false)
		if err != nil {
			return nil, fmt.Errorf("open %s: %w", path, err)
		}
		err = checkFile(path)
		unlock()
		if err != nil {
			return nil, fmt.Errorf("%w; restore the last backup: aftercare restore -data %s -from FILE", &damagedFile{path, err}, dir)
		}
	}
	opts := &bolt.Options{Timeout: time.Second}
	b, err := openBolt(path, opts)
	if errors.Is(err, bolterrors.ErrTimeout) {
		return nil, fmt.Errorf("open %s: %w", path, ErrLocked)
	}
	if errors.Is(err, ErrDamaged) {
		return nil, &damagedFile{path, err}
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	db := &DB{bolt: newHandle(path, b, opts), now: time.Now, cache: newPlanCache(DefaultCacheBytes)}
	if err := db.migrate(); err != nil {
		_ = b.Close()
		if errors.Is(err, ErrDamaged) {
			return nil, &damagedFile{path, err}
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	removeStaleTemps(dir)
	// Checking the buckets above mapped much of the file (see ReleaseMapped).
	_ = db.ReleaseMapped()
	return db, nil
}

// Bolt exposes the underlying bbolt handle for tests and benchmarks. An
// online compaction replaces it: do not keep it across erasures.
func (db *DB) Bolt() *bolt.DB { return db.bolt.current() }

// Close closes the file. With CompactAfterErasure, a compaction still due runs first.
func (db *DB) Close() error {
	if c := db.compactor; c != nil {
		c.stop()
		if _, due, err := db.ErasedWordsSince(); err == nil && due {
			if st, err := db.Compact(); err != nil {
				c.logger.Error("compact database before closing", "err", err)
			} else {
				c.logger.Info("compacted database before closing: erased words removed from the file", "writesPaused", st.WritesPaused.Round(time.Microsecond))
			}
		}
	}
	return db.bolt.Close()
}

// Ping checks the database answers a read that touches real pages: the first
// and last record of every bucket. After any transaction met an unreadable
// page it keeps failing, until a restart verifies the file again.
func (db *DB) Ping() error {
	if msg := db.bolt.damaged.Load(); msg != nil {
		return &pageFault{*msg}
	}
	return db.bolt.View(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			b := tx.Bucket(name)
			if b == nil {
				return fmt.Errorf("bucket %s missing", name)
			}
			c := b.Cursor()
			c.First()
			c.Last()
		}
		return nil
	})
}

func (db *DB) migrate() error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		for _, name := range allBuckets {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return fmt.Errorf("create bucket %s: %w", name, err)
			}
		}
		meta := tx.Bucket(bucketMeta)
		v := decodeUint(meta.Get([]byte("schema")))
		if v > SchemaVersion {
			return fmt.Errorf("database schema %d is newer than this binary (%d): upgrade aftercare", v, SchemaVersion)
		}
		for _, m := range migrations {
			if v < m.to {
				if err := m.run(tx); err != nil {
					return fmt.Errorf("migrate database to schema %d: %w", m.to, err)
				}
			}
		}
		if err := ensureClientRows(tx); err != nil {
			return fmt.Errorf("build the clients list: %w", err)
		}
		return meta.Put([]byte("schema"), encodeUint(SchemaVersion))
	})
}

// VAPIDKeys returns the push key pair recorded in the database, so a backup
// carries it: subscriptions are bound to the public key and die with it.
func (db *DB) VAPIDKeys() (public, private string, ok bool, err error) {
	err = db.bolt.View(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		pub, priv := m.Get([]byte("vapid_public")), m.Get([]byte("vapid_private"))
		if pub != nil && priv != nil {
			public, private, ok = string(pub), string(priv), true
		}
		return nil
	})
	return public, private, ok, err
}

// SetVAPIDKeys records the push key pair in the database.
func (db *DB) SetVAPIDKeys(public, private string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		m := tx.Bucket(bucketMeta)
		if err := m.Put([]byte("vapid_public"), []byte(public)); err != nil {
			return err
		}
		return m.Put([]byte("vapid_private"), []byte(private))
	})
}

// migrations run in order inside the opening transaction, each once.
var migrations = []struct {
	to  uint64
	run func(*bolt.Tx) error
}{
	{2, migrateSubsByEndpoint},
	{3, rebuildClientRows},
}

// migrateSubsByEndpoint rewrites schema 1's endpointHash -> owner entries as
// endpointHash|owner keys.
func migrateSubsByEndpoint(tx *bolt.Tx) error {
	b := tx.Bucket(bucketSubsByEndpoint)
	type entry struct{ k, owner []byte }
	var old []entry
	err := b.ForEach(func(k, v []byte) error {
		if len(k) == 16 && len(v) > 0 {
			old = append(old, entry{bytes.Clone(k), bytes.Clone(v)})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, e := range old {
		if err := b.Delete(e.k); err != nil {
			return err
		}
		if err := b.Put(append(e.k, e.owner...), nil); err != nil {
			return err
		}
	}
	return nil
}
