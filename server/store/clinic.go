package store

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// The clinical records (issue 13). Version-2 check-ins live in the check-ins
// bucket beside version 1 (same limits, paging, erasure); PSFS ratings and
// preparation forms have their own buckets, keyed like the check-ins.
var (
	// psfs / preparations: token 0x00 id -> JSON (clinic.PSFS, clinic.Preparation)
	bucketPSFS         = []byte("psfs")
	bucketPreparations = []byte("preparations")
)

// CheckInRecord is a check-in as stored. Its version-1 fields are what every
// version-1 reader decodes (the history pages, the chart, the clients list,
// the webhook); a version-2 check-in also carries the whole of itself under
// "clinic", and its version-1 fields are derived from it (V1Of).
type CheckInRecord struct {
	model.CheckIn
	Clinic *clinic.CheckIn `json:"clinic,omitempty"`
}

// V2 is the record as a version-2 check-in: itself, or a version-1 one read
// as version 2 for the rules both versions asked about (the warning signs and
// soreness): its red flags as the emergency answers yes, every other answer
// no, back and leg pain 0 (version 1 did not ask them: do not read them).
func (r CheckInRecord) V2() clinic.CheckIn {
	if r.Clinic != nil {
		return *r.Clinic
	}
	c := r.CheckIn
	no := func(f string) *bool { v := slices.Contains(c.RedFlags, f); return &v }
	out := clinic.CheckIn{ID: c.ID, At: c.At, Soreness: c.Soreness,
		Areas: []clinic.Place{}, Feelings: slices.Clone(c.Feelings), LegChange: clinic.LegUnknown,
		Emergency: clinic.EmergencyAnswers{
			SaddleNumbness: no(model.RedFlagSaddle), BladderBowel: no(model.RedFlagBladder), LegWeakness: no(model.RedFlagLegWeakness),
			BothLegs: new(bool), FootDrop: new(bool),
		},
		Note: c.Note, ReceivedAt: c.ReceivedAt}
	if out.Feelings == nil {
		out.Feelings = []string{}
	}
	return out
}

// v1Areas maps the version-2 body areas onto the version-1 area ids, per side.
var v1Areas = map[clinic.Area][2]string{
	clinic.AreaBack:      {"low-back", "low-back"},
	clinic.AreaButtock:   {"left-buttock", "right-buttock"},
	clinic.AreaThigh:     {"left-hamstring", "right-hamstring"},
	clinic.AreaBelowKnee: {"left-calf", "right-calf"},
	clinic.AreaFoot:      {"left-foot", "right-foot"},
}

// V1Of is version-2 check-in c as version-1 readers see it: pain is the
// higher of back and leg pain, redFlags the emergency signs answered yes, the
// areas their nearest version-1 ids; a partial one is marked partial (its
// soreness and pain 0 were never asked).
func V1Of(c clinic.CheckIn) model.CheckIn {
	out := model.CheckIn{ID: c.ID, At: c.At, Soreness: c.Soreness, Pain: max(c.BackPain, c.LegPain),
		Areas: []string{}, Feelings: slices.Clone(c.Feelings), RedFlags: []string{}, Note: c.Note, ReceivedAt: c.ReceivedAt,
		Partial: c.Partial}
	if out.Feelings == nil {
		out.Feelings = []string{}
	}
	for _, p := range c.Areas {
		ids := v1Areas[p.Area]
		var add []string
		switch p.Side {
		case clinic.SideLeft:
			add = ids[:1]
		case clinic.SideRight:
			add = ids[1:]
		default:
			add = ids[:]
		}
		for _, id := range add {
			if id != "" && !slices.Contains(out.Areas, id) {
				out.Areas = append(out.Areas, id)
			}
		}
	}
	for _, f := range c.Flags() {
		if f.Tier() == clinic.EmergencyNow {
			out.RedFlags = append(out.RedFlags, string(f))
		}
	}
	return out
}

// RecordClinicCheckIn stores version-2 check-in c in the check-ins history
// once per id within lim (the same limits as version 1). For an id already
// stored it returns the stored record and created false, whatever lim says;
// a version-1 record under the id comes back with Clinic nil.
func (db *DB) RecordClinicCheckIn(token string, c clinic.CheckIn, lim Limit) (CheckInRecord, bool, error) {
	rec := CheckInRecord{CheckIn: V1Of(c), Clinic: &c}
	return record(db, bucketCheckIns, token, c.ID, rec, lim, db.checkInEvents(token, rec.CheckIn, &c))
}

// CheckInRecords returns every check-in of a plan, both versions, oldest first
// (by the client's time, then id).
func (db *DB) CheckInRecords(token string) ([]CheckInRecord, error) {
	out, err := listJSON[CheckInRecord](db.bolt, bucketCheckIns, token)
	if err != nil {
		return nil, fmt.Errorf("decode check-in: %w", err)
	}
	slices.SortStableFunc(out, func(a, b CheckInRecord) int { return model.NewestFirst(b.At, b.ID, a.At, a.ID) })
	return out, nil
}

// ClinicCheckIns returns a plan's version-2 check-ins, oldest first.
func (db *DB) ClinicCheckIns(token string) ([]clinic.CheckIn, error) {
	recs, err := db.CheckInRecords(token)
	out := []clinic.CheckIn{}
	for _, r := range recs {
		if r.Clinic != nil {
			out = append(out, *r.Clinic)
		}
	}
	return out, err
}

