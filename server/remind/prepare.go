package remind

import (
	"context"
	"time"

	"github.com/aftercare/aftercare/server/locale"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// The therapist's opt-in "prepare" reminder (model.Therapist.PrepareReminder):
// at PrepareHour in the plan's zone the day before each booked session, a push
// to the therapist's devices that opens the plan's summary. Its words name
// neither the client nor anything about their health (a lock screen is not private).
const (
	PrepareHour = 8
	// PrepareGrace: a tick missed (a restart) still sends it this long after PrepareHour.
	PrepareGrace = 4 * time.Hour
	// prepareEvery: every zone's offset is a multiple of 15 minutes, so
	// PrepareHour strikes somewhere only on the quarter hours.
	prepareEvery = 15 * time.Minute
)

// PrepareReminderAt is when the prepare reminder for a session at next goes, in zone loc.
func PrepareReminderAt(next time.Time, loc *time.Location) time.Time {
	n := next.In(loc)
	return time.Date(n.Year(), n.Month(), n.Day()-1, PrepareHour, 0, 0, 0, loc)
}

// sendPrepareReminders sends, in the background, the prepare reminders due
// by now that were not sent yet: on the quarter hours, and on the first tick
// after a start (a stored mark keeps each to once per session).
func (s *Scheduler) sendPrepareReminders(now time.Time) {
	s.mu.Lock()
	due := s.prepareCheckedAt.IsZero() || now.Truncate(prepareEvery).After(s.prepareCheckedAt)
	if due {
		s.prepareCheckedAt = now
	}
	stopped := s.stopped
	s.mu.Unlock()
	if !due || stopped {
		return
	}
	therapists, err := s.db.Therapists()
	if err != nil {
		s.log.Error("prepare reminders: therapists", "err", err)
		return
	}
	for _, t := range therapists {
		if !t.PrepareReminder || t.Disabled {
			continue
		}
		// A session up to two days ahead is at most that far from its reminder's grace.
		rows, err := s.db.UpcomingSessions(t.ID, now, now.Add(48*time.Hour))
		if err != nil {
			s.log.Error("prepare reminders: sessions", "therapist", t.ID, "err", err)
			continue
		}
		for _, r := range rows {
			p := r.Plan()
			at := PrepareReminderAt(*r.NextSessionAt, p.Location())
			if now.Before(at) || !now.Before(at.Add(PrepareGrace)) {
				continue
			}
			first, err := s.db.MarkPrepareSent(r.Token, *r.NextSessionAt)
			if err != nil {
				s.log.Error("prepare reminders: mark", "plan", shortToken(r.Token), "err", err)
				continue
			}
			if first {
				s.launchPrepare(t, r.Token)
			}
		}
	}
}

// launchPrepare pushes plan token's prepare reminder to therapist t's devices
// in the background, as alerts go.
func (s *Scheduler) launchPrepare(t model.Therapist, token string) {
	s.mu.Lock()
	if s.stopped {
		s.mu.Unlock()
		return
	}
	s.alerts.Add(1)
	ctx := s.alertsCtx
	s.mu.Unlock()
	msg := s.prepareMessage(token, locale.Of(t.Language, s.defaultLang))
	s.launchAlert(ctx, token, func(ctx context.Context) error {
		_, err := s.sendToOwner(ctx, store.TherapistOwner(t.ID), msg)
		return err
	})
}

// prepareMessage is the prepare reminder for plan token in the therapist's language l.
func (s *Scheduler) prepareMessage(token string, l *locale.Locale) push.Message {
	topic := Topic(token, "prepare")
	return push.Message{
		Kind: model.KindFollowUp, Title: l.Text("alert.title"), Body: l.Text("therapist.prepare.body"),
		// The workspace's summary screen for the plan (pwa/static/therapist).
		URL: s.baseURL + "/therapist#/plan/" + token + "/summary", Tag: "prepare-" + topic[:8],
		Topic: topic, TTL: 12 * time.Hour, Urgency: "normal",
	}
}
