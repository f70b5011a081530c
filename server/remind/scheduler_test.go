package remind

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
)

const testBaseURL = "https://care.example.org"

// fakeClock is the injected clock; tests move it, nothing sleeps.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func openDB(tb testing.TB, dir string) *store.DB {
	tb.Helper()
	db, err := store.Open(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return db
}

// recorder is a Sender that accepts every push and remembers it.
type recorder struct {
	mu   sync.Mutex
	jobs []push.Job
}

func (r *recorder) SendAll(_ context.Context, jobs []push.Job) []push.Result {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.jobs = append(r.jobs, jobs...)
	out := make([]push.Result, len(jobs))
	for i := range out {
		out[i] = push.Result{Status: 201, Attempts: 1}
	}
	return out
}

func (r *recorder) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, j := range r.jobs {
		out = append(out, j.Msg.Kind)
	}
	return out
}

// loopbackSender is the real push.Sender aimed at a pushtest service on 127.0.0.1.
func loopbackSender(tb testing.TB) (*push.Sender, *pushtest.Service) {
	tb.Helper()
	keys, err := push.LoadOrCreateKeys(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	svc := pushtest.New(tb, keys.Public)
	allow, err := push.NewAllowlist([]string{svc.URL + "/"})
	if err != nil {
		tb.Fatal(err)
	}
	sender, err := push.NewSender(push.Config{
		Keys: keys, Subject: "ops@example.org", Allow: allow,
		Sleep: func(context.Context, time.Duration) error { return nil },
	})
	if err != nil {
		tb.Fatal(err)
	}
	return sender, svc
}

func addDevice(tb testing.TB, db *store.DB, owner, endpoint, p256dh, auth string) {
	tb.Helper()
	if _, err := db.PutSubscription(owner, model.Subscription{Endpoint: endpoint, P256dh: p256dh, Auth: auth, LastSeen: time.Now()}); err != nil {
		tb.Fatal(err)
	}
}

type payload struct {
	Title, Body, URL, Kind, Tag string
}

func decode(tb testing.TB, r pushtest.Received) payload {
	tb.Helper()
	var p payload
	if err := json.Unmarshal(r.Payload, &p); err != nil {
		tb.Fatalf("payload %s: %v", r.Payload, err)
	}
	return p
}

func tick(tb testing.TB, s *Scheduler) TickStats {
	tb.Helper()
	st, err := s.Tick(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return st
}

func berlin(tb testing.TB, y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, mustLoc(tb, "Europe/Berlin"))
}

// TestTickEndToEnd: reminders reach a loopback push service that verifies
// VAPID and decrypts them, once per device, never twice; a gone device is
// deleted; a finished routine silences that day's stretch; an erased plan
// sends nothing.
func TestTickEndToEnd(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	sender, svc := loopbackSender(t)
	clk := &fakeClock{}
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})

	p := testPlan(t, model.NewToken())
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	ep1, k1, a1 := svc.NewSubscription()
	ep2, k2, a2 := svc.NewSubscription()
	addDevice(t, db, p.Token, ep1, k1, a1)
	addDevice(t, db, p.Token, ep2, k2, a2)
	clk.Set(berlin(t, 2026, 11, 26, 10, 5))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}

	// 12:00 hydration and 13:00 tip are due; a tick at 18:59 finds them
	// more than 2 h late and skips them. Nothing for the stretch yet.
	clk.Set(berlin(t, 2026, 11, 26, 18, 59))
	if st := tick(t, s); st.Late != 2 || st.Sent != 0 {
		t.Fatalf("18:59: %+v", st)
	}
	if n := len(svc.Received()); n != 0 {
		t.Fatalf("received %d before the stretch time", n)
	}

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	st := tick(t, s)
	if st.Sent != 1 || st.Pushes != 2 || st.Delivered != 2 {
		t.Fatalf("19:00: %+v (refusals %v)", st, svc.Refusals())
	}
	got := svc.Received()
	if len(got) != 2 || got[0].Endpoint == got[1].Endpoint {
		t.Fatalf("received %+v", got)
	}
	for _, r := range got {
		pl := decode(t, r)
		if pl.Kind != "stretch" || pl.URL != "/p/"+p.Token+"#/play" || !strings.HasPrefix(pl.Body, "Sam,") || pl.Tag != "stretch" {
			t.Errorf("payload %+v", pl)
		}
		if r.TTL != 6*3600 || r.Urgency != "high" || r.Topic != Topic(p.Token, model.KindStretch) {
			t.Errorf("headers TTL %d urgency %q topic %q", r.TTL, r.Urgency, r.Topic)
		}
	}

	// The same minute again: nothing new.
	if st := tick(t, s); st.Due != 0 || st.Sent != 0 {
		t.Fatalf("second tick: %+v", st)
	}
	if n := len(svc.Received()); n != 2 {
		t.Fatalf("duplicate: %d received", n)
	}

	// Next morning: the 24 h check-in; device 2 is gone (410) and is deleted.
	svc.Behave(ep2, pushtest.Behavior{Status: 410})
	clk.Set(berlin(t, 2026, 11, 27, 10, 0))
	st = tick(t, s)
	if st.Sent != 1 || st.Delivered != 1 || st.Gone != 1 {
		t.Fatalf("10:00: %+v", st)
	}
	if pl := decode(t, svc.Received()[2]); pl.Kind != "checkin" || pl.URL != "/p/"+p.Token+"#/checkin" {
		t.Fatalf("check-in payload %+v", pl)
	}
	subs, _ := db.Subscriptions(p.Token)
	if len(subs) != 1 || subs[0].Endpoint != ep1 {
		t.Fatalf("subscriptions after 410: %+v", subs)
	}
	clk.Set(berlin(t, 2026, 11, 27, 12, 0))
	if st := tick(t, s); st.Sent != 1 || st.Pushes != 1 {
		t.Fatalf("12:00 hydration: %+v", st)
	}

	// Done this afternoon: no stretch reminder tonight, but tomorrow's is scheduled.
	if _, err := db.AddCompletion(p.Token, model.Completion{ID: "c1", At: berlin(t, 2026, 11, 27, 17, 30), RoutineID: p.RoutineID, Done: 5, Total: 5}); err != nil {
		t.Fatal(err)
	}
	before := len(svc.Received())
	clk.Set(berlin(t, 2026, 11, 27, 19, 0))
	if st := tick(t, s); st.Done != 1 || st.Sent != 0 {
		t.Fatalf("done today: %+v", st)
	}
	if len(svc.Received()) != before {
		t.Fatal("stretch reminder sent although the routine is done")
	}
	states, _ := db.RuleStates(p.Token)
	for _, rs := range states {
		if rs.RuleID == "stretch-daily" && rs.NextLocal != "2026-11-28T19:00" {
			t.Fatalf("stretch next = %+v", rs)
		}
	}

	// Erased: nothing more, and the due-index holds none of its entries.
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 28, 19, 0))
	if st := tick(t, s); st.Sent != 0 {
		t.Fatalf("erased plan: %+v", st)
	}
	if n, _ := db.CountDue(berlin(t, 2027, 1, 1, 0, 0)); n != 0 {
		t.Fatalf("%d due entries left for an erased plan", n)
	}
	if len(svc.Received()) != before {
		t.Fatal("erased plan got a push")
	}
}

