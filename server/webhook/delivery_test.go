package webhook_test

import (
	"bytes"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
	"github.com/aftercare/aftercare/server/webhook"
)

// A plan's life arrives as four signed events: created, a check-in with its
// tier (and no note: the owner did not opt in), ended, erased. Each verifies
// with the README's algorithm and with the Standard Webhooks library, all
// carry the same plan id, and none carries the plan's token or the names.
func TestPlanLifeArrivesSigned(t *testing.T) {
	rcv := newReceiver(t, nil)
	f := newFixture(t, rcv, webhook.SettingsInput{})
	if !strings.HasPrefix(f.secret, "whsec_") {
		t.Fatalf("secret %q", f.secret)
	}
	const token = "tok_life_of_a_plan_0123456789ab"
	if err := f.db.CreatePlan(samplePlan(token)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.RecordCheckIn(token, sampleCheckIn("ci-1"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.UpdatePlan(token, func(p *model.Plan) error { at := sessionAt.Add(72 * time.Hour); p.EndedAt = &at; return nil }); err != nil {
		t.Fatal(err)
	}
	if err := f.db.DeletePlan(token); err != nil {
		t.Fatal(err)
	}
	got := rcv.waitFor(t, 4, 10*time.Second)

	lib, err := standardwebhooks.NewWebhook(f.secret)
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]map[string]any{}
	ids := map[string]bool{}
	for _, d := range got {
		if !verify(f.secret, d, time.Now()) {
			t.Errorf("delivery %s does not verify with the documented algorithm", d.ID)
		}
		h := http.Header{}
		h.Set("webhook-id", d.ID)
		h.Set("webhook-timestamp", d.Timestamp)
		h.Set("webhook-signature", d.Signature)
		if err := lib.Verify(d.Body, h); err != nil {
			t.Errorf("delivery %s: Standard Webhooks library: %v", d.ID, err)
		}
		if verify("whsec_"+strings.Repeat("A", 43)+"=", d, time.Now()) {
			t.Error("a wrong secret verifies")
		}
		if ids[d.ID] {
			t.Errorf("id %s delivered twice", d.ID)
		}
		ids[d.ID] = true
		for _, secretWord := range []string{token, "Sam", "piriformis", "wipe"} {
			if bytes.Contains(d.Body, []byte(secretWord)) {
				t.Errorf("body %s carries %q", d.Body, secretWord)
			}
		}
		typ, data := d.envelope(t)
		types[typ] = data
	}
	for _, typ := range []string{"plan.created", "checkin.created", "plan.ended", "plan.erased"} {
		if types[typ] == nil {
			t.Fatalf("no %s among %d deliveries", typ, len(got))
		}
	}
	planID := types["plan.created"]["planId"]
	if s, _ := planID.(string); !strings.HasPrefix(s, "pln_") {
		t.Fatalf("planId %v", planID)
	}
	for typ, data := range types {
		if data["planId"] != planID || data["therapistId"] != "th_1" {
			t.Errorf("%s: planId %v therapistId %v, want %v th_1", typ, data["planId"], data["therapistId"], planID)
		}
	}
	ci := types["checkin.created"]
	if ci["tier"] != "emergency-now" || ci["urgent"] != true || ci["soreness"] != 8.0 || ci["pain"] != 6.0 || ci["stillSore"] != true || ci["checkinId"] != "ci-1" {
		t.Errorf("checkin.created data %v", ci)
	}
	if _, ok := ci["note"]; ok {
		t.Errorf("note sent without the owner's opt-in: %v", ci)
	}
	if types["plan.ended"]["endedAt"] != "2026-11-05T10:00:00Z" {
		t.Errorf("plan.ended %v", types["plan.ended"])
	}
	waitPending(t, f.db, nil)
}

// With the owner's opt-in the check-in's note goes along; turned off while
// an event waits for a retry, that event goes without it.
func TestNoteOnlyWhenOptedIn(t *testing.T) {
	rcv := newReceiver(t, func(n int) (int, string) {
		if n == 1 {
			return http.StatusInternalServerError, ""
		}
		return http.StatusOK, ""
	})
	f := newFixture(t, rcv, webhook.SettingsInput{Events: &[]string{model.EventCheckInCreated}, IncludeNotes: true})
	if err := f.db.CreatePlan(samplePlan("tok_notes")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.RecordCheckIn("tok_notes", sampleCheckIn("ci-1"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	got := rcv.waitFor(t, 1, 5*time.Second)
	if typ, data := got[0].envelope(t); typ != "checkin.created" || data["note"] != "it feels different when I wipe" {
		t.Fatalf("first delivery %s %v, want the check-in with its note (plan.created is not chosen)", typ, data)
	}

	// The second check-in's first attempt fails (500); notes are turned off
	// before its retry (the service restarts with slow retries to be sure).
	waitPending(t, f.db, nil) // the first is recorded as delivered
	f.svc.Stop()
	f.svc = f.start([]time.Duration{time.Hour})
	if _, _, err := f.db.RecordCheckIn("tok_notes", sampleCheckIn("ci-2"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	rcv.waitFor(t, 2, 5*time.Second)
	u := rcv.url()
	if _, err := f.svc.Save(webhook.SettingsInput{URL: &u, Events: &[]string{model.EventCheckInCreated}}); err != nil {
		t.Fatal(err)
	}
	f.svc.Stop()
	f.svc = f.start(nil)
	dueNow(t, f.db)
	got = rcv.waitFor(t, 3, 5*time.Second)
	if got[2].ID != got[1].ID {
		t.Fatalf("retry has id %s, first attempt %s", got[2].ID, got[1].ID)
	}
	if typ, data := got[2].envelope(t); typ != "checkin.created" || data["checkinId"] != "ci-2" || data["note"] != nil {
		t.Fatalf("retry after notes were turned off: %s %v", typ, data)
	}
	if strings.Contains(string(got[2].Body), "wipe") {
		t.Fatalf("retry body %s", got[2].Body)
	}
	if !verify(f.secret, got[2], time.Now()) {
		t.Fatal("the retry without its note does not verify")
	}
}

// dueNow makes every queued event due at once, as if its retry wait were over.
func dueNow(t *testing.T, db *store.DB) {
	t.Helper()
	if _, err := db.OutboxDueAt(time.Now()); err != nil {
		t.Fatal(err)
	}
}

// A receiver that fails twice (500) and then takes the event gets it three
// times with the same id and body, spaced by the retry waits, and never again.
func TestRetriedWithTheSameID(t *testing.T) {
	rcv := newReceiver(t, func(n int) (int, string) {
		if n < 2 {
			return http.StatusInternalServerError, ""
		}
		return http.StatusOK, ""
	})
	f := newFixture(t, rcv, webhook.SettingsInput{Events: &[]string{model.EventPlanCreated}})
	if err := f.db.CreatePlan(samplePlan("tok_retry")); err != nil {
		t.Fatal(err)
	}
	got := rcv.waitFor(t, 3, 10*time.Second)
	for i, d := range got {
		if d.ID != got[0].ID || !bytes.Equal(d.Body, got[0].Body) {
			t.Errorf("attempt %d: id %s body %s; first %s %s", i+1, d.ID, d.Body, got[0].ID, got[0].Body)
		}
		if !verify(f.secret, d, time.Now()) {
			t.Errorf("attempt %d does not verify", i+1)
		}
		if i > 0 && d.At.Sub(got[i-1].At) < 30*time.Millisecond {
			t.Errorf("attempt %d came %v after the one before, want the retry wait (≥ 80 %% of 40 ms)", i+1, d.At.Sub(got[i-1].At))
		}
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(rcv.deliveries()); n != 3 {
		t.Fatalf("receiver saw %d requests, want 3", n)
	}
	v, err := f.svc.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if v.Pending != 0 || v.Status.LastDeliveredAt == nil || v.Status.LastFailure != "answered 500" || v.Status.Dropped != 0 {
		t.Fatalf("settings after delivery: %+v", v)
	}
}

// A failed event survives a restart: the outbox is in the database file,
// and the next process delivers it under the same id.
func TestRetryAfterRestart(t *testing.T) {
	rcv := newReceiver(t, func(n int) (int, string) {
		if n == 0 {
			return http.StatusServiceUnavailable, ""
		}
		return http.StatusOK, ""
	})
	f := newFixture(t, rcv, webhook.SettingsInput{Events: &[]string{model.EventPlanCreated}})
	f.svc.Stop()
	f.svc = f.start([]time.Duration{time.Hour}) // the retry would be an hour away
	if err := f.db.CreatePlan(samplePlan("tok_restart")); err != nil {
		t.Fatal(err)
	}
	first := rcv.waitFor(t, 1, 5*time.Second)[0]
	waitPending(t, f.db, func(e model.OutboxEvent) bool { return e.Attempts == 1 })
	f.svc.Stop()
	if err := f.db.Close(); err != nil {
		t.Fatal(err)
	}

	f.db = storetest.OpenDir(t, f.dir)
	dueNow(t, f.db) // the hour has passed
	f.svc = f.start(nil)
	got := rcv.waitFor(t, 2, 5*time.Second)
	if got[1].ID != first.ID || !bytes.Equal(got[1].Body, first.Body) {
		t.Fatalf("after restart: id %s body %s; before %s %s", got[1].ID, got[1].Body, first.ID, first.Body)
	}
	if !verify(f.secret, got[1], time.Now()) {
		t.Fatal("the delivery after restart does not verify")
	}
	waitPending(t, f.db, nil)
}

// waitPending waits until the outbox holds one event that ok accepts, or
// none when ok is nil.
func waitPending(t *testing.T, db *store.DB, ok func(model.OutboxEvent) bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		evs, _, err := db.DueEvents(time.Now().Add(48*time.Hour), 10)
		if err != nil {
			t.Fatal(err)
		}
		if ok == nil && len(evs) == 0 || ok != nil && len(evs) == 1 && ok(evs[0]) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	evs, _, _ := db.DueEvents(time.Now().Add(48*time.Hour), 10)
	t.Fatalf("outbox holds %+v", evs)
}

// Retry-After longer than the retry wait is honoured.
func TestRetryAfterHonoured(t *testing.T) {
	rcv := newReceiver(t, func(n int) (int, string) {
		if n == 0 {
			return http.StatusTooManyRequests, "1"
		}
		return http.StatusNoContent, ""
	})
	f := newFixture(t, rcv, webhook.SettingsInput{Events: &[]string{model.EventPlanCreated}})
	if err := f.db.CreatePlan(samplePlan("tok_later")); err != nil {
		t.Fatal(err)
	}
	got := rcv.waitFor(t, 2, 5*time.Second)
	if gap := got[1].At.Sub(got[0].At); gap < 900*time.Millisecond {
		t.Fatalf("retried %v after a 429 with Retry-After: 1", gap)
	}
}

// An event that fails its last retry is dropped and counted.
func TestDroppedAfterTheLastRetry(t *testing.T) {
	rcv := newReceiver(t, func(int) (int, string) { return http.StatusBadGateway, "" })
	f := newFixture(t, rcv, webhook.SettingsInput{Events: &[]string{model.EventPlanCreated}})
	if err := f.db.CreatePlan(samplePlan("tok_drop")); err != nil {
		t.Fatal(err)
	}
	rcv.waitFor(t, 1+len(fastRetries), 5*time.Second)
	waitPending(t, f.db, nil)
	time.Sleep(150 * time.Millisecond)
	if n := len(rcv.deliveries()); n != 1+len(fastRetries) {
		t.Fatalf("receiver saw %d attempts, want %d", n, 1+len(fastRetries))
	}
	v, err := f.svc.Settings()
	if err != nil {
		t.Fatal(err)
	}
	if v.Status.Dropped != 1 || v.Status.LastFailure != "answered 502" || !v.Enabled {
		t.Fatalf("settings %+v", v)
	}
}

// 410 Gone turns the webhook off and drops what waits; nothing more is queued
// until the owner saves the settings again.
func TestGoneTurnsTheWebhookOff(t *testing.T) {
	rcv := newReceiver(t, func(int) (int, string) { return http.StatusGone, "" })
	f := newFixture(t, rcv, webhook.SettingsInput{})
	if err := f.db.CreatePlan(samplePlan("tok_gone")); err != nil {
		t.Fatal(err)
	}
	rcv.waitFor(t, 1, 5*time.Second)
	deadline := time.Now().Add(5 * time.Second)
	var v webhook.Settings
	for time.Now().Before(deadline) {
		var err error
		if v, err = f.svc.Settings(); err != nil {
			t.Fatal(err)
		}
		if !v.Enabled {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if v.Enabled || !strings.Contains(v.DisabledReason, "410") || v.URL != rcv.url() {
		t.Fatalf("after 410: %+v", v)
	}
	if _, _, err := f.db.RecordCheckIn("tok_gone", sampleCheckIn("ci-1"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.db.CountOutbox(); n != 0 {
		t.Fatalf("%d events queued for a webhook that is off", n)
	}
	u := rcv.url()
	v, err := f.svc.Save(webhook.SettingsInput{URL: &u})
	if err != nil || !v.Enabled || v.Secret != "" || v.SecretHint != f.secret[:10]+"…" {
		t.Fatalf("saved again: %+v, %v (the secret stays)", v, err)
	}
}

// Erasing a plan removes its undelivered events; only plan.erased goes out.
func TestErasureTakesUndeliveredEvents(t *testing.T) {
	rcv := newReceiver(t, func(int) (int, string) { return http.StatusInternalServerError, "" })
	f := newFixture(t, rcv, webhook.SettingsInput{})
	f.svc.Stop() // nothing is delivered while the plan lives
	if err := f.db.CreatePlan(samplePlan("tok_erase")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.RecordCheckIn("tok_erase", sampleCheckIn("ci-1"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	if err := f.db.CreatePlan(samplePlan("tok_other")); err != nil {
		t.Fatal(err)
	}
	queued, _, err := f.db.DueEvents(time.Now().Add(time.Hour), 10)
	if err != nil || len(queued) != 3 {
		t.Fatalf("%d events queued, want 3 (%v)", len(queued), err)
	}
	for _, e := range queued {
		if bytes.Contains(e.Body, []byte("wipe")) {
			t.Errorf("the note is stored in the outbox without the owner's opt-in: %s", e.Body)
		}
	}
	if err := f.db.DeletePlan("tok_erase"); err != nil {
		t.Fatal(err)
	}
	evs, _, err := f.db.DueEvents(time.Now().Add(time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, e := range evs {
		types = append(types, e.Type)
		if bytes.Contains(e.Body, []byte("ci-1")) {
			t.Errorf("the erased plan's check-in is still queued: %s", e.Body)
		}
	}
	slices.Sort(types)
	if !slices.Equal(types, []string{"plan.created", "plan.erased"}) {
		t.Fatalf("queued after the erasure: %v (want the other plan's creation and the erasure)", types)
	}
}

// Removing the webhook (an empty URL) drops what waits and queues nothing more.
func TestRemovingTheWebhookDropsWhatWaits(t *testing.T) {
	rcv := newReceiver(t, nil)
	f := newFixture(t, rcv, webhook.SettingsInput{})
	f.svc.Stop()
	if err := f.db.CreatePlan(samplePlan("tok_removed")); err != nil {
		t.Fatal(err)
	}
	v, err := f.svc.Save(webhook.SettingsInput{URL: ptr("")})
	if err != nil || v.URL != "" || v.Enabled || v.Pending != 0 || v.SecretHint != "" {
		t.Fatalf("removed: %+v, %v", v, err)
	}
	if _, _, err := f.db.RecordCheckIn("tok_removed", sampleCheckIn("ci-1"), store.Limit{}); err != nil {
		t.Fatal(err)
	}
	if n, _ := f.db.CountOutbox(); n != 0 {
		t.Fatalf("%d events queued with no webhook", n)
	}
}

// A rotated secret signs next to the new one for a day, so a receiver that
// still holds the old one keeps verifying while it switches.
func TestRotatedSecretSignsAlongside(t *testing.T) {
	rcv := newReceiver(t, nil)
	f := newFixture(t, rcv, webhook.SettingsInput{})
	u := rcv.url()
	v, err := f.svc.Save(webhook.SettingsInput{URL: &u, RotateSecret: true})
	if err != nil {
		t.Fatal(err)
	}
	if v.Secret == "" || v.Secret == f.secret || v.PreviousSecretUntil == nil {
		t.Fatalf("rotation: %+v", v)
	}
	if again, _ := f.svc.Settings(); again.Secret != "" {
		t.Fatal("GET shows the secret")
	}
	res, err := f.svc.Test(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	d := rcv.waitFor(t, 1, 5*time.Second)[0]
	if d.ID != res.ID || len(strings.Fields(d.Signature)) != 2 || !verify(f.secret, d, time.Now()) || !verify(v.Secret, d, time.Now()) {
		t.Fatalf("ping %s signed %q: want it verified by the old and the new secret", d.ID, d.Signature)
	}
	if typ, data := d.envelope(t); typ != "ping" || data["message"] == "" {
		t.Fatalf("ping %s %v", typ, data)
	}
}

// The test button says how the receiver answered.
func TestPingReportsTheReceiversAnswer(t *testing.T) {
	rcv := newReceiver(t, func(int) (int, string) { return http.StatusForbidden, "" })
	f := newFixture(t, rcv, webhook.SettingsInput{})
	_, err := f.svc.Test(t.Context())
	var fe *webhook.FailedError
	var coded *model.Error
	if !errors.As(err, &fe) || fe.Status != http.StatusForbidden || fe.Failure != "answered 403" ||
		!errors.As(err, &coded) || coded.Code != model.BadGateway {
		t.Fatalf("Test: %v", err)
	}
	if n, _ := f.db.CountOutbox(); n != 0 {
		t.Fatalf("a failed ping left %d events queued", n)
	}
	if _, err := f.svc.Save(webhook.SettingsInput{URL: ptr("")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Test(t.Context()); !errors.Is(err, webhook.ErrNoWebhook) {
		t.Fatalf("Test with no webhook: %v", err)
	}
}
