package remind

import (
	"context"
	"errors"
	"time"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// DefaultAlertDigestEvery is how often, at most, a plan's further alerts
// reach the therapist after its first one: check-ins in between are gathered
// into one digest (sent on the first tick after the interval).
const DefaultAlertDigestEvery = 5 * time.Minute

// planAlerts is what the scheduler remembers of one plan's alerts.
type planAlerts struct {
	plan    model.Plan // the latest seen: its therapist may have changed
	lastAt  time.Time  // the last push, alert or digest
	pending int        // check-ins gathered since, for the next digest
}

// needsAlert reports whether check-in c on p is one the therapist must hear of.
func needsAlert(p model.Plan, c model.CheckIn) bool {
	return c.Urgent() || c.StillSoreAfter48h(p.SessionAt)
}

// alertMessage is the notification for a plan: its first alert (n == 0), or
// a digest of n check-ins gathered since, in the therapist's language l. A
// lock screen is not private: no client name and no health words; the
// details are behind the link.
func (s *Scheduler) alertMessage(p model.Plan, n int, l *locale.Locale) push.Message {
	body := l.Text("alert.body")
	if n > 0 {
		body = l.Count("alert.digest", n, nil)
	}
	topic := Topic(p.Token, "alert")
	return push.Message{
		// One tag per plan: a digest replaces the plan's earlier notification.
		Kind: model.KindCheckIn, Title: l.Text("alert.title"), Body: body,
		// The workspace's route for one plan (pwa/static/therapist/app.js).
		URL: s.baseURL + "/therapist#/plan/" + p.Token, Tag: "alert-" + topic[:8],
		Topic: topic, TTL: 24 * time.Hour, Urgency: "high",
	}
}

// gatherAlert decides, under s.mu, whether check-in c on p is alerted now
// (the plan's first in DefaultAlertDigestEvery) or gathered for a digest.
func (s *Scheduler) gatherAlert(p model.Plan, now time.Time) (immediate bool) {
	st := s.alertPlans[p.Token]
	if st != nil && (st.pending > 0 || now.Sub(st.lastAt) < s.digestEvery) {
		st.plan = p
		st.pending++
		return false
	}
	if st == nil {
		st = &planAlerts{}
		s.alertPlans[p.Token] = st
	}
	st.plan, st.lastAt = p, now
	return true
}

// digest is one plan's gathered check-ins, ready to send.
type digest struct {
	plan model.Plan
	n    int
}

// takeDigests returns, under s.mu, the plans whose gathered check-ins are
// due by now (all of them when force is set) and forgets plans quiet for an
// interval.
func (s *Scheduler) takeDigests(now time.Time, force bool) []digest {
	var out []digest
	for token, st := range s.alertPlans {
		switch {
		case st.pending > 0 && (force || now.Sub(st.lastAt) >= s.digestEvery):
			out = append(out, digest{plan: st.plan, n: st.pending})
			st.pending, st.lastAt = 0, now
		case st.pending == 0 && now.Sub(st.lastAt) >= s.digestEvery:
			delete(s.alertPlans, token)
		}
	}
	return out
}

// sendDigests sends the digests due by now, in the background like alerts.
// The tick calls it each minute.
func (s *Scheduler) sendDigests(now time.Time) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	due := s.takeDigests(now, false)
	s.alerts.Add(len(due))
	ctx := s.alertsCtx
	s.mu.Unlock()
	s.launchDigests(ctx, due)
}

// launchDigests sends each digest in its own goroutine; the caller has
// added them to s.alerts.
func (s *Scheduler) launchDigests(ctx context.Context, due []digest) {
	for _, d := range due {
		s.launchAlert(ctx, d.plan.Token, func(ctx context.Context) error {
			return s.sendAlert(ctx, d.plan, d.n)
		})
	}
}

