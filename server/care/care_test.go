package care

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// stubScheduler records what the service asks of the scheduler.
type stubScheduler struct {
	mu       sync.Mutex
	deadline time.Duration // TestPush: time left on its context
	hasDL    bool
	tests    int
	alerts   []string // check-in IDs handed over
}

func (s *stubScheduler) States(model.Plan, []store.RuleState) ([]store.RuleState, error) {
	return nil, nil
}

func (s *stubScheduler) TestPush(ctx context.Context, _ string) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tests++
	dl, ok := ctx.Deadline()
	s.hasDL, s.deadline = ok, time.Until(dl)
	return 1, nil
}

func (s *stubScheduler) AlertTherapistAsync(_ model.Plan, c model.CheckIn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, c.ID)
}

func (s *stubScheduler) TellTherapistAsync(p model.Plan) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.alerts = append(s.alerts, "told:"+p.Token)
}

func newService(t *testing.T) (*Service, *stubScheduler, model.Plan) {
	t.Helper()
	db := storetest.Open(t)
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	p := model.Plan{Token: model.NewToken(), TherapistID: "th1", ClientName: "Sam", RoutineID: "gentle-sciatica-aftercare",
		SessionAt: now.Add(-26 * time.Hour), TimeZone: "Europe/Berlin", StretchTime: "19:00", Days: 7,
		Prefs: model.DefaultPrefs(), CreatedAt: now.Add(-26 * time.Hour)}
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	sched := &stubScheduler{}
	return &Service{DB: db, Scheduler: sched, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, sched, p
}

// TestTestPushEndedPlanAndTimeout: a test notification for an ended plan is
// ErrGone without touching the push services; otherwise it runs under
// TestPushTimeout.
func TestTestPushEndedPlanAndTimeout(t *testing.T) {
	svc, sched, p := newService(t)
	if _, err := svc.DB.PutSubscription(p.Token, model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/x", P256dh: "k", Auth: "a"}); err != nil {
		t.Fatal(err)
	}
	if n, err := svc.TestPush(context.Background(), p.Token); n != 1 || err != nil {
		t.Fatalf("TestPush = %d, %v", n, err)
	}
	if !sched.hasDL || sched.deadline > TestPushTimeout || sched.deadline < TestPushTimeout-time.Second {
		t.Fatalf("TestPush context: deadline %v (set %v), want about %v", sched.deadline, sched.hasDL, TestPushTimeout)
	}
	ended := svc.now().Add(-time.Hour)
	if _, err := svc.DB.UpdatePlan(p.Token, func(p *model.Plan) error { p.EndedAt = &ended; return nil }); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.TestPush(context.Background(), p.Token); !errors.Is(err, ErrGone) {
		t.Fatalf("ended plan: %v, want ErrGone", err)
	}
	if sched.tests != 1 {
		t.Fatalf("the scheduler was asked %d times, want 1", sched.tests)
	}
	if _, err := svc.TestPush(context.Background(), "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown plan: %v", err)
	}
}

// TestAddCheckInHandsAlertOver: a red flag is handed to the scheduler to
// send in the background, once; an ordinary check-in is not.
func TestAddCheckInHandsAlertOver(t *testing.T) {
	svc, sched, p := newService(t)
	for _, body := range []string{
		`{"id":"checkin-ok1","soreness":4,"pain":3}`,
		`{"id":"checkin-red1","soreness":3,"pain":8,"redFlags":["leg-weakness"]}`,
		`{"id":"checkin-red1","soreness":3,"pain":8,"redFlags":["leg-weakness"]}`, // a resend
	} {
		var in model.CheckInInput
		if err := model.DecodeStrict([]byte(body), &in); err != nil {
			t.Fatal(err)
		}
		if _, _, _, err := svc.AddCheckIn(context.Background(), p.Token, in); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
	}
	if len(sched.alerts) != 1 || sched.alerts[0] != "checkin-red1" {
		t.Fatalf("alerts handed over: %v", sched.alerts)
	}
}
