// Package care is the application service between the HTTP handlers and the
// store: it creates plans, builds the client's view of a plan, records what the
// client did and keeps the reminder schedule in step.
package care

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"golang.org/x/text/language"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/photo"
	"github.com/aftercare/aftercare/server/store"
)

// Scheduler derives a plan's reminders and sends pushes.
type Scheduler interface {
	// States derives the reminder schedule of p from the rule states stored
	// for it so far; the service stores it in the transaction that stores p
	// (see store.ScheduleFunc), so a plan is never kept without its reminders.
	States(p model.Plan, stored []store.RuleState) ([]store.RuleState, error)
	TestPush(ctx context.Context, token string) (int, error)
	// AlertTherapistAsync alerts the plan's therapist about check-in c when it
	// needs them, in the background: the client's request does not wait on
	// push services (which may ask to retry a minute later).
	AlertTherapistAsync(p model.Plan, c model.CheckIn)
	// TellTherapistAsync alerts the plan's therapist the same way, for a
	// version-2 check-in whose assessment says they must hear of it.
	TellTherapistAsync(p model.Plan)
}

// SubscriptionChecker validates a browser's push subscription (endpoint allowlist, key shapes).
type SubscriptionChecker interface {
	CheckSubscription(s model.Subscription) error
}

// ErrForbidden is returned when a therapist reaches for another therapist's
// plan. It answers like a missing plan (NotFound, "not found"), so a therapist
// learns nothing about others' tokens.
var ErrForbidden = &model.Error{Code: model.NotFound, Message: "not found"}