// launchAlert runs send in the background within AlertTimeout; the caller
// has added it to s.alerts. Failures are logged.
func (s *Scheduler) launchAlert(ctx context.Context, token string, send func(context.Context) error) {
	go func() {
		defer s.alerts.Done()
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("alert therapist panicked", "plan", shortToken(token), "panic", r)
			}
		}()
		ctx, cancel := context.WithTimeout(ctx, AlertTimeout)
		defer cancel()
		if err := send(ctx); err != nil {
			s.log.Warn("alert therapist", "plan", shortToken(token), "err", err)
		}
	}()
}

// AlertTherapist pushes a red-flag check-in, or soreness still 7 or more 48 h
// after the session, to the therapist's alert devices at once; a no-op
// otherwise or when the therapist has no device. AlertTherapistAsync is the
// coalescing path check-ins take.
func (s *Scheduler) AlertTherapist(ctx context.Context, p model.Plan, c model.CheckIn) error {
	if !needsAlert(p, c) {
		return nil
	}
	return s.sendAlert(ctx, p, 0)
}

// sendAlert sends the alert about plan p (its first, n == 0, or a digest of
// n check-ins) to the devices of whoever gets its alerts, in their language.
func (s *Scheduler) sendAlert(ctx context.Context, p model.Plan, n int) error {
	to, ok, err := s.alertRecipient(p.TherapistID)
	if err != nil || !ok {
		return err
	}
	_, err = s.sendToOwner(ctx, store.TherapistOwner(to.ID), s.alertMessage(p, n, locale.Of(to.Language, s.defaultLang)))
	return err
}

// alertRecipient is the account whose devices get a plan's alerts: its
// therapist, or the studio owner when that account is disabled or gone (a red
// flag must reach someone who can act). ok is false when there is no one.
func (s *Scheduler) alertRecipient(therapistID string) (to model.Therapist, ok bool, err error) {
	t, err := s.db.Therapist(therapistID)
	switch {
	case err == nil && !t.Disabled:
		return t, true, nil
	case err != nil && !errors.Is(err, store.ErrNotFound):
		return t, false, err
	}
	all, err := s.db.Therapists()
	if err != nil {
		return model.Therapist{}, false, err
	}
	for _, o := range all {
		if o.Owner && !o.Disabled {
			return o, true, nil
		}
	}
	return model.Therapist{}, false, nil
}

// AlertTimeout bounds one asynchronous therapist alert, the push service's
// retries included (it may ask to wait up to a minute).
const AlertTimeout = 2 * time.Minute

// AlertShutdownGrace is how long Stop lets alerts in flight finish before
// cancelling them, so shutdown stays inside a service manager's stop timeout.
const AlertShutdownGrace = 10 * time.Second

// AlertTherapistAsync alerts the therapist in the background, so that a
// check-in request does not wait on push services, and coalesces per plan:
// the plan's first alert goes at once; check-ins that follow within
// AlertDigestEvery are gathered, and the tick after the interval sends one
// digest saying how many. Stop sends what is gathered and waits for alerts
// in flight. Failures are logged.
func (s *Scheduler) AlertTherapistAsync(p model.Plan, c model.CheckIn) {
	if !needsAlert(p, c) {
		return
	}
	s.alertAsync(p)
}

// TellTherapistAsync is AlertTherapistAsync for a check-in the caller has
// judged: a version-2 check-in whose assessment says the therapist must hear
// of it (either tier, or advice that tells them). It takes the same coalesced
// path and sends the same words (no health words on a lock screen).
func (s *Scheduler) TellTherapistAsync(p model.Plan) { s.alertAsync(p) }

// alertAsync sends plan p's alert now, or gathers it for the next digest.
func (s *Scheduler) alertAsync(p model.Plan) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		s.log.Warn("alert therapist: the scheduler is stopped", "plan", shortToken(p.Token))
		return
	}
	if !s.gatherAlert(p, s.now()) {
		s.mu.Unlock()
		return
	}
	s.alerts.Add(1)
	alertsCtx := s.alertsCtx
	s.mu.Unlock()
	s.launchAlert(alertsCtx, p.Token, func(ctx context.Context) error { return s.sendAlert(ctx, p, 0) })
}
