package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// bucketHistoryDays counts what a plan received on its client's current local day:
// token 0x00 bucket name ("checkins", "completions") -> day "2006-01-02" + count (4 BE).
var bucketHistoryDays = []byte("history_days")

// ErrDailyLimit is returned when a plan already received Limit.PerDay records of a kind on Limit.Day.
var ErrDailyLimit = model.TooManyError("daily limit reached", 0)

// ErrTotalLimit is returned when a plan already holds Limit.Total records of a kind.
var ErrTotalLimit = model.ConflictError("total limit reached")

// Limit bounds the records of one kind a plan stores. Zero fields are no limit.
type Limit struct {
	// Day is the client's local day of the write ("2006-01-02"); PerDay counts per Day.
	Day    string
	PerDay int
	Total  int
}

// RecordCheckIn stores c once per client-chosen id within lim. For an id already
// stored it returns the stored check-in and created false, whatever lim says.
// A new check-in queues checkin.created in the same transaction.
func (db *DB) RecordCheckIn(token string, c model.CheckIn, lim Limit) (model.CheckIn, bool, error) {
	return record(db, bucketCheckIns, token, c.ID, c, lim, db.checkInEvents(token, c, nil))
}

// checkInEvents queues checkin.created for a new check-in of plan token (c,
// and its version-2 answers v2 if it has them) in the write's transaction;
// nil when no webhook wants the event.
func (db *DB) checkInEvents(token string, c model.CheckIn, v2 *clinic.CheckIn) func(tx *bolt.Tx) (int, error) {
	if !db.wantsEvents(model.EventCheckInCreated) {
		return nil
	}
	return func(tx *bolt.Tx) (int, error) {
		p, err := getPlan(tx, token)
		if err != nil {
			return 0, err
		}
		return db.queueEvents(tx, Change{Event: model.EventCheckInCreated, Plan: p, CheckIn: c, Clinic: v2})
	}
}

// RecordCompletion is RecordCheckIn for completions.
func (db *DB) RecordCompletion(token string, c model.Completion, lim Limit) (model.Completion, bool, error) {
	defer db.cache.invalidate(token) // the cache holds completion times
	return record(db, bucketCompletions, token, c.ID, c, lim, nil)
}

// recordState is what a write would do, decided inside a transaction.
type recordState[T any] struct {
	stored T    // the record already under the id
	exists bool // stored is set
	limit  error
}

// settled reports whether err or st decide what record answers for v
// without a write (an error, the record already stored, a limit), and that answer.
func (st *recordState[T]) settled(v T, err error) (T, bool, error) {
	switch {
	case err != nil:
		return v, true, err
	case st.exists:
		return st.stored, true, nil
	case st.limit != nil:
		return v, true, st.limit
	}
	return v, false, nil
}

// check decides a write without changing anything: the id is taken, a limit is
// reached, or (all zero) the record may be stored.
func check[T any](tx *bolt.Tx, bucket []byte, token, id string, lim Limit) (recordState[T], error) {
	var st recordState[T]
	if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
		return st, ErrNotFound
	}
	b := tx.Bucket(bucket)
	if v := b.Get(join(token, id)); v != nil {
		if err := json.Unmarshal(v, &st.stored); err != nil {
			return st, fmt.Errorf("decode stored record: %w", err)
		}
		st.exists = true
		return st, nil
	}
	if lim.Total > 0 && countPrefix(b, prefix(token), lim.Total) >= lim.Total {
		st.limit = ErrTotalLimit
		return st, nil
	}
	if lim.PerDay > 0 && dayCount(tx, bucket, token, lim.Day) >= lim.PerDay {
		st.limit = ErrDailyLimit
	}
	return st, nil
}