// TestTickRechecksPlan: the schedule is written ahead, so a tick checks the
// plan again: switched-off kinds, new quiet hours, an ended plan.
func TestTickRechecksPlan(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	rec := &recorder{}
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := testPlan(t, "recheck")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	// Hydration switched off and quiet hours from 18:00, without rescheduling.
	if _, err := db.UpdatePlan(p.Token, func(q *model.Plan) error {
		q.Prefs.Disabled = []string{model.KindHydration}
		q.Prefs.QuietStart = "18:00"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 26, 12, 0))
	if st := tick(t, s); st.Dropped != 1 || st.Sent != 0 {
		t.Fatalf("disabled hydration: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 26, 13, 0))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("tip: %+v", st)
	}
	// 19:00 stretch now falls into quiet hours and would move to tomorrow: skipped.
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Sent != 0 || st.Deferred != 1 {
		t.Fatalf("quiet stretch: %+v", st)
	}
	// Ended by the therapist: its entries are dropped.
	ended := berlin(t, 2026, 11, 27, 9, 0)
	_, _ = db.UpdatePlan(p.Token, func(q *model.Plan) error { q.EndedAt = &ended; return nil })
	clk.Set(berlin(t, 2026, 11, 27, 10, 0))
	if st := tick(t, s); st.Sent != 0 || st.Dropped != 1 {
		t.Fatalf("ended plan: %+v", st)
	}
	if got := rec.kinds(); len(got) != 1 || got[0] != model.KindTip {
		t.Fatalf("sent %v", got)
	}
}

// stretchOnly is testPlan with only the stretch reminder on.
func stretchOnly(tb testing.TB, token string) model.Plan {
	p := testPlan(tb, token)
	p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}
	return p
}

