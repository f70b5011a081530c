package remind

import (
	"context"
	"fmt"

	"github.com/aftercare/aftercare/server/push"
)

// sendToOwner sends msg to every device of owner, deletes the gone ones, and
// returns how many were delivered; an error only if none was and one failed.
func (s *Scheduler) sendToOwner(ctx context.Context, owner string, msg push.Message) (int, error) {
	subs, err := s.db.Subscriptions(owner)
	if err != nil || len(subs) == 0 {
		return 0, err
	}
	jobs := make([]push.Job, len(subs))
	for i, sub := range subs {
		jobs[i] = jobFor(sub, msg)
	}
	delivered := 0
	var firstErr error
	var refused []string
	for i, r := range s.sender.SendAll(ctx, jobs) {
		switch {
		case r.Gone:
			if err := s.db.DeleteEndpoint(jobs[i].Sub.Endpoint); err != nil {
				return delivered, err
			}
		case r.Delivered():
			delivered++
		default:
			if r.DeviceRefused() {
				refused = append(refused, jobs[i].Sub.Endpoint)
			}
			if firstErr == nil {
				firstErr = r.Err
				if firstErr == nil {
					firstErr = fmt.Errorf("push service answered %d", r.Status)
				}
			}
		}
	}
	// The phone learns it when it next re-syncs, and subscribes afresh.
	if err := s.db.MarkNeedsResubscribe(refused...); err != nil {
		return delivered, err
	}
	if delivered == 0 && firstErr != nil {
		return 0, fmt.Errorf("%s push: %w", msg.Kind, firstErr)
	}
	return delivered, nil
}
