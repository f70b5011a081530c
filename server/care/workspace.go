package care

import (
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// MaxPlanDays bounds a plan's length after extensions.
const MaxPlanDays = 180

// CreatePlan validates input for therapist t (a template with overrides, or the
// therapist's own stretch list) and stores the plan with its schedule.
func (s *Service) CreatePlan(t model.Therapist, in model.CustomCreateInput) (model.Plan, error) {
	now := s.now()
	find, err := s.StretchFinder(t)
	if err != nil {
		return model.Plan{}, err
	}
	p, err := in.ValidateWith(now, find)
	if err != nil {
		return p, err
	}
	// The plan keeps its own copy of the therapist's stretches, and their photos for good.
	if err := s.DB.PinPhotos(snapshotCustom(&p, find)); err != nil {
		return p, err
	}
	if p.Language == "" {
		p.Language = s.TherapistLocale(t).String()
	}
	p.Token = model.NewToken()
	p.TherapistID = t.ID
	p.CreatedAt = now.UTC()
	if err := s.DB.CreatePlanWithSchedule(p, s.Scheduler.States); err != nil {
		return p, fmt.Errorf("store plan: %w", err)
	}
	return p, nil
}

// visiblePlan returns the plan if t may see it; others' plans look missing.
func (s *Service) visiblePlan(t model.Therapist, token string) (model.Plan, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return p, err
	}
	if p.TherapistID != t.ID && !t.Owner {
		return model.Plan{}, ErrForbidden
	}
	return p, nil
}

// CheckPlanAccess reports ErrNotFound (no such plan) or ErrForbidden (another's) unless t may see the plan with token.
func (s *Service) CheckPlanAccess(t model.Therapist, token string) error {
	_, err := s.visiblePlan(t, token)
	return err
}

// ChangePlan edits the next session, the booking cadence, the notes or the length of a plan,
// or marks its alerts as handled by t, and stores its new reminder schedule with it.
func (s *Service) ChangePlan(t model.Therapist, token string, in model.PlanChangeInput) (TherapistPlan, error) {
	if _, err := s.visiblePlan(t, token); err != nil {
		return TherapistPlan{}, err
	}
	ch, err := in.Validate()
	if err != nil {
		return TherapistPlan{}, err
	}
	now := s.now()
	_, err = s.DB.UpdatePlanWithSchedule(token, func(p *model.Plan) error {
		if ch.SetNextSession {
			if n := ch.NextSessionAt; n != nil && (!n.After(p.SessionAt) || n.After(now.AddDate(1, 0, 0))) {
				return model.InvalidField("nextSessionAt", "must be after the session and within a year from now")
			}
			p.NextSessionAt = ch.NextSessionAt
		}
		if ch.CadenceDays != nil {
			p.CadenceDays = *ch.CadenceDays
		}
		if ch.Notes != nil {
			p.Notes = *ch.Notes
		}
		if ch.AlertsHandled {
			at := now.UTC()
			p.AlertsHandledAt = &at
			p.AlertsHandledBy = t.ID
		}
		if ch.ExtendDays > 0 {
			if !p.Active(now) {
				// Re-open an ended plan: it runs for ExtendDays from today.
				p.EndedAt = nil
				p.Days = max(p.Days, daysSince(*p, now))
			}
			if p.Days+ch.ExtendDays > MaxPlanDays {
				return model.InvalidField("extendDays", fmt.Sprintf("a plan runs at most %d days", MaxPlanDays))
			}
			p.Days += ch.ExtendDays
		}
		return nil
	}, s.Scheduler.States)
	if err != nil {
		return TherapistPlan{}, err
	}
	return s.PlanFor(t, token)
}

// daysSince counts the plan's local days from the session day to today.
func daysSince(p model.Plan, now time.Time) int {
	loc := p.Location()
	return localDays(p.SessionAt.In(loc), now.In(loc))
}

