package care

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"sync"
	"time"

	"github.com/aftercare/aftercare/server/calendar"
	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// What one plan may store of the clinical records besides its check-ins
// (which keep their version-1 limits). The app asks for a PSFS rating weekly
// and the day before a session, and for a preparation once before each
// session: these leave room for a phone's outbox after weeks offline.
const (
	MaxPSFSPerDay         = 10
	MaxPSFS               = 200
	MaxPreparationsPerDay = 10
	MaxPreparations       = 100
)

// Errors of the clinical routes; the server maps them by their code.
var (
	ErrPSFSIDReused        = model.ConflictError("this id was used for a different PSFS rating")
	ErrPreparationIDReused = model.ConflictError("this id was used for a different preparation")
)

// IsClinicCheckIn reports whether a check-in body is version 2: a JSON
// object with the key "backPain", or "emergency" (a partial check-in leaves
// the ratings out). Any other body is version 1 (old outboxes still deliver those).
func IsClinicCheckIn(body []byte) bool {
	var keys map[string]json.RawMessage
	if json.Unmarshal(body, &keys) != nil {
		return false
	}
	_, back := keys["backPain"]
	_, emergency := keys["emergency"]
	return back || emergency
}

// ClinicCheckInView answers a version-2 check-in.
type ClinicCheckInView struct {
	CheckIn clinic.CheckIn `json:"checkIn"`
	// Assessment is in the plan's language.
	Assessment clinic.Assessment `json:"assessment"`
	// Told: the therapist is being alerted.
	Told bool `json:"told"`
}

// AddClinicCheckIn records version-2 check-in body in the plan's check-ins
// history, within the version-1 limits, and alerts the therapist when its
// assessment says so (through the coalesced alert path). A resend of a
// stored id answers what is stored (created false); other answers under
// that id are refused.
func (s *Service) AddClinicCheckIn(token string, body []byte) (ClinicCheckInView, bool, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return ClinicCheckInView{}, false, err
	}
	now := s.now()
	c, err := clinic.DecodeCheckIn(body, now)
	if err != nil {
		return ClinicCheckInView{}, false, err
	}
	rec, created, err := s.DB.RecordClinicCheckIn(token, c, historyLimit(p, now, model.MaxCheckInsPerDay, model.MaxCheckIns))
	if err != nil {
		return ClinicCheckInView{}, false, limitError(err, "check-ins", p, now, model.MaxCheckInsPerDay, model.MaxCheckIns)
	}
	if !created && (rec.Clinic == nil || !rec.Clinic.SameAs(c)) {
		return ClinicCheckInView{}, false, ErrCheckInIDReused
	}
	stored := *rec.Clinic
	history, err := s.DB.ClinicCheckIns(token)
	if err != nil {
		return ClinicCheckInView{}, false, err
	}
	a := clinic.Assess(stored, history, p.SessionAt)
	if created && a.TellTherapist() {
		s.Scheduler.TellTherapistAsync(p)
	}
	return ClinicCheckInView{CheckIn: stored, Assessment: a.In(s.planLocale(p).String()), Told: a.TellTherapist()}, created, nil
}

// PSFSView answers a PSFS rating.
type PSFSView struct {
	Rating clinic.PSFS `json:"rating"`
	// Change is from the plan's first rating to this one; nil for the first.
	Change *clinic.PSFSComparison `json:"change"`
}

// AddPSFS records a PSFS rating (idempotent by id, like check-ins).
func (s *Service) AddPSFS(token string, body []byte) (PSFSView, bool, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return PSFSView{}, false, err
	}
	now := s.now()
	r, err := clinic.DecodePSFS(body, now)
	if err != nil {
		return PSFSView{}, false, err
	}
	stored, created, err := s.DB.RecordPSFS(token, r, historyLimit(p, now, MaxPSFSPerDay, MaxPSFS))
	if err != nil {
		return PSFSView{}, false, limitError(err, "ratings", p, now, MaxPSFSPerDay, MaxPSFS)
	}
	if !created && !stored.SameAs(r) {
		return PSFSView{}, false, ErrPSFSIDReused
	}
	ratings, err := s.DB.PSFSRatings(token)
	if err != nil {
		return PSFSView{}, false, err
	}
	v := PSFSView{Rating: stored}
	if len(ratings) > 0 && ratings[0].ID != stored.ID && !ratings[0].At.After(stored.At) {
		c := clinic.PSFSChange(ratings[0], stored)
		v.Change = &c
	}
	return v, created, nil
}