// Service is the aftercare application.
type Service struct {
	DB        *store.DB
	Scheduler Scheduler
	Subs      SubscriptionChecker
	Now       func() time.Time
	BaseURL   string
	Logger    *slog.Logger
	// StudioName (-studio-name) names the studio until the owner sets a name in the workspace.
	StudioName string
	// DefaultLanguage is the studio's language: a new account's when its
	// browser asks for none of the supported ones, and that of plans and
	// accounts stored before languages. The zero Tag is English.
	DefaultLanguage language.Tag
	// Photos re-encodes uploaded stretch photos (and the studio's logo); nil decodes one at a time.
	Photos *photo.Processor

	studioMu sync.Mutex
	studio   *StudioView // Studio's answer until the owner changes it

	testPushMu sync.Mutex
	testPushAt map[string]time.Time // plan token → its last test notification
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// PlanURL is the link a client opens.
func (s *Service) PlanURL(token string) string { return s.BaseURL + "/p/" + token }

// Stretch is a routine step with the client's hold and reps applied.
type Stretch struct {
	routines.Stretch
}

// RoutineView is the routine as this client does it.
type RoutineView struct {
	ID string `json:"id"`
	// Language is the language of the routine's and its stretches' texts.
	Language         string    `json:"language"`
	Name             string    `json:"name"`
	Summary          string    `json:"summary"`
	EstimatedMinutes int       `json:"estimatedMinutes"`
	Stretches        []Stretch `json:"stretches"`
	// Variations are the easier variations of Stretches not among them ("Make it easier").
	Variations []Stretch `json:"variations"`
}

// TherapistView is what a client sees of their therapist.
type TherapistView struct {
	Name string `json:"name"`
}

// ClientView is GET /api/p/{token}.
type ClientView struct {
	Token         string        `json:"token"`
	ClientName    string        `json:"clientName"`
	Therapist     TherapistView `json:"therapist"`
	SessionAt     time.Time     `json:"sessionAt"`
	NextSessionAt *time.Time    `json:"nextSessionAt"`
	TimeZone      string        `json:"timeZone"`
	StretchTime   string        `json:"stretchTime"`
	Days          int           `json:"days"`
	EndsAt        time.Time     `json:"endsAt"`
	Active        bool          `json:"active"`
	Notes         string        `json:"notes"`
	CadenceDays   int           `json:"cadenceDays"`
	// EmergencyNumber is the ambulance number where the client is (from the time zone).
	EmergencyNumber string      `json:"emergencyNumber"`
	Routine         RoutineView `json:"routine"`
	Prefs           model.Prefs `json:"prefs"`
	// RecentHistory is the newest page of completions and check-ins; older ones
	// come from the paged routes, from the *Next cursors.
	RecentHistory
	// Calendar is the plan's calendar feed, which carries its own token.
	Calendar CalendarLinks `json:"calendar"`
	// Language is the plan's language: the routine and every text here are in
	// it, and so are its reminders, calendar and printout.
	Language string `json:"language"`
	// RedFlags are the check-in's red-flag questions, in the plan's language.
	RedFlags []RedFlagText `json:"redFlags"`
	// Messages is where the app loads the plan language's messages (GET
	// /api/messages/{lang}); the URL changes when they do.
	Messages string `json:"messages"`
	// Studio is the studio's name, colours, booking link and contact, as the
	// owner set them; absent while the studio has none of them (the app's own look).
	Studio *ClientStudio `json:"studio,omitempty"`
	// Clinic is what the app should ask for now (PSFS, preparation) and the latest answers.
	Clinic ClientClinic `json:"clinic"`
}

// Routine applies a plan's overrides to its template, in the plan's language
// (English when it names none).
func Routine(p model.Plan) RoutineView {
	lang := locale.Of(p.Language, routines.English).Tag()
	r, _ := routines.RoutineByIDIn(p.RoutineID, lang)
	applied := r
	applied.Steps = nil
	view := RoutineView{ID: r.ID, Language: lang.String(), Name: r.Name, Summary: r.Summary, Stretches: []Stretch{}}
	steps := r.Steps
	if len(p.Stretches) > 0 {
		// The therapist's own list replaces the template's order and choice of stretches.
		steps = nil
		for _, o := range p.Stretches {
			steps = append(steps, routines.Step{StretchID: o.StretchID, HoldSeconds: o.HoldSeconds, Reps: o.Reps})
		}
	}
	find := planStretchesIn(p, lang)
	for _, step := range steps {
		st, ok := find(step.StretchID)
		if !ok {
			continue
		}
		if step.HoldSeconds > 0 {
			st.HoldSeconds = step.HoldSeconds
		}
		if step.Reps > 0 {
			st.Reps = step.Reps
		}
		if i := slices.IndexFunc(p.Overrides, func(o model.Override) bool { return o.StretchID == st.ID }); i >= 0 {
			if o := p.Overrides[i]; o.HoldSeconds > 0 {
				st.HoldSeconds = o.HoldSeconds
			}
			if o := p.Overrides[i]; o.Reps > 0 {
				st.Reps = o.Reps
			}
		}
		applied.Steps = append(applied.Steps, routines.Step{StretchID: st.ID, HoldSeconds: st.HoldSeconds, Reps: st.Reps})
		view.Stretches = append(view.Stretches, Stretch{st})
	}
	view.EstimatedMinutes = routines.EstimatedMinutesWith(applied, find)
	view.Variations = easierVariations(view.Stretches, find)
	return view
}

// PlanStretches finds the stretches plan p may show: the library's, in the
// plan's language (English when it names none), and the copies of
// therapists' own stretches it was assigned with (in the language they
// were written in).
func PlanStretches(p model.Plan) model.StretchFinder {
	return planStretchesIn(p, locale.Of(p.Language, routines.English).Tag())
}

// planStretchesIn is PlanStretches with the library's stretches in lang.
func planStretchesIn(p model.Plan, lang language.Tag) model.StretchFinder {
	return func(id string) (routines.Stretch, bool) {
		if st, ok := routines.StretchByIDIn(id, lang); ok {
			return st, true
		}
		for _, c := range p.Custom {
			if c.ID == id {
				return c, true
			}
		}
		return routines.Stretch{}, false
	}
}

// easierVariations are the easier variations of the routine's stretches that
// it does not hold itself, with their own hold and reps: what the player
// swaps in on "Make it easier".
func easierVariations(list []Stretch, find model.StretchFinder) []Stretch {
	out := []Stretch{}
	has := func(id string) bool {
		return slices.ContainsFunc(list, func(s Stretch) bool { return s.ID == id }) ||
			slices.ContainsFunc(out, func(s Stretch) bool { return s.ID == id })
	}
	for _, s := range list {
		if s.EasierID == "" || has(s.EasierID) {
			continue
		}
		if v, ok := find(s.EasierID); ok {
			out = append(out, Stretch{v})
		}
	}
	return out
}

// ClientView returns the plan as its client sees it.
func (s *Service) ClientView(token string) (ClientView, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return ClientView{}, err
	}
	l := s.planLocale(p)
	p.Language = l.String()
	v := ClientView{
		Token: p.Token, ClientName: p.ClientName, SessionAt: p.SessionAt, NextSessionAt: p.NextSessionAt,
		TimeZone: p.TimeZone, StretchTime: p.StretchTime, Days: p.Days, EndsAt: p.EndsAt(),
		Active: p.Active(s.now()), Notes: p.Notes, CadenceDays: p.CadenceDays, Routine: Routine(p), Prefs: p.Prefs,
		EmergencyNumber: model.EmergencyNumber(p.TimeZone),
		Language:        p.Language, RedFlags: redFlagTexts(l), Messages: l.CatalogPath(),
	}
	if t, err := s.DB.Therapist(p.TherapistID); err == nil {
		v.Therapist.Name = t.Name
	}
	st, err := s.Studio()
	if err != nil {
		return v, err
	}
	v.Studio = st.forClient()
	feed, err := s.DB.PlanFeed(token)
	if err != nil {
		return v, err
	}
	v.Calendar = s.calendarLinks(feed)
	if v.RecentHistory, err = s.recentHistory(token); err != nil {
		return v, err
	}
	v.Clinic, err = s.clientClinic(p, s.now())
	return v, err
}