func stretchState(tb testing.TB, db *store.DB, token string) store.RuleState {
	tb.Helper()
	states, err := db.RuleStates(token)
	if err != nil || len(states) != 1 {
		tb.Fatalf("rule states %+v, %v", states, err)
	}
	return states[0]
}

// TestCatchUp: after downtime, a reminder missed by less than its grace goes
// out late, once; one missed by more is skipped and the next one scheduled.
func TestCatchUp(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	rec := &recorder{}
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := stretchOnly(t, "catchup")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 20, 0)) // 1 h late, grace 3 h
	if st := tick(t, s); st.Sent != 1 || st.Late != 0 {
		t.Fatalf("1 h late: %+v", st)
	}
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("again: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-26T19:00" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}

	clk.Set(berlin(t, 2026, 11, 28, 0, 0)) // the 27th's 19:00 is 5 h late
	if st := tick(t, s); st.Sent != 0 || st.Late != 1 {
		t.Fatalf("5 h late: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-28T19:00" {
		t.Fatalf("next after skip: %+v", rs)
	}

	// Down for two days: the latest firing still within grace goes, once.
	clk.Set(berlin(t, 2026, 11, 30, 20, 30))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("two days down: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-30T19:00" || rs.NextLocal != "2026-12-01T19:00" {
		t.Fatalf("state %+v", rs)
	}
	if n := len(rec.kinds()); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
}

// TestCrashBetweenSendAndCommit: the process dies after the pushes went out
// and before the commit. After a restart the reminder repeats at most once,
// and the tick after that sends nothing.
func TestCrashBetweenSendAndCommit(t *testing.T) {
	dir := t.TempDir()
	db := openDB(t, dir)
	sender, svc := loopbackSender(t)
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	p := stretchOnly(t, "crash")
	_ = db.CreatePlan(p)
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, p.Token, ep, k, a)
	s := New(Config{DB: db, Sender: sender, Now: clk.Now})
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	s.afterSend = func() { panic("crash after send") }
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("hook did not run")
			}
		}()
		_, _ = s.Tick(context.Background())
	}()
	if n := len(svc.Received()); n != 1 {
		t.Fatalf("received %d before the crash", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = openDB(t, dir) // restart
	defer db.Close()
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	s = New(Config{DB: db, Sender: sender, Now: clk.Now})
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("after restart: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 26, 19, 2))
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("third tick: %+v", st)
	}
	if n := len(svc.Received()); n != 2 {
		t.Fatalf("received %d, want the original and at most one repeat", n)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-26T19:00" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}
}

// TestTickAcrossDST ticks every minute through both transition nights in two
// zones: a 02:30 (New York autumn: 01:30) reminder goes out exactly once.
func TestTickAcrossDST(t *testing.T) {
	for _, c := range []struct {
		zone, day, clock, want string
	}{
		{"Europe/Berlin", "2026-03-29", "02:30", "03:00+02:00"},
		{"Europe/Berlin", "2026-10-25", "02:30", "02:30+02:00"},
		{"America/New_York", "2026-03-08", "02:30", "03:00-04:00"},
		{"America/New_York", "2026-11-01", "01:30", "01:30-04:00"},
	} {
		t.Run(c.zone+"/"+c.day, func(t *testing.T) {
			db := openDB(t, t.TempDir())
			defer db.Close()
			rec := &recorder{}
			loc := mustLoc(t, c.zone)
			day, _ := time.ParseInLocation("2006-01-02", c.day, loc)
			clk := &fakeClock{t: day.Add(-12 * time.Hour)}
			var sentAt []time.Time
			s := New(Config{DB: db, Sender: senderFunc(func(jobs []push.Job) []push.Result {
				sentAt = append(sentAt, clk.Now())
				return rec.SendAll(context.Background(), jobs)
			}), Now: clk.Now})
			p := model.Plan{Token: "dst" + c.day, TimeZone: c.zone, StretchTime: c.clock, Days: 3,
				SessionAt: day.Add(-12 * time.Hour),
				Prefs:     model.Prefs{QuietStart: "00:00", QuietEnd: "00:00", Disabled: []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}}}
			_ = db.CreatePlan(p)
			addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
			if err := s.Schedule(p); err != nil {
				t.Fatal(err)
			}
			// Every minute of the night in real (UTC) time, through the gap or the repeat.
			for m := time.Duration(0); m <= 6*time.Hour; m += time.Minute {
				clk.Set(day.Add(m))
				tick(t, s)
			}
			if len(sentAt) != 1 || sentAt[0].In(loc).Format("15:04-07:00") != c.want {
				var got []string
				for _, at := range sentAt {
					got = append(got, at.In(loc).Format(time.RFC3339))
				}
				t.Fatalf("sent at %v, want once at %s", got, c.want)
			}
		})
	}
}

type senderFunc func([]push.Job) []push.Result

func (f senderFunc) SendAll(_ context.Context, jobs []push.Job) []push.Result { return f(jobs) }

func TestTestPushAndTherapistAlert(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	sender, svc := loopbackSender(t)
	s := New(Config{DB: db, Sender: sender, BaseURL: testBaseURL})
	p := testPlan(t, model.NewToken())
	p.ClientName = "Sam"
	_ = db.CreatePlan(p)
	if _, err := db.CreateTherapist(model.Therapist{ID: p.TherapistID, Email: "th1@example.org", Name: "Th One", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}

	if n, err := s.TestPush(context.Background(), p.Token); n != 0 || err != nil {
		t.Fatalf("no devices: %d %v", n, err)
	}
	for range 2 {
		ep, k, a := svc.NewSubscription()
		addDevice(t, db, p.Token, ep, k, a)
	}
	if n, err := s.TestPush(context.Background(), p.Token); n != 2 || err != nil {
		t.Fatalf("TestPush = %d, %v (refusals %v)", n, err, svc.Refusals())
	}
	for _, r := range svc.Received() {
		if pl := decode(t, r); pl.Kind != "test" || pl.URL != "/p/"+p.Token+"#/today" {
			t.Errorf("test payload %+v", pl)
		}
	}
	if _, err := s.TestPush(context.Background(), "nope"); err == nil {
		t.Error("TestPush for an unknown plan succeeded")
	}

	// Therapist alerts: nothing without a device, then only for red flags or
	// soreness still >= 7 at 48 h.
	red := model.CheckIn{ID: "c1", At: p.SessionAt.Add(30 * time.Hour), Soreness: 3, RedFlags: []string{model.RedFlagSaddle}}
	if err := s.OnCheckIn(context.Background(), p, red); err != nil {
		t.Fatal(err)
	}
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, store.TherapistOwner(p.TherapistID), ep, k, a)
	for _, c := range []model.CheckIn{
		{ID: "c2", At: p.SessionAt.Add(30 * time.Hour), Soreness: 8}, // early: normal
		{ID: "c3", At: p.SessionAt.Add(50 * time.Hour), Soreness: 5}, // fading
		red, // red flag
		{ID: "c4", At: p.SessionAt.Add(50 * time.Hour), Soreness: 7, Areas: []string{"hip"}}, // still sore
	} {
		if err := s.OnCheckIn(context.Background(), p, c); err != nil {
			t.Fatal(err)
		}
	}
	var alerts []payload
	for _, r := range svc.Received() {
		if r.Endpoint == ep {
			alerts = append(alerts, decode(t, r))
		}
	}
	if len(alerts) != 2 {
		t.Fatalf("alerts %+v", alerts)
	}
	for _, al := range alerts {
		if al.Kind != "checkin" || al.URL != "/therapist#/plan/"+p.Token || al.Title != "aftercare" ||
			al.Body != "A client needs your attention" {
			t.Errorf("alert %+v", al)
		}
	}
}

// TestPanicRecovered: a panicking tick is recovered by the cron chain and
// logged; the scheduler still stops cleanly.
func TestPanicRecovered(t *testing.T) {
	var buf syncBuffer
	s := New(Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	cron.NewChain(s.chain()...).Then(cron.FuncJob(func() { panic("boom") })).Run()
	if !strings.Contains(buf.String(), "boom") {
		t.Fatalf("log: %s", buf.String())
	}

	// The same through Start: the catch-up tick's sender panics.
	db := openDB(t, t.TempDir())
	defer db.Close()
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	var buf2 syncBuffer
	s = New(Config{DB: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&buf2, nil)),
		Sender: senderFunc(func([]push.Job) []push.Result { panic("sender exploded") })})
	p := stretchOnly(t, "panic")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	s.Start()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf2.String(), "sender exploded") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	s.Stop()
	if !strings.Contains(buf2.String(), "sender exploded") {
		t.Fatalf("panic not logged: %s", buf2.String())
	}
	// Not committed: the reminder is still due for the next tick.
	if n, _ := db.CountDue(clk.Now()); n != 1 {
		t.Fatalf("due after panic = %d", n)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestScheduleKeepsHistory: rescheduling (a prefs change) right after a
// reminder went out does not send it again.
func TestScheduleKeepsHistory(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	rec := &recorder{}
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := stretchOnly(t, "history")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	tick(t, s)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0).Add(20 * time.Second))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	// The new schedule starts after now, past the firing just sent (its
	// LastSentLocal is only carried over where a local time recurs: see
	// TestRescheduleInRepeatedHour).
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}
	tick(t, s)
	if n := len(rec.kinds()); n != 1 {
		t.Fatalf("%d pushes", n)
	}
	// Ended plans keep no schedule.
	end := clk.Now()
	p.EndedAt = &end
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	if n, _ := db.CountDue(clk.Now().AddDate(1, 0, 0)); n != 0 {
		t.Fatalf("ended plan still has %d due", n)
	}
}

