package store

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// The clients list pages through an index instead of reading every plan: a
// studio keeps plans for years (10,000 of them), and a page shows 50.
//
// Each plan has a row (model.ClientRow), rebuilt in every transaction that
// writes the plan or its history, and two entries in the list's order: one
// under its therapist, one under allClients (the owner sees every plan).
var (
	// clientRows: token -> model.ClientRow JSON
	bucketClientRows = []byte("client_rows")
	// clientIndex: scope 0x00 class(1) sortTime(8 BE) token -> folded client name
	// (a search matches names without decoding rows)
	bucketClientIndex = []byte("client_index")
	// clientOpenEnds: endsAt(8 BE) token -> nil, for the plans indexed as open:
	// SettleClients moves those whose end has passed to the ended class.
	bucketClientOpenEnds = []byte("client_open_ends")
	// plansByEnd: end(8 BE) token -> nil, every plan by when it ended or ends (retention).
	bucketPlansByEnd = []byte("plans_by_end")
)

// allClients is the index scope of every plan; therapist ids never contain "*".
const allClients = "*"

// keyClientsSettled (meta) is the last time SettleClients ran at: a plan
// written later is indexed as ended if its end lies before it.
var keyClientsSettled = []byte("clients_settled")

// Index classes, one byte each: flagged rows first (by clinic.Attention),
// then open plans, then ended ones.
const (
	classRedFlag   = 'r' // clinic.AttentionEmergency
	classSeeDoctor = 'd' // clinic.AttentionSeeDoctor
	classStillSore = 's'
	classWorsening = 'w'
	classOpen      = 'o'
	classEnded     = 'e'
)

// flagClasses are the classes a row keeps, ended or not, until its alerts are handled.
var flagClasses = map[clinic.Attention]byte{
	clinic.AttentionEmergency: classRedFlag, clinic.AttentionSeeDoctor: classSeeDoctor,
	clinic.AttentionStillSore: classStillSore, clinic.AttentionWorsening: classWorsening,
}

// Section is one part of the clients list, in the list's order.
type Section uint8

// The sections, in the order of clinic.Attention.Rank and then as before. A
// flagged row stays on top, ended or not, until its alerts are handled.
const (
	// SectionRedFlag: an emergency sign not yet handled, newest activity first.
	SectionRedFlag Section = iota + 1
	// SectionSeeDoctor: a see-a-doctor sign not yet handled, newest first.
	SectionSeeDoctor
	// SectionStillSore: still sore at 48 h, not yet handled, newest first.
	SectionStillSore
	// SectionWorsening: leg symptoms moving down the leg or leg pain rising, not yet handled, newest first.
	SectionWorsening
	// SectionInactive: running plans without activity since ClientQuery.QuietBefore, the longest quiet first.
	SectionInactive
	// SectionActive: the other running plans, newest activity first.
	SectionActive
	// SectionEnded: ended plans, the most recently ended first.
	SectionEnded
)

// sections describes how each section reads the index.
var sections = map[Section]struct {
	class byte
	desc  bool
}{
	SectionRedFlag: {classRedFlag, true}, SectionSeeDoctor: {classSeeDoctor, true},
	SectionStillSore: {classStillSore, true}, SectionWorsening: {classWorsening, true},
	SectionInactive: {classOpen, false}, SectionActive: {classOpen, true}, SectionEnded: {classEnded, true},
}

// ClientPos is a position in the clients list: after the row of Token, sorted at At in Section.
type ClientPos struct {
	Section Section
	At      time.Time
	Token   string
}

// ClientQuery asks for one page of the clients list.
type ClientQuery struct {
	// TherapistID limits the list to one therapist's plans; empty: every plan.
	TherapistID string
	// Sections to list, in order (each at most once).
	Sections []Section
	// QuietBefore splits open plans: activity before it is SectionInactive.
	QuietBefore time.Time
	// Name, if set, is a folded name (model.FoldName) the client's must contain.
	Name string
	// After resumes after a row of an earlier page; the zero ClientPos starts at the top.
	After ClientPos
	Limit int
}

