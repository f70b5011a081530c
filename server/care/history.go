package care

import (
	"errors"
	"fmt"
	"time"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// ErrCheckInIDReused is returned when a check-in reuses a stored check-in's id with other answers.
var ErrCheckInIDReused = model.ConflictError("this id was used for a different check-in")

// ErrCompletionIDReused is returned when a completion reuses a stored completion's id with other content.
var ErrCompletionIDReused = model.ConflictError("this id was used for a different completion")

// historyLimit is the store's limit for a write to p at now: the day is the client's.
func historyLimit(p model.Plan, now time.Time, perDay, total int) store.Limit {
	return store.Limit{Day: now.In(p.Location()).Format(time.DateOnly), PerDay: perDay, Total: total}
}

// limitError turns the store's limit sentinels into the client's answer: a
// daily limit is TooMany until the client's next local midnight, the plan's
// total a Conflict (waiting does not help). Limit names it, e.g.
// "check-ins-per-day", "completions-per-plan"; what is "check-ins" or "completions".
func limitError(err error, what string, p model.Plan, now time.Time, perDay, total int) error {
	switch {
	case errors.Is(err, store.ErrDailyLimit):
		local := now.In(p.Location())
		midnight := time.Date(local.Year(), local.Month(), local.Day()+1, 0, 0, 0, 0, local.Location())
		return &model.Error{Code: model.TooMany, RetryAfter: midnight.Sub(now), Limit: what + "-per-day",
			Message: fmt.Sprintf("this plan already has %d %s today, the most it accepts in one day; please try again tomorrow", perDay, what)}
	case errors.Is(err, store.ErrTotalLimit):
		return &model.Error{Code: model.Conflict, Limit: what + "-per-plan",
			Message: fmt.Sprintf("this plan already holds %d %s, the most one plan keeps; ask your therapist for a new plan", total, what)}
	}
	return err
}

// HistoryPage is one page of a plan's check-ins or completions, newest first.
type HistoryPage[T any] struct {
	Items []T `json:"items"`
	// Total is how many the plan holds.
	Total int `json:"total"`
	// Next, passed as ?before=, gives the next older page; empty on the oldest page.
	Next string `json:"next"`
}

// CheckIns returns a page of the plan's check-ins, for its client.
func (s *Service) CheckIns(token string, q model.PageQuery) (HistoryPage[model.CheckIn], error) {
	if _, err := s.DB.Plan(token); err != nil {
		return HistoryPage[model.CheckIn]{}, err
	}
	items, total, next, err := s.DB.CheckInPage(token, q)
	return HistoryPage[model.CheckIn]{Items: items, Total: total, Next: next.String()}, err
}

// Completions returns a page of the plan's completions, for its client.
func (s *Service) Completions(token string, q model.PageQuery) (HistoryPage[model.Completion], error) {
	if _, err := s.DB.Plan(token); err != nil {
		return HistoryPage[model.Completion]{}, err
	}
	items, total, next, err := s.DB.CompletionPage(token, q)
	return HistoryPage[model.Completion]{Items: items, Total: total, Next: next.String()}, err
}

// PlanCheckIns returns a page of the plan's check-ins if t may see the plan.
func (s *Service) PlanCheckIns(t model.Therapist, token string, q model.PageQuery) (HistoryPage[model.CheckIn], error) {
	if _, err := s.visiblePlan(t, token); err != nil {
		return HistoryPage[model.CheckIn]{}, err
	}
	return s.CheckIns(token, q)
}

// PlanCompletions returns a page of the plan's completions if t may see the plan.
func (s *Service) PlanCompletions(t model.Therapist, token string, q model.PageQuery) (HistoryPage[model.Completion], error) {
	if _, err := s.visiblePlan(t, token); err != nil {
		return HistoryPage[model.Completion]{}, err
	}
	return s.Completions(token, q)
}

// Series is the soreness chart of a plan: its check-ins' numbers, oldest first.
type Series struct {
	// Points are [unix seconds, soreness, pain, red flag 0/1], at most model.MaxCheckIns (the newest).
	Points []model.Point `json:"points"`
	Total  int           `json:"total"`
	// Chart is the same check-ins as clinic.Chart points (back and leg pain,
	// soreness, tier; a version-1 check-in's pain as both), with every PSFS
	// rating's average, oldest first.
	Chart []clinic.ChartPoint `json:"chart"`
}

// PlanSeries returns the plan's chart if t may see the plan.
func (s *Service) PlanSeries(t model.Therapist, token string) (Series, error) {
	if _, err := s.visiblePlan(t, token); err != nil {
		return Series{}, err
	}
	readings, err := s.DB.Readings(token)
	if err != nil {
		return Series{}, err
	}
	out := Series{Points: []model.Point{}, Total: len(readings)}
	for _, r := range readings[max(0, len(readings)-model.MaxCheckIns):] {
		out.Points = append(out.Points, r.Point())
	}
	out.Chart, err = s.chart(token)
	return out, err
}

// pendingRedFlag is the newest check-in with a red flag that arrived after the
// plan's alerts were last marked handled, or nil.
func (s *Service) pendingRedFlag(p model.Plan) (*model.Reading, error) {
	readings, err := s.DB.Readings(p.Token)
	if err != nil {
		return nil, err
	}
	for i := len(readings) - 1; i >= 0; i-- {
		r := readings[i]
		if len(r.RedFlags) > 0 && p.AlertPending(model.CheckIn{At: r.At, ReceivedAt: r.ReceivedAt}) {
			return &r, nil
		}
	}
	return nil, nil
}
