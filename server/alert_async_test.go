package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
)

// newWorkspaceWith is newWorkspace with the scheduler made by sched as the
// care service's.
func newWorkspaceWith(t *testing.T, sched func(*store.DB) care.Scheduler) *workspace {
	t.Helper()
	w := newWorkspace(t)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := &care.Service{DB: w.db, Scheduler: sched(w.db), Subs: acceptAll{}, Now: w.clock.Now, BaseURL: "http://care.test", Logger: logger}
	static := fstest.MapFS{"therapist/index.html": {Data: []byte("<!doctype html><title>workspace</title>")}}
	w.app = w.serve(svc, Deps{Static: static, Logger: logger, Illustration: func(string) ([]byte, bool) { return nil, false }})
	return w
}

func addAlertDevice(t *testing.T, db *store.DB, owner, endpoint string) {
	t.Helper()
	if _, err := db.PutSubscription(owner, model.Subscription{Endpoint: endpoint, P256dh: "k", Auth: "a", LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
}

// TestDisablingTherapistDropsAlertDevices: a disabled colleague's phone stops
// getting clients' red flags; the owner's devices and the same phone's
// reminders as a client stay.
func TestDisablingTherapistDropsAlertDevices(t *testing.T) {
	w := newWorkspace(t)
	owner := w.login(t, "owner@example.org")
	phone := "https://fcm.googleapis.com/fcm/send/a-phone"
	addAlertDevice(t, w.db, store.TherapistOwner(w.a.ID), phone)
	addAlertDevice(t, w.db, store.TherapistOwner(w.a.ID), "https://fcm.googleapis.com/fcm/send/a-laptop")
	addAlertDevice(t, w.db, store.TherapistOwner(w.owner.ID), "https://fcm.googleapis.com/fcm/send/owner")
	client := w.createPlan(t, w.login(t, "a@example.org"), "")
	addAlertDevice(t, w.db, client, phone)

	if r := w.do(t, owner, "PATCH", "/api/therapists/"+w.a.ID, `{"disabled":true}`); r.Status != 200 {
		t.Fatalf("disable: %d %s", r.Status, r.Body)
	}
	count := func(o string) int {
		subs, err := w.db.Subscriptions(o)
		if err != nil {
			t.Fatal(err)
		}
		return len(subs)
	}
	if n := count(store.TherapistOwner(w.a.ID)); n != 0 {
		t.Errorf("disabled therapist keeps %d alert devices", n)
	}
	if n := count(store.TherapistOwner(w.owner.ID)); n != 1 {
		t.Errorf("owner has %d alert devices, want 1", n)
	}
	if n := count(client); n != 1 {
		t.Errorf("the phone's client reminders: %d devices, want 1", n)
	}
	// Re-enabling works and deletes nothing more.
	if r := w.do(t, owner, "PATCH", "/api/therapists/"+w.a.ID, `{"disabled":false}`); r.Status != 200 {
		t.Fatalf("enable: %d %s", r.Status, r.Body)
	}
}

// TestCheckInDoesNotWaitForAlertPush: the therapist's push service answers
// 429 with Retry-After 20; the client's check-in is answered at once, the
// alert goes out on the retry, and stopping the scheduler waits for it.
func TestCheckInDoesNotWaitForAlertPush(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var waits []time.Duration
	sender, svc := pushtest.NewSender(t, func(c *push.Config) {
		// Honour the wait (up to a few seconds) until the test releases it.
		c.Sleep = func(ctx context.Context, d time.Duration) error {
			mu.Lock()
			waits = append(waits, d)
			mu.Unlock()
			select {
			case <-release:
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(min(d, 3*time.Second)):
			}
			return nil
		}
	})
	var sched *remind.Scheduler
	w := newWorkspaceWith(t, func(db *store.DB) care.Scheduler {
		sched = remind.New(remind.Config{DB: db, Sender: sender, BaseURL: "http://care.test"})
		return sched
	})
	defer sched.Stop()

	ep, p256dh, auth := svc.NewSubscription()
	if _, err := w.db.PutSubscription(store.TherapistOwner(w.a.ID), model.Subscription{Endpoint: ep, P256dh: p256dh, Auth: auth, LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
	svc.Behave(ep, pushtest.Behavior{Status: http.StatusTooManyRequests, Times: 1, RetryAfter: "20"})
	token := w.createPlan(t, w.login(t, "a@example.org"), "")

	start := time.Now()
	r := w.do(t, nil, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-flag1","soreness":3,"pain":6,"redFlags":["saddle-numbness"]}`)
	took := time.Since(start)
	if r.Status != 201 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	if took > time.Second {
		t.Fatalf("the check-in waited %v on the therapist's push service", took)
	}
	close(release)
	sched.Stop() // waits for the alert in flight
	got := svc.Received()
	if len(got) != 1 || got[0].Endpoint != ep {
		t.Fatalf("therapist got %d alerts, want 1 (refusals %v)", len(got), svc.Refusals())
	}
	var pl struct{ Title, URL string }
	if err := json.Unmarshal(got[0].Payload, &pl); err != nil {
		t.Fatal(err)
	}
	if pl.Title != "aftercare" || pl.URL != "/therapist#/plan/"+token {
		t.Errorf("alert %+v", pl)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(waits) != 1 || waits[0] != 20*time.Second {
		t.Errorf("sender waits %v, want the push service's 20 s", waits)
	}
}