// TestTickFailedPushIsCommitted: a device whose push service keeps failing
// never costs the other devices their reminder nor causes an endless resend:
// the firing is committed as sent, and only the failing device is retried
// (alone, from the retry index, within the kind's grace; see partial_retry_test.go).
func TestTickFailedPushIsCommitted(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	sender, svc := loopbackSender(t)
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	var logs syncBuffer
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	p := stretchOnly(t, model.NewToken())
	_ = db.CreatePlan(p)
	bad, k1, a1 := svc.NewSubscription()
	good, k2, a2 := svc.NewSubscription()
	addDevice(t, db, p.Token, bad, k1, a1)
	addDevice(t, db, p.Token, good, k2, a2)
	svc.Behave(bad, pushtest.Behavior{Status: 503})
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	st := tick(t, s)
	if st.Sent != 1 || st.Delivered != 1 || st.Failed != 1 || st.Gone != 0 {
		t.Fatalf("tick: %+v", st)
	}
	if got := svc.Received(); len(got) != 1 || got[0].Endpoint != good {
		t.Fatalf("received %+v", got)
	}
	if subs, _ := db.Subscriptions(p.Token); len(subs) != 2 {
		t.Fatalf("a 503 must not delete the device: %d left", len(subs))
	}
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("resent: %+v", st)
	}
	if out := logs.String(); !strings.Contains(out, "reminder pushes failed") || strings.Contains(out, bad) {
		t.Fatalf("log must report the failure without the endpoint: %s", out)
	}
}