func localDays(from, to time.Time) int {
	a := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	b := time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// EndPlan stops a plan now: no more reminders (an ended plan's schedule is empty).
func (s *Service) EndPlan(t model.Therapist, token string) (TherapistPlan, error) {
	if _, err := s.visiblePlan(t, token); err != nil {
		return TherapistPlan{}, err
	}
	now := s.now().UTC()
	_, err := s.DB.UpdatePlanWithSchedule(token, func(p *model.Plan) error {
		if p.EndedAt == nil {
			p.EndedAt = &now
		}
		return nil
	}, s.Scheduler.States)
	if err != nil {
		return TherapistPlan{}, err
	}
	return s.PlanFor(t, token)
}

// Attention reasons on the clients list, most urgent first.
const (
	AttentionRedFlag   = "red-flag"
	AttentionStillSore = "still-sore"
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
	Latest        *model.CheckIn `json:"latest"`
	RedFlag       bool           `json:"redFlag"`
	StillSore     bool           `json:"stillSore"`
	Attention     string         `json:"attention"`
}

// Adherence counts the plan's local days with at least one stretch session, out of its days so far.
func Adherence(p model.Plan, done []model.Completion, now time.Time) (stretched, soFar int) {
	loc := p.Location()
	if now.Before(p.SessionAt) {
		return 0, 0
	}
	last := now
	if end := p.EndsAt(); !now.Before(end) {
		last = end.Add(-time.Second)
	}
	if p.EndedAt != nil && p.EndedAt.Before(last) {
		last = *p.EndedAt
	}
	soFar = min(localDays(p.SessionAt.In(loc), last.In(loc))+1, p.Days)
	days := map[string]bool{}
	for _, c := range done {
		if c.Done == 0 || c.At.Before(p.SessionAt.Add(-12*time.Hour)) || c.At.After(last) {
			continue
		}
		days[c.At.In(loc).Format(time.DateOnly)] = true
	}
	return min(len(days), soFar), soFar
}

// Clients lists the plans t may see with what needs attention on top.
func (s *Service) Clients(t model.Therapist) ([]ClientSummary, error) {
	plans, err := s.PlansFor(t)
	if err != nil {
		return nil, err
	}
	now := s.now()
	names := map[string]string{}
	out := make([]ClientSummary, 0, len(plans))
	for _, p := range plans {
		done, err := s.DB.Completions(p.Token)
		if err != nil {
			return nil, err
		}
		checks, err := s.DB.CheckIns(p.Token)
		if err != nil {
			return nil, err
		}
		if _, ok := names[p.TherapistID]; !ok {
			if th, err := s.DB.Therapist(p.TherapistID); err == nil {
				names[p.TherapistID] = th.Name
			}
		}
		r, _ := routines.RoutineByID(p.RoutineID)
		c := ClientSummary{
			Token: p.Token, ClientName: p.ClientName, TherapistID: p.TherapistID, TherapistName: names[p.TherapistID],
			RoutineName: r.Name, SessionAt: p.SessionAt, NextSessionAt: p.NextSessionAt, EndsAt: p.EndsAt(),
			Active: p.Active(now), LastActivity: p.SessionAt,
		}
		if p.EndedAt != nil && p.EndedAt.Before(c.EndsAt) {
			c.EndsAt = *p.EndedAt
		}
		c.StretchedDays, c.DaysSoFar = Adherence(p, done, now)
		for _, d := range done {
			if d.At.After(c.LastActivity) {
				c.LastActivity = d.At
			}
		}
		for i := range checks {
			ci := checks[i]
			if ci.At.After(c.LastActivity) {
				c.LastActivity = ci.At
			}
			// Alerts a therapist already marked handled do not count again.
			if ci.Urgent() && p.AlertPending(ci) {
				c.RedFlag = true
			}
			c.Latest = &ci
		}
		if c.Latest != nil && c.Latest.StillSoreAfter48h(p.SessionAt) && p.AlertPending(*c.Latest) {
			c.StillSore = true
		}
		c.InactiveDays = max(0, int(now.Sub(c.LastActivity).Hours()/24))
		switch {
		case c.RedFlag:
			c.Attention = AttentionRedFlag
		case c.StillSore:
			c.Attention = AttentionStillSore
		case c.Active && c.InactiveDays >= InactiveAfterDays:
			c.Attention = AttentionInactive
		}
		out = append(out, c)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := rank(a), rank(b); ra != rb {
			return ra < rb
		}
		if a.InactiveDays != b.InactiveDays {
			return a.InactiveDays > b.InactiveDays
		}
		return a.LastActivity.After(b.LastActivity)
	})
	return out, nil
}

func rank(c ClientSummary) int {
	switch {
	case c.Attention == AttentionRedFlag:
		return 0
	case c.Attention == AttentionStillSore:
		return 1
	case c.Active:
		return 2
	}
	return 3
}

// SubscribeTherapist upserts one of t's alert devices; created is true for a new endpoint.
func (s *Service) SubscribeTherapist(t model.Therapist, in model.SubscriptionInput) (bool, error) {
	sub, err := s.subscribe(store.TherapistOwner(t.ID), in)
	return sub.created, err
}

// UnsubscribeTherapist removes one of t's alert devices.
func (s *Service) UnsubscribeTherapist(t model.Therapist, in model.EndpointInput) error {
	endpoint, err := in.Validate()
	if err != nil {
		return err
	}
	err = s.DB.DeleteSubscription(store.TherapistOwner(t.ID), endpoint)
	if errors.Is(err, store.ErrNotFound) {
		return nil // already gone: the goal is reached
	}
	return err
}

// TherapistDevices counts t's alert devices.
func (s *Service) TherapistDevices(t model.Therapist) (int, error) {
	list, err := s.DB.Subscriptions(store.TherapistOwner(t.ID))
	return len(list), err
}