// ErasePlan deletes a plan and everything tied to it (the client's right to erase).
func (s *Service) ErasePlan(token string) error { return s.DB.DeletePlan(token) }

// AddCompletion records a finished routine within the plan's limits; for a
// resend of a stored id it returns the stored completion and created false.
func (s *Service) AddCompletion(token string, in model.CompletionInput) (model.Completion, bool, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return model.Completion{}, false, err
	}
	now := s.now()
	c, err := in.Validate(now)
	if err != nil {
		return c, false, err
	}
	if err := checkSwaps(p, c.EasierUsed); err != nil {
		return c, false, err
	}
	stored, created, err := s.DB.RecordCompletion(token, c, historyLimit(p, now, model.MaxCompletionsPerDay, model.MaxCompletions))
	if err != nil {
		return c, false, limitError(err, "completions", p, now, model.MaxCompletionsPerDay, model.MaxCompletions)
	}
	if !created && !stored.SameAs(c) {
		return stored, false, ErrCompletionIDReused
	}
	return stored, created, nil
}

// checkSwaps holds a completion's "Make it easier" swaps to the plan: each
// from one of its stretches to that stretch's easier variation.
func checkSwaps(p model.Plan, swaps []model.Swap) error {
	if len(swaps) == 0 {
		return nil
	}
	list := Routine(p).Stretches
	for i, sw := range swaps {
		j := slices.IndexFunc(list, func(s Stretch) bool { return s.ID == sw.From })
		if j < 0 || list[j].EasierID != sw.To {
			return model.InvalidField(fmt.Sprintf("easierUsed[%d]", i), fmt.Sprintf("%q is not the easier variation of a stretch of this plan", sw.To))
		}
	}
	return nil
}

// Advice tells the client what a check-in means.
type Advice string

// Advice values, mirrored by the client app so it works offline.
const (
	AdviceUrgent           Advice = "urgent"
	AdviceContactTherapist Advice = "contact-therapist"
	AdviceNormal           Advice = "normal"
)

// AdviceFor decides what the client should do after check-in c on plan p.
func AdviceFor(p model.Plan, c model.CheckIn) Advice {
	switch {
	case c.Urgent():
		return AdviceUrgent
	case c.StillSoreAfter48h(p.SessionAt):
		return AdviceContactTherapist
	}
	return AdviceNormal
}

// AddCheckIn records a soreness check-in within the plan's limits and alerts
// the therapist when it needs them. A resend of a stored id returns the stored
// check-in and its advice (created false); other answers under that id are refused.
// The advice comes with its texts in the plan's language.
func (s *Service) AddCheckIn(ctx context.Context, token string, in model.CheckInInput) (model.CheckIn, AdviceView, bool, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return model.CheckIn{}, AdviceView{}, false, err
	}
	now := s.now()
	c, err := in.Validate(now)
	if err != nil {
		return c, AdviceView{}, false, err
	}
	stored, created, err := s.DB.RecordCheckIn(token, c, historyLimit(p, now, model.MaxCheckInsPerDay, model.MaxCheckIns))
	if err != nil {
		return c, AdviceView{}, false, limitError(err, "check-ins", p, now, model.MaxCheckInsPerDay, model.MaxCheckIns)
	}
	if !created && !stored.SameAs(c) {
		return stored, AdviceView{}, false, ErrCheckInIDReused
	}
	advice := s.adviceView(p, stored)
	if created && advice.Kind != AdviceNormal {
		s.Scheduler.AlertTherapistAsync(p, stored)
	}
	return stored, advice, created, nil
}

// PrefsView is the client's reminder settings with the plan's language
// (PUT /api/p/{token}/prefs).
type PrefsView struct {
	model.Prefs
	Language string `json:"language"`
}

// SetPrefs stores the client's reminder settings, and the language when the
// client chose one, with the schedule they make, together. Reminders are
// written at send time, so the next one speaks the new language.
func (s *Service) SetPrefs(token string, in model.PrefsInput) (PrefsView, error) {
	if _, err := s.DB.Plan(token); err != nil {
		return PrefsView{}, err
	}
	prefs, err := in.Validate()
	if err != nil {
		return PrefsView{Prefs: prefs}, err
	}
	lang := in.ChosenLanguage()
	p, err := s.DB.UpdatePlanWithSchedule(token, func(p *model.Plan) error {
		p.Prefs = prefs
		if lang != "" {
			p.Language = lang
		}
		return nil
	}, s.Scheduler.States)
	return PrefsView{Prefs: prefs, Language: s.planLocale(p).String()}, err
}