// PreparationView answers a preparation form.
type PreparationView struct {
	Preparation clinic.Preparation `json:"preparation"`
}

// AddPreparation records the client's "Prepare for your session" form
// (idempotent by id); the latest since the last session is the one the
// therapist reads.
func (s *Service) AddPreparation(token string, body []byte) (PreparationView, bool, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return PreparationView{}, false, err
	}
	now := s.now()
	f, err := clinic.DecodePreparation(body, now)
	if err != nil {
		return PreparationView{}, false, err
	}
	stored, created, err := s.DB.RecordPreparation(token, f, historyLimit(p, now, MaxPreparationsPerDay, MaxPreparations))
	if err != nil {
		return PreparationView{}, false, limitError(err, "preparations", p, now, MaxPreparationsPerDay, MaxPreparations)
	}
	if !created && !stored.SameAs(f) {
		return PreparationView{}, false, ErrPreparationIDReused
	}
	return PreparationView{Preparation: stored}, created, nil
}

// ClientClinic is the clinical part of the client's plan view: what the app
// should ask for now and the latest answers. Kept small: the plan view is
// the app's first load.
type ClientClinic struct {
	PSFSDue    clinic.PSFSDue `json:"psfsDue"`
	PSFSLatest *clinic.PSFS   `json:"psfsLatest"`
	PSFSFirst  *clinic.PSFS   `json:"psfsFirst"`
	// PreparationDue: from the client's local day before the next session
	// until it starts, while no preparation came since the last session.
	PreparationDue bool `json:"preparationDue"`
	// Preparation is the latest since the last session.
	Preparation *clinic.Preparation `json:"preparation"`
	// LatestCheckIn is the newest complete version-2 check-in (not a partial one).
	LatestCheckIn *clinic.CheckIn `json:"latestCheckIn"`
	// Content is the versioned URL of the clinical texts in the plan's language (GET /api/clinic/{lang}).
	Content string `json:"content"`
}

// clientClinic builds the clinic object of plan p's client view at now.
func (s *Service) clientClinic(p model.Plan, now time.Time) (ClientClinic, error) {
	checks, err := s.DB.ClinicCheckIns(p.Token)
	if err != nil {
		return ClientClinic{}, err
	}
	ratings, err := s.DB.PSFSRatings(p.Token)
	if err != nil {
		return ClientClinic{}, err
	}
	preps, err := s.DB.Preparations(p.Token)
	if err != nil {
		return ClientClinic{}, err
	}
	lang := s.planLocale(p).String()
	v := ClientClinic{PSFSDue: clinic.DuePSFS(ratings, p.NextSessionAt, now, p.Location()), Content: ClinicContentPath(lang)}
	if n := len(ratings); n > 0 {
		v.PSFSFirst, v.PSFSLatest = &ratings[0], &ratings[n-1]
	}
	for i := len(checks) - 1; i >= 0; i-- {
		if checks[i].Complete() { // a partial one (warning signs only) is not "the latest answers"
			v.LatestCheckIn = &checks[i]
			break
		}
	}
	v.Preparation = preparationSince(preps, p.SessionAt)
	v.PreparationDue = v.Preparation == nil && dayBeforeUntil(p, now, 0)
	return v, nil
}

// preparationSince is the latest form answered at or after the session, or nil.
func preparationSince(preps []clinic.Preparation, session time.Time) *clinic.Preparation {
	for i := len(preps) - 1; i >= 0; i-- {
		if !preps[i].At.Before(session) {
			return &preps[i]
		}
	}
	return nil
}

