package care

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// Attention reasons on the clients list, most urgent first: the clinical
// ones (clinic.Attention: "emergency-now", "see-doctor-soon", "still-sore",
// "worsening"), then a running plan gone quiet.
const (
	AttentionRedFlag   = string(clinic.AttentionEmergency)
	AttentionSeeDoctor = string(clinic.AttentionSeeDoctor)
	AttentionStillSore = string(clinic.AttentionStillSore)
	AttentionWorsening = string(clinic.AttentionWorsening)
	AttentionInactive  = "inactive"
)

// InactiveAfterDays is how long an active plan may go without activity before it is flagged.
const InactiveAfterDays = 2

// ClientSummary is one row of the therapist's clients list. RedFlag and StillSore
// count only check-ins received after the plan's alerts were last marked handled.
type ClientSummary struct {
	Token         string         `json:"token"`
	ClientName    string         `json:"clientName"`
	TherapistID   string         `json:"therapistId"`
	TherapistName string         `json:"therapistName"`
	RoutineName   string         `json:"routineName"`
	SessionAt     time.Time      `json:"sessionAt"`
	NextSessionAt *time.Time     `json:"nextSessionAt"`
	EndsAt        time.Time      `json:"endsAt"`
	Active        bool           `json:"active"`
	LastActivity  time.Time      `json:"lastActivity"`
	InactiveDays  int            `json:"inactiveDays"`
	StretchedDays int            `json:"stretchedDays"`
	DaysSoFar     int            `json:"daysSoFar"`
	Latest        *model.Reading `json:"latest"`
	RedFlag       bool           `json:"redFlag"`
	StillSore     bool           `json:"stillSore"`
	Attention     string         `json:"attention"`
}

// ClientsPage is GET /api/clients: one page of the list and the cursor of the next ("" at the end).
type ClientsPage struct {
	Items []ClientSummary `json:"items"`
	Next  string          `json:"next"`
}

// Adherence counts the plan's local days with at least one stretch session, out of its days so far.
func Adherence(p model.Plan, done []model.Completion, now time.Time) (stretched, soFar int) {
	if now.Before(p.SessionAt) {
		return 0, 0
	}
	soFar = model.DaysSoFar(p, now)
	return min(model.StretchDays(p, done, model.AdherenceUntil(p, now)), soFar), soFar
}

// statusSections are the parts of the list each status names, in order.
var statusSections = map[string][]store.Section{
	model.StatusAttention: {store.SectionRedFlag, store.SectionSeeDoctor, store.SectionStillSore, store.SectionWorsening, store.SectionInactive},
	model.StatusActive:    {store.SectionActive},
	model.StatusEnded:     {store.SectionEnded},
}

// Clients lists a page of the plans t may see (their own, or all for the
// owner): emergency signs, see-a-doctor signs, "still sore", legs worsening
// (each until handled, newest activity first), then running plans gone quiet (the
// longest quiet first), then the other running plans (the newest activity
// first), then ended ones (the most recently ended first).
func (s *Service) Clients(t model.Therapist, q model.ClientsQuery) (ClientsPage, error) {
	now := s.now()
	cur, err := decodeClientsCursor(q.Cursor)
	if err != nil {
		return ClientsPage{}, err
	}
	if cur.QuietBefore.IsZero() {
		// Pages after the first split quiet from active where the first did, so no row moves between them.
		cur.QuietBefore = now.Add(-InactiveAfterDays * 24 * time.Hour)
	}
	if err := s.DB.SettleClients(now); err != nil {
		return ClientsPage{}, err
	}
	sq := store.ClientQuery{QuietBefore: cur.QuietBefore, Name: q.Name, After: cur.Pos, Limit: q.Limit}
	if !t.Owner {
		sq.TherapistID = t.ID
	}
	for _, st := range q.Statuses {
		sq.Sections = append(sq.Sections, statusSections[st]...)
	}
	page, err := s.DB.ClientRows(sq)
	if err != nil {
		return ClientsPage{}, err
	}
	out := ClientsPage{Items: make([]ClientSummary, 0, len(page.Rows))}
	names := map[string]string{}
	for _, r := range page.Rows {
		if _, ok := names[r.TherapistID]; !ok {
			if th, err := s.DB.Therapist(r.TherapistID); err == nil {
				names[r.TherapistID] = th.Name
			}
		}
		out.Items = append(out.Items, summarize(r, names[r.TherapistID], now))
	}
	if page.More {
		out.Next = clientsCursor{QuietBefore: cur.QuietBefore, Pos: page.Next}.String()
	}
	return out, nil
}