// Subscribe upserts a device for the plan; created is true for a new
// endpoint, resubscribe when its push service refused this very subscription
// (the app then subscribes afresh).
func (s *Service) Subscribe(token string, in model.SubscriptionInput) (created, resubscribe bool, err error) {
	if _, err := s.DB.Plan(token); err != nil {
		return false, false, err
	}
	sub, err := s.subscribe(token, in)
	return sub.created, sub.resubscribe, err
}

type subscribed struct{ created, resubscribe bool }

// subscribe validates a browser's PushSubscription and upserts it for owner.
func (s *Service) subscribe(owner string, in model.SubscriptionInput) (subscribed, error) {
	sub, err := in.Validate()
	if err != nil {
		return subscribed{}, err
	}
	if err := s.Subs.CheckSubscription(sub); err != nil {
		return subscribed{}, err
	}
	sub.LastSeen = s.now().UTC()
	var out subscribed
	out.created, err = s.DB.PutSubscription(owner, sub)
	if err != nil {
		return out, err
	}
	// The store keeps the mark while the same keys come back.
	stored, err := s.DB.Subscription(owner, sub.Endpoint)
	out.resubscribe = err == nil && stored.NeedsResubscribe
	return out, nil
}

// Unsubscribe removes one of the plan's devices.
func (s *Service) Unsubscribe(token string, in model.EndpointInput) error {
	if _, err := s.DB.Plan(token); err != nil {
		return err
	}
	endpoint, err := in.Validate()
	if err != nil {
		return err
	}
	return s.DB.DeleteSubscription(token, endpoint)
}

// TherapistPlan is a plan as its therapist sees it.
type TherapistPlan struct {
	model.Plan
	URL     string      `json:"url"`
	Routine RoutineView `json:"routine"`
	// RecentHistory is the newest page of completions and check-ins (see ClientView).
	RecentHistory
	// PendingRedFlag is the newest red-flag check-in not yet marked handled, however old.
	PendingRedFlag *model.Reading `json:"pendingRedFlag"`
	// Clinic is the latest answers, the flags raised and whether the summary is due.
	Clinic TherapistClinic `json:"clinic"`
}

// PlansFor lists the plans therapist t may see: their own, or all for the owner.
func (s *Service) PlansFor(t model.Therapist) ([]model.Plan, error) {
	id := t.ID
	if t.Owner {
		id = ""
	}
	list, err := s.DB.PlansByTherapist(id)
	if list == nil {
		list = []model.Plan{}
	}
	return list, err
}

// PlanFor returns a plan with its history if t may see it.
func (s *Service) PlanFor(t model.Therapist, token string) (TherapistPlan, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return TherapistPlan{}, err
	}
	if p.TherapistID != t.ID && !t.Owner {
		return TherapistPlan{}, ErrForbidden
	}
	// The plan says its language; the workspace reads the routine in the therapist's.
	p.Language = s.planLocale(p).String()
	shown := p
	shown.Language = s.TherapistLocale(t).String()
	tp := TherapistPlan{Plan: p, URL: s.PlanURL(token), Routine: Routine(shown)}
	if tp.RecentHistory, err = s.recentHistory(token); err != nil {
		return tp, err
	}
	if tp.PendingRedFlag, err = s.pendingRedFlag(p); err != nil {
		return tp, err
	}
	tp.Clinic, err = s.therapistClinic(p, s.now())
	return tp, err
}

// RecentHistory is the newest model.PageSize completions and check-ins of a
// plan, with totals; older ones come from the paged routes, from the *Next cursors.
type RecentHistory struct {
	Completions      []model.Completion `json:"completions"`
	CompletionsTotal int                `json:"completionsTotal"`
	CompletionsNext  string             `json:"completionsNext"`
	CheckIns         []model.CheckIn    `json:"checkins"`
	CheckInsTotal    int                `json:"checkinsTotal"`
	CheckInsNext     string             `json:"checkinsNext"`
}

// recentHistory reads the first page of each of the plan's histories.
func (s *Service) recentHistory(token string) (RecentHistory, error) {
	var h RecentHistory
	var next model.Cursor
	var err error
	if h.Completions, h.CompletionsTotal, next, err = s.DB.CompletionPage(token, model.FirstPage); err != nil {
		return h, err
	}
	h.CompletionsNext = next.String()
	if h.CheckIns, h.CheckInsTotal, next, err = s.DB.CheckInPage(token, model.FirstPage); err != nil {
		return h, err
	}
	h.CheckInsNext = next.String()
	return h, nil
}