// dayBeforeUntil reports whether now lies from the start of the client's
// local day before p's next session until after that session began.
func dayBeforeUntil(p model.Plan, now time.Time, after time.Duration) bool {
	if p.NextSessionAt == nil {
		return false
	}
	next := p.NextSessionAt.In(p.Location())
	dayBefore := time.Date(next.Year(), next.Month(), next.Day()-1, 0, 0, 0, 0, next.Location())
	return !now.Before(dayBefore) && now.Before(next.Add(after))
}

// TherapistClinic is the clinical part of the therapist's plan view.
type TherapistClinic struct {
	// Latest is the newest complete check-in, in the client's words.
	Latest *clinic.CheckIn `json:"latest"`
	// Flags are the check-ins that raised a tier, newest first.
	Flags []FlagView `json:"flags"`
	// SummaryDue: from the local day before the next session until it ended.
	SummaryDue bool `json:"summaryDue"`
}

// FlagView is a flag event with the name of whoever marked it handled.
type FlagView struct {
	clinic.FlagEvent
	HandledByName string `json:"handledByName,omitempty"`
}

// therapistClinic builds the clinic object of plan p's therapist view at now.
func (s *Service) therapistClinic(p model.Plan, now time.Time) (TherapistClinic, error) {
	recs, err := s.DB.CheckInRecords(p.Token)
	if err != nil {
		return TherapistClinic{}, err
	}
	v := TherapistClinic{Flags: []FlagView{}, SummaryDue: dayBeforeUntil(p, now, calendar.SessionLength)}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Clinic != nil && recs[i].Clinic.Complete() { // a partial one shows in the flags
			v.Latest = recs[i].Clinic
			break
		}
	}
	name := s.handledByName(p)
	for _, e := range flagEvents(p, recs, func(clinic.CheckIn) bool { return true }) {
		v.Flags = append(v.Flags, FlagView{FlagEvent: e, HandledByName: name(e)})
	}
	return v, nil
}

// handledByName names whoever marked p's alerts handled, for a flag event.
func (s *Service) handledByName(p model.Plan) func(clinic.FlagEvent) string {
	var name string
	if p.AlertsHandledBy != "" {
		if t, err := s.DB.Therapist(p.AlertsHandledBy); err == nil {
			name = t.Name
		}
	}
	return func(e clinic.FlagEvent) string {
		if !e.Handled {
			return ""
		}
		return name
	}
}

// flagEvents are the check-ins among recs (oldest first) that raised a tier
// and that keep says to list, newest first: version 2's from their answers,
// version 1's red flags as the emergency tier. Those received up to the plan's
// alertsHandledAt are handled, by its alertsHandledBy.
func flagEvents(p model.Plan, recs []store.CheckInRecord, keep func(clinic.CheckIn) bool) []clinic.FlagEvent {
	var out []clinic.FlagEvent
	for i := len(recs) - 1; i >= 0; i-- {
		c := recs[i].V2()
		t := c.Tier()
		if t == clinic.None {
			continue
		}
		e := clinic.FlagEvent{CheckInID: c.ID, At: c.At, Tier: t, Flags: c.Flags()}
		if !p.AlertPending(model.CheckIn{At: c.At, ReceivedAt: c.ReceivedAt}) {
			e.Handled, e.HandledBy, e.HandledAt = true, p.AlertsHandledBy, p.AlertsHandledAt
		}
		if keep(c) || !e.Handled {
			out = append(out, e)
		}
	}
	return out
}

// SummaryView is GET /api/plans/{token}/summary: the one-screen summary before
// the next session. Its words are the workspace's, keyed on the ids inside.
type SummaryView struct {
	Summary     clinic.Summary `json:"summary"`
	Client      string         `json:"client"`
	SessionAt   time.Time      `json:"sessionAt"`
	NextSession *time.Time     `json:"nextSession"`
}