// summarize is row r as the list shows it at now.
func summarize(r model.ClientRow, therapist string, now time.Time) ClientSummary {
	p := r.Plan()
	routine, _ := routines.RoutineByID(r.RoutineID)
	c := ClientSummary{
		Token: r.Token, ClientName: r.ClientName, TherapistID: r.TherapistID, TherapistName: therapist,
		RoutineName: routine.Name, SessionAt: r.SessionAt, NextSessionAt: r.NextSessionAt, EndsAt: r.EndsAt(),
		Active: p.Active(now), LastActivity: r.LastActivity, Latest: r.Latest, RedFlag: r.RedFlag, StillSore: r.StillSore,
	}
	if !now.Before(p.SessionAt) {
		c.DaysSoFar = model.DaysSoFar(p, now)
		c.StretchedDays = min(r.StretchedDays, c.DaysSoFar)
	}
	c.InactiveDays = max(0, int(now.Sub(c.LastActivity).Hours()/24))
	c.Attention = r.Attention
	if c.Attention == "" && c.Active && c.InactiveDays >= InactiveAfterDays {
		c.Attention = AttentionInactive
	}
	return c
}

// clientsCursor is a clients page's "next": where the page ended, and the
// quiet threshold of the first page.
type clientsCursor struct {
	QuietBefore time.Time
	Pos         store.ClientPos
}

// errClientsCursor is a cursor that no page handed out.
var errClientsCursor = model.InvalidField("cursor", "must be the \"next\" value of a previous page")

// clientsCursorVersion 2: the sections of the two warning-sign tiers and worsening legs.
const clientsCursorVersion = 2

func (c clientsCursor) String() string {
	b := []byte{clientsCursorVersion}
	b = binary.BigEndian.AppendUint64(b, uint64(c.QuietBefore.UnixNano()))
	b = append(b, byte(c.Pos.Section))
	b = binary.BigEndian.AppendUint64(b, uint64(c.Pos.At.UnixNano()))
	b = append(b, c.Pos.Token...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeClientsCursor(s string) (clientsCursor, error) {
	var c clientsCursor
	if s == "" {
		return c, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) < 18 || len(b) > 18+64 || b[0] != clientsCursorVersion {
		return c, errClientsCursor
	}
	sec := store.Section(b[9])
	if sec < store.SectionRedFlag || sec > store.SectionEnded {
		return c, errClientsCursor
	}
	token := string(b[18:])
	for _, r := range token {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return c, errClientsCursor
		}
	}
	c.QuietBefore = time.Unix(0, int64(binary.BigEndian.Uint64(b[1:9]))).UTC()
	c.Pos = store.ClientPos{Section: sec, At: time.Unix(0, int64(binary.BigEndian.Uint64(b[10:18]))).UTC(), Token: token}
	if c.QuietBefore.IsZero() || token == "" {
		return c, errClientsCursor
	}
	return c, nil
}

// DefaultRetention is how long a plan is kept after it ended, unless the owner sets another (-retention-days).
const DefaultRetention = 365 * 24 * time.Hour

// EraseExpiredPlans erases every plan that ended more than retention ago,
// with everything tied to it, exactly as its client's own erasure does (so
// the file is compacted after), and returns how many it erased.
func (s *Service) EraseExpiredPlans(retention time.Duration) (int, error) {
	cutoff := s.now().Add(-retention)
	n := 0
	for {
		tokens, err := s.DB.PlansEndedBefore(cutoff, 100)
		if err != nil || len(tokens) == 0 {
			return n, err
		}
		for _, token := range tokens {
			err := s.ErasePlan(token)
			if errors.Is(err, model.ErrNotFound) {
				// Erased meanwhile (its row goes with it), or a row left without its plan.
				if err := s.DB.ForgetClientRow(token); err != nil {
					return n, err
				}
				continue
			}
			if err != nil {
				return n, fmt.Errorf("erase a plan past retention: %w", err)
			}
			n++
		}
	}
}
