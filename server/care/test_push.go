package care

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
)

// TestPushTimeout bounds a test notification: the client waits for its
// answer, so a slow or rate-limiting push service must not hold it for long.
const TestPushTimeout = 10 * time.Second

// ErrGone is returned for actions on a plan that has ended.
var ErrGone = model.GoneError("this plan has ended")

// ErrNoDevices is returned for a test notification to a plan none of whose
// devices has reminders turned on.
var ErrNoDevices = model.ConflictError("no device has reminders turned on for this plan")

// TestPushEvery is the least time between two test notifications of a plan:
// each one buzzes every device of the plan.
const TestPushEvery = 10 * time.Second

// tooSoon refuses a test notification asked for within TestPushEvery of the
// last one; wait is how long until the next may go.
func tooSoon(wait time.Duration) error {
	return model.TooManyError(fmt.Sprintf("a test reminder was just sent: wait %d seconds before sending another",
		int(math.Ceil(wait.Seconds()))), wait)
}

// TestPush sends one test notification to each of the plan's devices, within
// TestPushTimeout, and returns how many push services accepted it. A plan
// the therapist ended sends no reminders: ErrGone. A plan with no device:
// ErrNoDevices. Within TestPushEvery of the last one: TooMany with RetryAfter.
// What a push service answered comes back as a coded error (see pushRefusal).
func (s *Service) TestPush(ctx context.Context, token string) (int, error) {
	p, err := s.DB.Plan(token)
	if err != nil {
		return 0, err
	}
	if p.EndedAt != nil && !s.now().Before(*p.EndedAt) {
		return 0, ErrGone
	}
	devices, err := s.DB.Subscriptions(token)
	if err != nil {
		return 0, err
	}
	if len(devices) == 0 {
		return 0, ErrNoDevices
	}
	if wait := s.reserveTestPush(token); wait > 0 {
		return 0, tooSoon(wait)
	}
	ctx, cancel := context.WithTimeout(ctx, TestPushTimeout)
	defer cancel()
	n, err := s.Scheduler.TestPush(ctx, token)
	if err == nil && n == 0 {
		return 0, ErrNoDevices // every device was gone (404/410) and is deleted now
	}
	return n, pushRefusal(err)
}

// maxTestPushPlans bounds the remembered test notifications; older than
// TestPushEvery, they are forgotten when it is reached.
const maxTestPushPlans = 10_000

// reserveTestPush records a test notification for token now, or returns how
// long until one may go.
func (s *Service) reserveTestPush(token string) time.Duration {
	now := s.now()
	s.testPushMu.Lock()
	defer s.testPushMu.Unlock()
	if last, ok := s.testPushAt[token]; ok && now.Sub(last) < TestPushEvery {
		return TestPushEvery - now.Sub(last)
	}
	if s.testPushAt == nil {
		s.testPushAt = make(map[string]time.Time)
	}
	if len(s.testPushAt) >= maxTestPushPlans {
		for k, at := range s.testPushAt {
			if now.Sub(at) >= TestPushEvery {
				delete(s.testPushAt, k)
			}
		}
	}
	s.testPushAt[token] = now
	return 0
}

// pushRefusal turns what a push service answered a test notification (the
// client waits for it) into what the app can tell the person holding the
// phone; other errors pass unchanged. The push error stays the cause.
func pushRefusal(err error) error {
	var se *push.StatusError
	var te *push.TransportError
	refused := func(code model.Code, msg string) error { return &model.Error{Code: code, Message: msg, Err: err} }
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.CredentialsRefused():
		return refused(model.BadGateway, "the push service refused this server's credentials: "+
			"the studio's operator must set a real contact address with -vapid-subject")
	case errors.As(err, &se) && se.DeviceRefused():
		return refused(model.BadGateway, "your phone's push service refused this device: turn reminders off and on again")
	case errors.As(err, &se) && se.Status == http.StatusRequestEntityTooLarge:
		return refused(model.BadGateway, "the push service refused the message as too large")
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		return refused(model.Unavailable, "the push service asks us to slow down: try again in a few minutes")
	case errors.As(err, &se):
		return refused(model.BadGateway, "the push service did not take the message: try again in a few minutes")
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return refused(model.Timeout, "the push service did not answer in time: try again in a few minutes")
	case errors.Is(err, push.ErrEndpointNotAllowed):
		return refused(model.BadGateway, "this server no longer sends to this device's push service: turn reminders off and on again")
	}
	return err
}
