package model

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// ClientRow is what the therapist's clients list needs of one plan. The store
// keeps it beside the plan and rebuilds it in every transaction that writes
// the plan or its history, so a page of the list never reads a plan's history
// (a studio keeps plans for years: 10,000 of them, each with up to 1,000 records).
type ClientRow struct {
	Token         string     `json:"token"`
	TherapistID   string     `json:"therapistId"`
	ClientName    string     `json:"clientName"`
	RoutineID     string     `json:"routineId"`
	SessionAt     time.Time  `json:"sessionAt"`
	NextSessionAt *time.Time `json:"nextSessionAt,omitempty"`
	TimeZone      string     `json:"timeZone"`
	Days          int        `json:"days"`
	EndedAt       *time.Time `json:"endedAt,omitempty"`
	// LastActivity is the newest of the session, completions and check-ins (the client's times).
	LastActivity time.Time `json:"lastActivity"`
	// StretchedDays counts the plan's local days with a stretch session up to
	// its end; the list caps it at the days so far.
	StretchedDays int `json:"stretchedDays"`
	// Latest is the newest check-in, without the client's words.
	Latest *Reading `json:"latest,omitempty"`
	// RedFlag and StillSore count only check-ins received after the plan's
	// alerts were last marked handled.
	RedFlag   bool `json:"redFlag,omitempty"`
	StillSore bool `json:"stillSore,omitempty"`
	// Attention is the clinic.Attention of the plan's pending check-ins
	// ("emergency-now", "see-doctor-soon", "still-sore", "worsening" or
	// empty); the store sets it (model does not know the clinical rules).
	Attention string `json:"attention,omitempty"`
}

// NewClientRow summarizes plan p with its completions and check-ins (any order).
func NewClientRow(p Plan, done []Completion, checks []Reading) ClientRow {
	r := ClientRow{
		Token: p.Token, TherapistID: p.TherapistID, ClientName: p.ClientName, RoutineID: p.RoutineID,
		SessionAt: p.SessionAt, NextSessionAt: p.NextSessionAt, TimeZone: p.TimeZone, Days: p.Days,
		EndedAt: p.EndedAt, LastActivity: p.SessionAt,
	}
	r.StretchedDays = StretchDays(p, done, AdherenceUntil(p, time.Time{}))
	for _, d := range done {
		if d.At.After(r.LastActivity) {
			r.LastActivity = d.At
		}
	}
	for i := range checks {
		c := checks[i]
		if c.At.After(r.LastActivity) {
			r.LastActivity = c.At
		}
		ci := CheckIn{At: c.At, ReceivedAt: c.ReceivedAt, Soreness: c.Soreness, RedFlags: c.RedFlags}
		if ci.Urgent() && p.AlertPending(ci) {
			r.RedFlag = true
		}
		// The newest complete one by the client's time, then by id (the order of
		// the history): a partial one has no numbers to show.
		if !c.Partial && (r.Latest == nil || NewestFirst(c.At, c.ID, r.Latest.At, r.Latest.ID) < 0) {
			r.Latest = &checks[i]
		}
	}
	if l := r.Latest; l != nil {
		ci := CheckIn{At: l.At, ReceivedAt: l.ReceivedAt, Soreness: l.Soreness}
		r.StillSore = ci.StillSoreAfter48h(p.SessionAt) && p.AlertPending(ci)
	}
	return r
}

// Plan is the part of the plan the row carries (for its end and its days).
func (r ClientRow) Plan() Plan {
	return Plan{Token: r.Token, TherapistID: r.TherapistID, ClientName: r.ClientName, RoutineID: r.RoutineID,
		SessionAt: r.SessionAt, NextSessionAt: r.NextSessionAt, TimeZone: r.TimeZone, Days: r.Days, EndedAt: r.EndedAt}
}

// EndsAt is when the plan ended or ends: its last day's end, or earlier when a therapist ended it.
func (r ClientRow) EndsAt() time.Time {
	end := r.Plan().EndsAt()
	if r.EndedAt != nil && r.EndedAt.Before(end) {
		end = *r.EndedAt
	}
	return end
}