// AttentionOf is the clients list's reason for plan p with check-ins recs
// (any order): clinic.AttentionFor over every check-in for the tiers and
// "still sore" (version 1 asked its red flags and soreness too), and over the
// version-2 ones for worsening legs (version 1 asked no leg questions), when
// the newest check-in is one.
func AttentionOf(p model.Plan, recs []CheckInRecord) clinic.Attention {
	all := make([]clinic.CheckIn, len(recs))
	var v2 []clinic.CheckIn
	newest := -1
	for i, r := range recs {
		all[i] = r.V2()
		if r.Clinic != nil {
			v2 = append(v2, *r.Clinic)
		}
		// The newest complete one: a partial check-in has no legs to read.
		if !r.Partial && (newest < 0 || model.NewestFirst(r.At, r.ID, recs[newest].At, recs[newest].ID) < 0) {
			newest = i
		}
	}
	// Worsening comes from leg pain and leg symptoms, which version 1 has none of.
	if a := clinic.AttentionFor(all, p.SessionAt, p.AlertsHandledAt); a != clinic.AttentionWorsening && a != clinic.AttentionNone {
		return a
	}
	if newest < 0 || recs[newest].Clinic == nil {
		return clinic.AttentionNone
	}
	if clinic.AttentionFor(v2, p.SessionAt, p.AlertsHandledAt) == clinic.AttentionWorsening {
		return clinic.AttentionWorsening
	}
	return clinic.AttentionNone
}

// RecordPSFS stores PSFS rating r once per id within lim; for an id already
// stored it returns the stored rating and created false.
func (db *DB) RecordPSFS(token string, r clinic.PSFS, lim Limit) (clinic.PSFS, bool, error) {
	return record(db, bucketPSFS, token, r.ID, r, lim, nil)
}

// PSFSRatings returns a plan's PSFS ratings, oldest first.
func (db *DB) PSFSRatings(token string) ([]clinic.PSFS, error) {
	return clinicRecords(db, bucketPSFS, token, func(r clinic.PSFS) (string, int64) { return r.ID, r.At.UnixNano() })
}

// RecordPreparation stores preparation form f once per id within lim; for an
// id already stored it returns the stored form and created false.
func (db *DB) RecordPreparation(token string, f clinic.Preparation, lim Limit) (clinic.Preparation, bool, error) {
	return record(db, bucketPreparations, token, f.ID, f, lim, nil)
}

// Preparations returns a plan's preparation forms, oldest first.
func (db *DB) Preparations(token string) ([]clinic.Preparation, error) {
	return clinicRecords(db, bucketPreparations, token, func(f clinic.Preparation) (string, int64) { return f.ID, f.At.UnixNano() })
}

// clinicRecords lists a plan's records in bucket, oldest first by key.
func clinicRecords[T any](db *DB, bucket []byte, token string, key func(T) (string, int64)) ([]T, error) {
	out, err := listJSON[T](db.bolt, bucket, token)
	if err != nil {
		return nil, fmt.Errorf("decode %s: %w", bucket, err)
	}
	slices.SortStableFunc(out, func(a, b T) int {
		ai, an := key(a)
		bi, bn := key(b)
		switch {
		case an < bn:
			return -1
		case an > bn:
			return 1
		}
		return strings.Compare(ai, bi)
	})
	return out, nil
}

// bucketPrepareSent remembers the therapists' prepare reminders sent:
// token 0x00 nextSession unix nanoseconds (8 BE) -> nil (one per booked session).
var bucketPrepareSent = []byte("prepare_sent")

// UpcomingSessions returns the rows of therapistID's plans, not ended, whose
// next session lies in [from, to).
func (db *DB) UpcomingSessions(therapistID string, from, to time.Time) ([]model.ClientRow, error) {
	var out []model.ClientRow
	err := db.bolt.View(func(tx *bolt.Tx) error {
		pre := prefix(therapistID)
		rows := tx.Bucket(bucketClientRows)
		c := tx.Bucket(bucketClientIndex).Cursor()
		for k, _ := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, _ = c.Next() {
			if len(k) <= len(pre)+9 {
				continue
			}
			token := k[len(pre)+9:] // class(1) sortTime(8) token
			var r model.ClientRow
			if err := getJSON(rows, token, &r); err != nil {
				return fmt.Errorf("client row: %w", err)
			}
			if r.NextSessionAt != nil && r.EndedAt == nil && !r.NextSessionAt.Before(from) && r.NextSessionAt.Before(to) {
				out = append(out, r)
			}
		}
		return nil
	})
	return out, err
}

// MarkPrepareSent records that the prepare reminder for the plan's session at
// next goes out; false when it was already recorded or the plan is gone.
func (db *DB) MarkPrepareSent(token string, next time.Time) (bool, error) {
	first := false
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return nil
		}
		key := append(prefix(token), encodeUint(uint64(next.UnixNano()))...)
		b := tx.Bucket(bucketPrepareSent)
		if b.Get(key) != nil {
			return nil
		}
		first = true
		return b.Put(key, []byte{})
	})
	return first, err
}
