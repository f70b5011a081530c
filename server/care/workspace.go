package care

import (
	"errors"
	"fmt"
	"time"

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