// TestRescheduleInRepeatedHour: a reminder sent in the first pass of the
// repeated autumn hour is not sent again in the second pass when the plan is
// rescheduled in between (the stored state keeps that local time).
func TestRescheduleInRepeatedHour(t *testing.T) {
	for _, c := range []struct {
		zone, day, clock string
		resched          time.Duration // after local midnight, in real time
	}{
		{"Europe/Berlin", "2026-10-25", "02:30", 3*time.Hour + 10*time.Minute},   // 02:40 CET, second pass
		{"America/New_York", "2026-11-01", "01:30", 2*time.Hour + 5*time.Minute}, // 01:05 EST
	} {
		t.Run(c.zone, func(t *testing.T) {
			db := openDB(t, t.TempDir())
			defer db.Close()
			rec := &recorder{}
			loc := mustLoc(t, c.zone)
			day, _ := time.ParseInLocation("2006-01-02", c.day, loc)
			clk := &fakeClock{t: day.Add(-12 * time.Hour)}
			s := New(Config{DB: db, Sender: rec, Now: clk.Now})
			p := model.Plan{Token: "resched" + c.day, TimeZone: c.zone, StretchTime: c.clock, Days: 3,
				SessionAt: day.Add(-12 * time.Hour),
				Prefs:     model.Prefs{QuietStart: "00:00", QuietEnd: "00:00", Disabled: []string{model.KindHydration, model.KindCheckIn, model.KindFollowUp, model.KindTip}}}
			_ = db.CreatePlan(p)
			addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
			if err := s.Schedule(p); err != nil {
				t.Fatal(err)
			}
			for m := time.Duration(0); m <= 6*time.Hour; m += time.Minute {
				clk.Set(day.Add(m))
				if m == c.resched {
					if n := len(rec.kinds()); n != 1 {
						t.Fatalf("%d sent before the reschedule, want 1", n)
					}
					if err := s.Schedule(p); err != nil {
						t.Fatal(err)
					}
				}
				tick(t, s)
			}
			if n := len(rec.kinds()); n != 1 {
				t.Fatalf("sent %d times, want once", n)
			}
		})
	}
}