// AdherenceUntil is the last instant whose stretches count for p's adherence
// at now: now, capped at the plan's end (the zero now means "after the end").
func AdherenceUntil(p Plan, now time.Time) time.Time {
	last := now
	if end := p.EndsAt(); now.IsZero() || !now.Before(end) {
		last = end.Add(-time.Second)
	}
	if p.EndedAt != nil && p.EndedAt.Before(last) {
		last = *p.EndedAt
	}
	return last
}

// StretchDays counts p's local days with a stretch session (at least one
// stretch done) from 12 hours before the session to until.
func StretchDays(p Plan, done []Completion, until time.Time) int {
	loc := p.Location()
	days := map[string]bool{}
	for _, c := range done {
		if c.Done == 0 || c.At.Before(p.SessionAt.Add(-12*time.Hour)) || c.At.After(until) {
			continue
		}
		days[c.At.In(loc).Format(time.DateOnly)] = true
	}
	return len(days)
}

// DaysSoFar counts p's local days from the session day to now (or its end), at most its length.
func DaysSoFar(p Plan, now time.Time) int {
	if now.Before(p.SessionAt) {
		return 0
	}
	loc := p.Location()
	return min(LocalDays(p.SessionAt.In(loc), AdherenceUntil(p, now).In(loc))+1, p.Days)
}

// LocalDays counts the calendar days from from's date to to's date (each in its own zone).
func LocalDays(from, to time.Time) int {
	a := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// FoldName is a name as the clients search compares it: case and accents
// folded, spaces collapsed ("Zoë  Ávila" and "zoe avila" fold alike).
func FoldName(s string) string {
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = strings.ToLower(s)
	}
	return strings.Join(strings.Fields(out), " ")
}

// Client list statuses (?status=), each a part of the list.
const (
	// StatusAttention: a red flag or "still sore" not yet handled, or a running plan gone quiet.
	StatusAttention = "attention"
	// StatusActive: the other running plans.
	StatusActive = "active"
	// StatusEnded: ended plans without an alert.
	StatusEnded = "ended"
)

// Clients list page sizes.
const (
	ClientsPageSize    = 50
	MaxClientsPageSize = 100
	// MaxClientSearch bounds ?q= (a client's name is at most 40 characters).
	MaxClientSearch = 40
)

// ClientsQuery is ?limit=&cursor=&q=&status= on the clients list.
type ClientsQuery struct {
	Limit int
	// Cursor is a previous page's "next" (opaque; the service decodes it).
	Cursor string
	// Name is the folded search (FoldName), empty for none.
	Name string
	// Statuses are the parts listed, in the list's order; by default attention and active.
	Statuses []string
}

// DecodeClientsQuery validates the clients list's query parameters. status is
// one or more of attention, active and ended, comma separated.
func DecodeClientsQuery(limit, cursor, q, status string) (ClientsQuery, error) {
	out := ClientsQuery{Limit: ClientsPageSize, Statuses: []string{StatusAttention, StatusActive}}
	if limit != "" {
		n, err := strconv.Atoi(limit)
		if err != nil || n < 1 || n > MaxClientsPageSize {
			return out, bad("limit", "must be a number from 1 to %d", MaxClientsPageSize)
		}
		out.Limit = n
	}
	if len(cursor) > 200 {
		return out, bad("cursor", "must be the \"next\" value of a previous page")
	}
	out.Cursor = cursor
	q, err := CleanText("q", q, MaxClientSearch, false)
	if err != nil {
		return out, err
	}
	if strings.ContainsRune(q, '\n') {
		return out, bad("q", "must be one line")
	}
	out.Name = FoldName(q)
	if status != "" {
		out.Statuses = nil
		for _, s := range strings.Split(status, ",") {
			s = strings.TrimSpace(s)
			switch s {
			case StatusAttention, StatusActive, StatusEnded:
			default:
				return out, bad("status", "must be attention, active or ended (or several, comma separated), got %q", s)
			}
			if !slices.Contains(out.Statuses, s) {
				out.Statuses = append(out.Statuses, s)
			}
		}
		order := map[string]int{StatusAttention: 0, StatusActive: 1, StatusEnded: 2}
		slices.SortFunc(out.Statuses, func(a, b string) int { return order[a] - order[b] })
	}
	return out, nil
}
