package model

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// What one plan may store, so a leaked or misbehaving plan link cannot fill the
// disk or make the plan's pages unusably large. The app asks for one check-in
// and offers one routine a day, and a plan runs at most 90 days at a time.
// 40 a local day is a record every 20 minutes of a 13-hour waking day, or ten
// days at four a day sent at once by a phone's outbox after a week offline;
// 500 a plan is more than five a day for 90 days. A plan at its limits holds
// about 1.7 MB of check-ins (every field at its widest, notes of 500 characters
// that JSON escapes) and 90 KB of completions.
const (
	MaxCheckInsPerDay    = 40
	MaxCheckIns          = 500
	MaxCompletionsPerDay = 40
	MaxCompletions       = 500
)

// PageSize is how many check-ins or completions a page of history holds unless
// the caller asks for another number (at most MaxPageSize).
const (
	PageSize    = 20
	MaxPageSize = 100
)

// Cursor is a position in a plan's history, which runs newest first (by the
// client's time, then id): the page "before" a cursor holds older records.
// The zero Cursor is the newest end.
type Cursor struct {
	At time.Time
	ID string
}

// IsZero reports whether c is the newest end of the history.
func (c Cursor) IsZero() bool { return c.ID == "" }

// String is the opaque form handed out as a page's "next" and taken back as ?before=.
func (c Cursor) String() string {
	if c.IsZero() {
		return ""
	}
	return strconv.FormatInt(c.At.UnixNano(), 10) + "." + c.ID
}

// Older reports whether the record (at, id) comes after c, newest first.
func (c Cursor) Older(at time.Time, id string) bool {
	if c.IsZero() {
		return true
	}
	if !at.Equal(c.At) {
		return at.Before(c.At)
	}
	return id < c.ID
}

// NewestFirst orders records by the client's time, newest first, then by id
// descending, so every record has one place in the history.
func NewestFirst(aAt time.Time, aID string, bAt time.Time, bID string) int {
	if c := bAt.Compare(aAt); c != 0 {
		return c
	}
	return strings.Compare(bID, aID)
}

// PageQuery is ?limit=&before= on a history route.
type PageQuery struct {
	Limit  int
	Before Cursor
}

// FirstPage is the newest PageSize records.
var FirstPage = PageQuery{Limit: PageSize}

// DecodePageQuery validates ?limit= (1 to MaxPageSize, default PageSize) and
// ?before= (empty, or the "next" of a previous page).
func DecodePageQuery(limit, before string) (PageQuery, error) {
	q := FirstPage
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxPageSize {
			return q, bad("limit", "must be a number from 1 to %d", MaxPageSize)
		}
		q.Limit = n
	}
	if before == "" {
		return q, nil
	}
	nanos, id, ok := strings.Cut(before, ".")
	n, err := strconv.ParseInt(nanos, 10, 64)
	if !ok || err != nil || n <= 0 || !clientID.MatchString(id) {
		return q, bad("before", "must be the \"next\" value of a previous page")
	}
	q.Before = Cursor{At: time.Unix(0, n).UTC(), ID: id}
	return q, nil
}

// Reading is a check-in without the client's words: what the soreness chart
// and the red-flag banner need. It decodes from a stored CheckIn.
type Reading struct {
	ID         string    `json:"id"`
	At         time.Time `json:"at"`
	Soreness   int       `json:"soreness"`
	Pain       int       `json:"pain"`
	RedFlags   []string  `json:"redFlags"`
	ReceivedAt time.Time `json:"receivedAt"`
	// Partial: warning signs only, no soreness or pain (CheckIn.Partial).
	Partial bool `json:"partial,omitempty"`
}

// Point is one check-in on the chart: unix seconds, soreness, pain, and 1 for a red flag (else 0).
type Point [4]int64

// Point returns r as a chart point.
func (r Reading) Point() Point {
	flag := int64(0)
	if len(r.RedFlags) > 0 {
		flag = 1
	}
	return Point{r.At.Unix(), int64(r.Soreness), int64(r.Pain), flag}
}

// SameAs reports whether sent, a decoded check-in that reuses c's id, says what
// c says: the same answers (lists compared as sets) and, if sent carried a time
// of its own, the same time (a resend without "at" is stamped anew on receipt).
func (c CheckIn) SameAs(sent CheckIn) bool {
	return c.Soreness == sent.Soreness && c.Pain == sent.Pain && c.Note == sent.Note &&
		sameSet(c.Areas, sent.Areas) && sameSet(c.Feelings, sent.Feelings) && sameSet(c.RedFlags, sent.RedFlags) &&
		(!sent.atSent || c.At.Equal(sent.At))
}

// SameAs reports whether sent, a completion that reuses c's id, says what c says
// (see CheckIn.SameAs).
func (c Completion) SameAs(sent Completion) bool {
	return c.RoutineID == sent.RoutineID && c.Done == sent.Done && c.Total == sent.Total &&
		(!sent.atSent || c.At.Equal(sent.At)) && slices.Equal(c.EasierUsed, sent.EasierUsed)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, v := range a {
		if !slices.Contains(b, v) {
			return false
		}
	}
	return true
}
