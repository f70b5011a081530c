package remind

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare/server/model"
)

// Entry points only tests and benchmarks use: the server ticks through Start
// (runTick), and stores a plan together with its schedule through States
// (care, store.ScheduleFunc).

// Tick sends every reminder due by now and commits each one's next fire time.
// Its work is proportional to the number of due entries, not to the number of
// plans. Between rounds it stops if ctx is done; a round in flight finishes.
// When the scheduler seals ahead, Tick first seals what fell due in the
// WarmAhead before now, as runTick's passes after the minutes before would
// have: every test of what is sent runs through the sealed path too.
func (s *Scheduler) Tick(ctx context.Context) (TickStats, error) {
	s.ticking.Lock()
	defer s.ticking.Unlock()
	if s.sealed != nil {
		s.sealAhead(ctx, s.now().Add(-WarmAhead))
	}
	return s.tick(ctx)
}

// Schedule derives the plan's rules and writes their next fire times, replacing
// what was scheduled before, in a transaction of its own. An ended plan keeps
// no schedule.
func (s *Scheduler) Schedule(p model.Plan) error {
	old, err := s.db.ScheduledStates(p.Token)
	if err != nil {
		return err
	}
	states, err := s.States(p, old)
	if err != nil {
		return err
	}
	if err := s.db.ReplaceSchedule(p.Token, states); err != nil {
		return fmt.Errorf("schedule %s: %w", shortToken(p.Token), err)
	}
	return nil
}