// TestRescheduleDropsStale: a prefs change after a rule moved on takes
// effect; the entry written for the old schedule is dropped unsent when it
// comes due, and each reminder is handed to ObserveLateness with its lateness.
func TestRescheduleDropsStale(t *testing.T) {
	db := openDB(t, t.TempDir())
	defer db.Close()
	rec := &recorder{}
	clk := &fakeClock{t: berlin(t, 2026, 11, 26, 10, 5)}
	type obs struct {
		kind string
		late time.Duration
	}
	var seen []obs
	s := New(Config{DB: db, Sender: rec, Now: clk.Now, ObserveLateness: func(kind string, late time.Duration) {
		seen = append(seen, obs{kind, late})
	}})
	p := stretchOnly(t, "stale")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 2))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("19:02: %+v", st)
	}
	// The stretch moves to 08:30 from tomorrow on.
	p, err := db.UpdatePlan(p.Token, func(q *model.Plan) error { q.StretchTime = "08:30"; return nil })
	if err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 26, 20, 0))
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-27T08:30" {
		t.Fatalf("rescheduled: %+v", rs)
	}
	clk.Set(berlin(t, 2026, 11, 27, 8, 30))
	if st := tick(t, s); st.Sent != 1 || st.Stale != 0 {
		t.Fatalf("08:30: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 27, 19, 0))
	if st := tick(t, s); st.Sent != 0 || st.Stale != 1 || st.Due != 1 {
		t.Fatalf("19:00, old schedule's entry: %+v", st)
	}
	if n, _ := db.CountDue(berlin(t, 2026, 11, 28, 8, 0)); n != 0 {
		t.Fatalf("%d entries due before tomorrow's 08:30", n)
	}
	if n := len(rec.kinds()); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
	if len(seen) != 2 || seen[0] != (obs{model.KindStretch, 2 * time.Minute}) || seen[1] != (obs{model.KindStretch, 0}) {
		t.Fatalf("lateness observed: %+v", seen)
	}
}