// ClientPage is one page of rows, with where the next page starts (ok false: the list ends).
type ClientPage struct {
	Rows []model.ClientRow
	Next ClientPos
	More bool
}

func timeKey(t time.Time) []byte {
	if t.Before(time.Unix(0, 0)) {
		t = time.Unix(0, 0)
	}
	return encodeUint(uint64(t.UnixNano()))
}

// classOf is where row r sorts: its class and sort time. settled is the time
// the open plans were last settled at: a plan that ended before it is ended.
func classOf(r model.ClientRow, settled time.Time) (byte, time.Time) {
	if class, ok := flagClasses[clinic.Attention(r.Attention)]; ok {
		return class, r.LastActivity
	}
	switch {
	case r.EndedAt != nil || !settled.IsZero() && !settled.Before(r.EndsAt()):
		return classEnded, r.EndsAt()
	}
	return classOpen, r.LastActivity
}

func clientKey(scope string, class byte, at time.Time, token string) []byte {
	k := append(prefix(scope), class)
	k = append(k, timeKey(at)...)
	return append(k, token...)
}

// putClientRow stores row r and its index entries, replacing those of the plan's old row.
func putClientRow(tx *bolt.Tx, r model.ClientRow) error {
	if err := dropClientRow(tx, r.Token); err != nil {
		return err
	}
	if err := putJSON(tx.Bucket(bucketClientRows), []byte(r.Token), r); err != nil {
		return err
	}
	var settled time.Time
	if n := decodeUint(tx.Bucket(bucketMeta).Get(keyClientsSettled)); n > 0 {
		settled = time.Unix(0, int64(n))
	}
	class, at := classOf(r, settled)
	name := []byte(model.FoldName(r.ClientName))
	idx := tx.Bucket(bucketClientIndex)
	for _, scope := range []string{r.TherapistID, allClients} {
		if err := idx.Put(clientKey(scope, class, at, r.Token), name); err != nil {
			return err
		}
	}
	if class == classOpen {
		if err := tx.Bucket(bucketClientOpenEnds).Put(append(timeKey(r.EndsAt()), r.Token...), nil); err != nil {
			return err
		}
	}
	return tx.Bucket(bucketPlansByEnd).Put(append(timeKey(r.EndsAt()), r.Token...), nil)
}

// dropClientRow removes the plan's row and its index entries, if it has any.
func dropClientRow(tx *bolt.Tx, token string) error {
	rows := tx.Bucket(bucketClientRows)
	var old model.ClientRow
	if err := getJSON(rows, []byte(token), &old); err == ErrNotFound {
		return nil
	} else if err != nil {
		return fmt.Errorf("decode client row: %w", err)
	}
	idx := tx.Bucket(bucketClientIndex)
	// The class it was stored under depends on the settle time then: try each.
	for _, class := range []byte{classRedFlag, classSeeDoctor, classStillSore, classWorsening, classOpen, classEnded} {
		at := old.LastActivity
		if class == classEnded {
			at = old.EndsAt()
		}
		for _, scope := range []string{old.TherapistID, allClients} {
			if err := idx.Delete(clientKey(scope, class, at, token)); err != nil {
				return err
			}
		}
	}
	end := append(timeKey(old.EndsAt()), token...)
	if err := tx.Bucket(bucketClientOpenEnds).Delete(end); err != nil {
		return err
	}
	if err := tx.Bucket(bucketPlansByEnd).Delete(end); err != nil {
		return err
	}
	return rows.Delete([]byte(token))
}

// refreshClientRow rebuilds the row of plan p from its stored history.
func refreshClientRow(tx *bolt.Tx, p model.Plan) error {
	pre := prefix(p.Token)
	var done []model.Completion
	c := tx.Bucket(bucketCompletions).Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		var d model.Completion
		if err := json.Unmarshal(v, &d); err != nil {
			return fmt.Errorf("decode completion: %w", err)
		}
		done = append(done, d)
	}
	var checks []model.Reading
	var recs []CheckInRecord
	c = tx.Bucket(bucketCheckIns).Cursor()
	for k, v := c.Seek(pre); k != nil && bytes.HasPrefix(k, pre); k, v = c.Next() {
		var r CheckInRecord
		if err := json.Unmarshal(v, &r); err != nil {
			return fmt.Errorf("decode check-in: %w", err)
		}
		checks = append(checks, model.Reading{ID: r.ID, At: r.At, Soreness: r.Soreness, Pain: r.Pain, RedFlags: r.RedFlags, ReceivedAt: r.ReceivedAt, Partial: r.Partial})
		recs = append(recs, r)
	}
	row := model.NewClientRow(p, done, checks)
	row.Attention = string(AttentionOf(p, recs))
	return putClientRow(tx, row)
}