// PlanSummary summarizes the plan since its last session, if t may see it.
// Its trends read the version-2 check-ins; its flags both versions' (those
// since the session, and older ones not yet handled), as the summary's own.
func (s *Service) PlanSummary(t model.Therapist, token string) (SummaryView, error) {
	p, err := s.visiblePlan(t, token)
	if err != nil {
		return SummaryView{}, err
	}
	now := s.now()
	in := clinic.SummaryInput{LastSession: p.SessionAt, NextSession: p.NextSessionAt, Now: now, Location: p.Location(),
		AlertsHandledAt: p.AlertsHandledAt, AlertsHandledBy: p.AlertsHandledBy}
	recs, err := s.DB.CheckInRecords(token)
	if err != nil {
		return SummaryView{}, err
	}
	for _, r := range recs {
		if r.Clinic != nil {
			in.CheckIns = append(in.CheckIns, *r.Clinic)
		}
	}
	if in.PSFS, err = s.DB.PSFSRatings(token); err != nil {
		return SummaryView{}, err
	}
	if in.Preparations, err = s.DB.Preparations(token); err != nil {
		return SummaryView{}, err
	}
	if in.Completions, err = s.DB.Completions(token); err != nil {
		return SummaryView{}, err
	}
	sum := clinic.Summarize(in)
	sum.Flags = flagEvents(p, recs, func(c clinic.CheckIn) bool { return !c.At.Before(p.SessionAt) && !c.At.After(now) })
	if sum.Flags == nil {
		sum.Flags = []clinic.FlagEvent{}
	}
	return SummaryView{Summary: sum, Client: p.ClientName, SessionAt: p.SessionAt, NextSession: p.NextSessionAt}, nil
}

// chart is the plan's chart: the newest model.MaxCheckIns check-ins as
// clinic.Chart points (a version-1 one with its soreness and red-flag tier
// only: it asked no back or leg pain) and every PSFS rating.
func (s *Service) chart(token string) ([]clinic.ChartPoint, error) {
	recs, err := s.DB.CheckInRecords(token)
	if err != nil {
		return nil, err
	}
	ratings, err := s.DB.PSFSRatings(token)
	if err != nil {
		return nil, err
	}
	var v2 []clinic.CheckIn
	var v1 []clinic.ChartPoint
	for _, r := range recs[max(0, len(recs)-model.MaxCheckIns):] {
		if r.Clinic != nil {
			v2 = append(v2, *r.Clinic)
			continue
		}
		sore := r.Soreness
		v1 = append(v1, clinic.ChartPoint{At: r.At, Soreness: &sore, Tier: r.V2().Tier()})
	}
	out := append(clinic.Chart(v2, ratings), v1...)
	slices.SortStableFunc(out, func(a, b clinic.ChartPoint) int { return a.At.Compare(b.At) })
	return out, nil
}

// clinicContent holds each language's clinical texts with their version.
var clinicContent sync.Map // lang -> clinicDoc

type clinicDoc struct {
	data    []byte
	version string
}

// ClinicContent is the clinical texts in lang (a supported language tag, as
// GET /api/clinic/{lang} names it) with their version (a hash of the bytes):
// ok is false for an unsupported language.
func ClinicContent(lang string) (data []byte, version string, ok bool) {
	tag, ok := locale.Supported(lang)
	if !ok || tag.String() != lang {
		return nil, "", false
	}
	if d, ok := clinicContent.Load(lang); ok {
		doc := d.(clinicDoc)
		return doc.data, doc.version, true
	}
	data = clinic.ContentJSONIn(lang)
	sum := sha256.Sum256(data)
	doc := clinicDoc{data: data, version: hex.EncodeToString(sum[:6])}
	clinicContent.Store(lang, doc)
	return doc.data, doc.version, true
}

// ClinicContentPath is the versioned URL of the clinical texts in lang.
func ClinicContentPath(lang string) string {
	_, version, ok := ClinicContent(lang)
	if !ok {
		lang = "en"
		_, version, _ = ClinicContent(lang)
	}
	return "/api/clinic/" + lang + "?v=" + version
}