// record stores v under token/id unless the id is taken or lim is reached. A
// read transaction answers resends and refusals first, so they never wait for
// the writer; the write re-checks, since others may have written meanwhile.
// events, if set, queues the webhook events of a new record in its transaction.
func record[T any](db *DB, bucket []byte, token, id string, v T, lim Limit, events func(*bolt.Tx) (int, error)) (T, bool, error) {
	var st recordState[T]
	err := db.bolt.View(func(tx *bolt.Tx) (err error) {
		st, err = check[T](tx, bucket, token, id, lim)
		return err
	})
	if out, done, err := st.settled(v, err); done {
		return out, false, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return v, false, err
	}
	created, queued := false, 0
	// Batch coalesces concurrent client writes into one fsync; the func is idempotent.
	err = db.bolt.Batch(func(tx *bolt.Tx) (err error) {
		created, queued = false, 0
		if st, err = check[T](tx, bucket, token, id, lim); err != nil || st.exists || st.limit != nil {
			return err
		}
		if lim.Day != "" {
			n := dayCount(tx, bucket, token, lim.Day)
			val := binary.BigEndian.AppendUint32([]byte(lim.Day), uint32(n+1))
			if err := tx.Bucket(bucketHistoryDays).Put(join(token, string(bucket)), val); err != nil {
				return err
			}
		}
		if events != nil {
			if queued, err = events(tx); err != nil {
				return err
			}
		}
		created = true
		if err := tx.Bucket(bucket).Put(join(token, id), data); err != nil {
			return err
		}
		p, err := getPlan(tx, token)
		if err != nil {
			return err
		}
		return refreshClientRow(tx, p) // the clients list shows what the client did
	})
	db.eventsQueued(queued, err)
	if out, done, err := st.settled(v, err); done {
		return out, false, err
	}
	return v, created, nil
}

// dayCount is how many records of bucket the plan received on day.
func dayCount(tx *bolt.Tx, bucket []byte, token, day string) int {
	v := tx.Bucket(bucketHistoryDays).Get(join(token, string(bucket)))
	if len(v) != len(day)+4 || string(v[:len(day)]) != day {
		return 0
	}
	return int(binary.BigEndian.Uint32(v[len(day):]))
}

// countPrefix counts keys under pre, stopping at max: keys only, nothing decoded.
func countPrefix(b *bolt.Bucket, pre []byte, max int) int {
	n := 0
	c := b.Cursor()
	for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre) && n < max; k, _ = c.Next() {
		n++
	}
	return n
}

// CheckInPage returns up to q.Limit of a plan's check-ins older than q.Before,
// newest first, how many the plan holds, and the cursor of the page's last
// check-in when older ones remain (else the zero Cursor).
func (db *DB) CheckInPage(token string, q model.PageQuery) ([]model.CheckIn, int, model.Cursor, error) {
	return page[model.CheckIn](db, bucketCheckIns, token, q)
}

// CompletionPage is CheckInPage for completions.
func (db *DB) CompletionPage(token string, q model.PageQuery) ([]model.Completion, int, model.Cursor, error) {
	return page[model.Completion](db, bucketCompletions, token, q)
}

// page orders a plan's records by their time and id alone (a light decode),
// then decodes only the records of the page.
func page[T any](db *DB, bucket []byte, token string, q model.PageQuery) ([]T, int, model.Cursor, error) {
	type ref struct {
		id string
		At time.Time `json:"at"`
	}
	out := []T{}
	total := 0
	var next model.Cursor
	err := db.bolt.View(func(tx *bolt.Tx) error {
		var refs []ref
		pre := prefix(token)
		c := tx.Bucket(bucket).Cursor()
		for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
			var r ref
			if err := json.Unmarshal(v, &r); err != nil {
				return fmt.Errorf("decode %s: %w", bucket, err)
			}
			r.id = string(k[len(pre):])
			refs = append(refs, r)
		}
		total = len(refs)
		slices.SortFunc(refs, func(a, b ref) int { return model.NewestFirst(a.At, a.id, b.At, b.id) })
		limit := q.Limit
		if limit <= 0 {
			limit = model.PageSize
		}
		i := sort.Search(len(refs), func(i int) bool { return q.Before.Older(refs[i].At, refs[i].id) })
		end := min(i+limit, len(refs))
		for _, r := range refs[i:end] {
			var item T
			if err := json.Unmarshal(tx.Bucket(bucket).Get(join(token, r.id)), &item); err != nil {
				return fmt.Errorf("decode %s: %w", bucket, err)
			}
			out = append(out, item)
		}
		if end < len(refs) {
			next = model.Cursor{At: refs[end-1].At, ID: refs[end-1].id}
		}
		return nil
	})
	return out, total, next, err
}

// Readings returns the numbers of a plan's check-ins (no notes), oldest first.
func (db *DB) Readings(token string) ([]model.Reading, error) {
	out := []model.Reading{}
	err := scanPrefix(db.bolt, bucketCheckIns, token, func(v []byte) error {
		var r model.Reading
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode check-in: %w", err)
		}
		out = append(out, r)
		return nil
	})
	slices.SortStableFunc(out, func(a, b model.Reading) int { return model.NewestFirst(b.At, b.ID, a.At, a.ID) })
	return out, err
}