// rebuildClientRows rebuilds every plan's row and list entries.
func rebuildClientRows(tx *bolt.Tx) error {
	for _, name := range [][]byte{bucketClientRows, bucketClientIndex, bucketClientOpenEnds, bucketPlansByEnd} {
		if err := tx.DeleteBucket(name); err != nil {
			return err
		}
		if _, err := tx.CreateBucket(name); err != nil {
			return err
		}
	}
	var plans []model.Plan
	if err := eachJSON(tx.Bucket(bucketPlans), func(p model.Plan) { plans = append(plans, p) }); err != nil {
		return err
	}
	for _, p := range plans {
		if err := refreshClientRow(tx, p); err != nil {
			return err
		}
	}
	return nil
}

// ensureClientRows builds the rows of a file written before them (or by an
// older binary since): when the rows and plans differ in number, all of them.
func ensureClientRows(tx *bolt.Tx) error {
	if tx.Bucket(bucketClientRows).Stats().KeyN == tx.Bucket(bucketPlans).Stats().KeyN {
		return nil
	}
	return rebuildClientRows(tx)
}

// SettleClients moves plans whose last day ended by now from the open plans
// to the ended ones (time ends a plan without a write). The clients list
// calls it before each page and the daily sweep once a day; it writes only
// when a plan ended since, at most settleBatch plans a transaction.
func (db *DB) SettleClients(now time.Time) error {
	for {
		due := false
		if err := db.bolt.View(func(tx *bolt.Tx) error {
			k, _ := tx.Bucket(bucketClientOpenEnds).Cursor().First()
			due = len(k) > 8 && !time.Unix(0, int64(decodeUint(k[:8]))).After(now)
			return nil
		}); err != nil || !due {
			return err
		}
		if err := db.bolt.Update(func(tx *bolt.Tx) error { return settleClients(tx, now) }); err != nil {
			return err
		}
		// A batch rewrites pages all over the file, which the next one maps: give them back.
		if err := db.ReleaseMapped(); err != nil {
			return err
		}
	}
}

// settleBatch bounds one settling transaction, so the writer is never held long.
const settleBatch = 500

func settleClients(tx *bolt.Tx, now time.Time) error {
	meta := tx.Bucket(bucketMeta)
	if decodeUint(meta.Get(keyClientsSettled)) < uint64(now.UnixNano()) {
		if err := meta.Put(keyClientsSettled, timeKey(now)); err != nil {
			return err
		}
	}
	var tokens []string
	c := tx.Bucket(bucketClientOpenEnds).Cursor()
	for k, _ := c.First(); len(k) > 8 && len(tokens) < settleBatch && !time.Unix(0, int64(decodeUint(k[:8]))).After(now); k, _ = c.Next() {
		tokens = append(tokens, string(k[8:]))
	}
	rows := tx.Bucket(bucketClientRows)
	for _, token := range tokens {
		var r model.ClientRow
		if err := getJSON(rows, []byte(token), &r); err != nil {
			return fmt.Errorf("client row of an open plan: %w", err)
		}
		if err := putClientRow(tx, r); err != nil {
			return err
		}
	}
	return nil
}

