package remind

import (
	"fmt"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// States derives the plan's rule states as of now: each rule's next firing,
// never the local time stored (in stored) as last sent. An ended plan has
// none. It only computes, so it can run inside the store's write transaction
// (store.ScheduleFunc): a plan and its schedule are stored together.
func (s *Scheduler) States(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
	now := s.now()
	states := []store.RuleState{}
	if ended(p, now) {
		return states, nil
	}
	rules, err := derive(p, "", s.defaultLang)
	if err != nil {
		return nil, fmt.Errorf("schedule %s: %w", shortToken(p.Token), err)
	}
	last := make(map[string]string, len(stored))
	for _, o := range stored {
		last[o.RuleID] = o.LastSentLocal
	}
	for i := range rules {
		r := &rules[i]
		st := store.RuleState{RuleID: r.ID, Kind: r.Kind}
		if f, ok := r.Next(now, last[r.ID]); ok {
			st.NextFire, st.NextLocal = f.At, f.Local
		}
		states = append(states, st)
	}
	return states, nil
}

// repair writes the schedule of every plan stored without one that still
// has a reminder to send (servers before plans and schedules were stored
// together could answer 201 and keep the plan without its reminders). It
// logs counts only: no tokens, no names.
func (s *Scheduler) repair() {
	failed := 0
	n, err := s.db.RepairSchedules(func(p model.Plan, stored []store.RuleState) ([]store.RuleState, error) {
		states, err := s.States(p, stored)
		if err != nil {
			failed++
			return nil, nil // leave this plan alone, repair the others
		}
		for _, st := range states {
			if !st.NextFire.IsZero() {
				return states, nil
			}
		}
		return nil, nil // nothing left to send: nothing to repair
	})
	switch {
	case err != nil:
		s.log.Error("repair reminder schedules", "err", err)
	case n > 0:
		s.log.Warn("repaired reminder schedules of plans stored without one", "count", n)
	}
	if failed > 0 {
		s.log.Error("plans stored without a reminder schedule that cannot be scheduled", "count", failed)
	}
}