// ClientRows returns one page of the clients list (see ClientQuery).
func (db *DB) ClientRows(q ClientQuery) (ClientPage, error) {
	var page ClientPage
	scope := q.TherapistID
	if scope == "" {
		scope = allClients
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		idx, rows := tx.Bucket(bucketClientIndex), tx.Bucket(bucketClientRows)
		for _, sec := range q.Sections {
			if q.After.Section != 0 && sec < q.After.Section {
				continue
			}
			var after *ClientPos
			if sec == q.After.Section {
				after = &q.After
			}
			full, err := scanSection(idx, scope, sec, q, after, func(at time.Time, token string) error {
				var r model.ClientRow
				if err := getJSON(rows, []byte(token), &r); err != nil {
					return fmt.Errorf("client row: %w", err)
				}
				page.Rows = append(page.Rows, r)
				page.Next = ClientPos{Section: sec, At: at, Token: token}
				return nil
			}, func() bool { return len(page.Rows) >= q.Limit })
			if err != nil {
				return err
			}
			if full {
				page.More = true
				return nil
			}
		}
		return nil
	})
	return page, err
}

// scanSection hands emit the section's entries that match q, from after (or
// its start) in the section's order, while full is false. It reports whether
// it stopped at a full page with a matching entry still to come.
func scanSection(idx *bolt.Bucket, scope string, sec Section, q ClientQuery, after *ClientPos,
	emit func(time.Time, string) error, full func() bool) (bool, error) {
	s := sections[sec]
	pre := append(prefix(scope), s.class)
	c := idx.Cursor()
	var k, v []byte
	switch {
	case after != nil:
		start := append(bytes.Clone(pre), timeKey(after.At)...)
		start = append(start, after.Token...)
		k, v = c.Seek(start)
		switch {
		case s.desc && k == nil:
			k, v = c.Last()
		case s.desc:
			k, v = c.Prev() // the last key before the position
		case bytes.Equal(k, start):
			k, v = c.Next()
		}
	case s.desc:
		end := append(bytes.Clone(prefix(scope)), s.class+1)
		if k, _ = c.Seek(end); k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
	default:
		k, v = c.Seek(pre)
	}
	step := c.Next
	if s.desc {
		step = c.Prev
	}
	quiet := timeKey(q.QuietBefore)
	for ; k != nil && bytes.HasPrefix(k, pre) && len(k) > len(pre)+8; k, v = step() {
		tk := k[len(pre) : len(pre)+8]
		switch {
		case sec == SectionInactive && bytes.Compare(tk, quiet) >= 0:
			return false, nil // the rest is active
		case sec == SectionActive && bytes.Compare(tk, quiet) < 0:
			return false, nil // the rest is quiet
		}
		if q.Name != "" && !strings.Contains(string(v), q.Name) {
			continue
		}
		if full() {
			return true, nil
		}
		at := time.Unix(0, int64(binary.BigEndian.Uint64(tk))).UTC()
		if err := emit(at, string(k[len(pre)+8:])); err != nil {
			return false, err
		}
	}
	return false, nil
}

// PlansEndedBefore returns up to limit plans that ended (or whose last day
// ended) before cutoff, those ended longest ago first.
func (db *DB) PlansEndedBefore(cutoff time.Time, limit int) ([]string, error) {
	var out []string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketPlansByEnd).Cursor()
		stop := timeKey(cutoff)
		for k, _ := c.First(); len(k) > 8 && bytes.Compare(k[:8], stop) < 0 && len(out) < limit; k, _ = c.Next() {
			out = append(out, string(k[8:]))
		}
		return nil
	})
	return out, err
}

// ForgetClientRow drops the row and list entries of a plan that is gone.
func (db *DB) ForgetClientRow(token string) error {
	return db.bolt.Update(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPlans).Get([]byte(token)) != nil {
			return nil // still there: its row is its own
		}
		if err := dropClientRow(tx, token); err != nil {
			return err
		}
		// Entries without a row: found by their token (a scan; this never happens in use).
		for _, name := range [][]byte{bucketPlansByEnd, bucketClientOpenEnds} {
			b := tx.Bucket(name)
			var keys [][]byte
			_ = b.ForEach(func(k, _ []byte) error {
				if len(k) > 8 && string(k[8:]) == token {
					keys = append(keys, bytes.Clone(k))
				}
				return nil
			})
			if err := deleteKeys(b, keys); err != nil {
				return err
			}
		}
		return nil
	})
}
