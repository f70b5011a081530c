package remind

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// urgentCheckIn is a red-flag check-in number i.
func urgentCheckIn(p model.Plan, i int) model.CheckIn {
	return model.CheckIn{ID: fmt.Sprintf("checkin-%05d", i), At: p.SessionAt.Add(30 * time.Hour), Soreness: 3, Pain: 8,
		RedFlags: []string{model.RedFlagSaddle}}
}

// alertTherapist stores therapist th1 with one device on svc and returns its endpoint.
func alertTherapist(t *testing.T, db *store.DB, svc *pushtest.Service) string {
	t.Helper()
	if _, err := db.CreateTherapist(model.Therapist{ID: "th1", Email: "th1@example.org", Name: "Ana", CreatedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, store.TherapistOwner("th1"), ep, k, a)
	return ep
}

var digestBody = regexp.MustCompile(`^(\d+) new check-ins? need(s)? your attention\.?$`)

// TestAlertsCoalescePerPlan: 300 urgent check-ins on one plan within 0.6 s
// buzz the therapist's phone once; the check-ins that follow are gathered
// into digests, at most one per AlertDigestEvery, that count them without
// naming anyone. Nothing is lost: the digests (and the one Stop sends)
// account for every check-in after the first.
func TestAlertsCoalescePerPlan(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(time.Date(2026, 11, 27, 16, 0, 0, 0, time.UTC))
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})
	alertTherapist(t, db, svc)
	p := testPlan(t, model.NewToken())
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}

	n := 0
	for range 300 {
		s.AlertTherapistAsync(p, urgentCheckIn(p, n))
		n++
		clk.Set(clk.Now().Add(2 * time.Millisecond))
	}
	s.alerts.Wait()
	got := svc.Received()
	t.Logf("300 urgent check-ins in 0.6 s: %d alerts sent", len(got))
	if len(got) != 1 {
		t.Fatalf("300 urgent check-ins sent %d alerts, want 1 at once", len(got))
	}
	first := decode(t, got[0])
	if first.URL != "/therapist#/plan/"+p.Token {
		t.Errorf("alert opens %q, want the plan's page in the workspace", first.URL)
	}

	// Half an hour more: an urgent check-in every 10 s, the minute's tick in between.
	for range 30 {
		for range 6 {
			clk.Set(clk.Now().Add(10 * time.Second))
			s.AlertTherapistAsync(p, urgentCheckIn(p, n))
			n++
		}
		if _, err := s.Tick(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.alerts.Wait()
	}
	s.Stop() // sends what is still gathered
	got = svc.Received()
	digests := got[1:]
	t.Logf("%d urgent check-ins over 30 min: 1 alert + %d digests", n, len(digests))
	if len(digests) < 5 || len(digests) > 7 {
		t.Fatalf("%d digests over 30 minutes at most every %v, want 5 to 7", len(digests), DefaultAlertDigestEvery)
	}
	counted := 0
	for i, r := range append([]pushtest.Received{got[0]}, digests...) {
		pl := decode(t, r)
		for _, word := range []string{"Sam", "Example", "saddle", "numb", "Red flag", "pain"} {
			if strings.Contains(pl.Title+" "+pl.Body, word) {
				t.Errorf("lock screen shows %q: %+v", word, pl)
			}
		}
		if pl.Title != "aftercare" || pl.URL != first.URL || pl.Tag != first.Tag {
			t.Errorf("notification %d: %+v", i, pl)
		}
		if i == 0 {
			if pl.Body != "A client needs your attention" {
				t.Errorf("first alert body %q", pl.Body)
			}
			continue
		}
		m := digestBody.FindStringSubmatch(pl.Body)
		if m == nil {
			t.Fatalf("digest body %q does not say how many check-ins", pl.Body)
		}
		c, _ := strconv.Atoi(m[1])
		counted += c
	}
	if counted != n-1 {
		t.Errorf("digests count %d check-ins, want %d (all after the first alert)", counted, n-1)
	}
}

// TestAlertStormToSlowPushServiceIsBounded: 2,000 urgent check-ins on 2,000
// plans, alerted at once into a push service that takes 150 ms per message,
// never hold more than the sender's per-host bound of connections open, and
// every alert still arrives, once.
func TestAlertStormToSlowPushServiceIsBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000 pushes")
	}
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	s := New(Config{DB: db, Sender: sender, BaseURL: testBaseURL})
	ep := alertTherapist(t, db, svc)
	svc.Behave(ep, pushtest.Behavior{Delay: 150 * time.Millisecond})

	const alerts = 2000
	start := time.Now()
	for i := range alerts {
		p := testPlan(t, model.NewToken())
		s.AlertTherapistAsync(p, urgentCheckIn(p, i))
	}
	s.alerts.Wait()
	t.Logf("%d alerts into a 150 ms push service: peak %d connections, %d requests in flight, %d requests, %d delivered, %v",
		alerts, svc.MaxConns(), svc.MaxInFlight(), svc.Requests(), len(svc.Received()), time.Since(start).Round(time.Millisecond))
	if c := svc.MaxConns(); c > maxConnsPerHost {
		t.Errorf("peak %d simultaneous connections to one push service, want at most %d", c, maxConnsPerHost)
	}
	if f := svc.MaxInFlight(); f > maxConnsPerHost {
		t.Errorf("peak %d requests in flight to one push service, want at most %d", f, maxConnsPerHost)
	}
	if got := len(svc.Received()); got != alerts {
		t.Errorf("%d alerts delivered, want %d (refusals %v)", got, alerts, svc.Refusals()[:min(3, len(svc.Refusals()))])
	}
	if r := svc.Requests(); r != alerts {
		t.Errorf("the push service saw %d requests for %d alerts", r, alerts)
	}
}

// maxConnsPerHost is the sender's default bound per push service.
const maxConnsPerHost = 64

// TestRefusedDeviceMarkedByReminderTick: a reminder the push service refuses
// for one device (403: the subscription was made with another server key)
// marks that device, so the phone subscribes afresh when it next opens the
// app; the plan's other device is not marked.
func TestRefusedDeviceMarkedByReminderTick(t *testing.T) {
	db := storetest.Open(t)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BaseURL: testBaseURL})
	p := stretchOnly(t, "refused")
	_ = db.CreatePlan(p)
	bad, k1, a1 := svc.NewSubscription()
	good, k2, a2 := svc.NewSubscription()
	addDevice(t, db, p.Token, bad, k1, a1)
	addDevice(t, db, p.Token, good, k2, a2)
	svc.Behave(bad, pushtest.Behavior{Status: 403, Reason: "VapidPkHashMismatch"})
	if err := s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	if st := tick(t, s); st.Sent != 1 || st.Delivered != 1 || st.Failed != 1 {
		t.Fatalf("tick %+v", st)
	}
	for ep, want := range map[string]bool{bad: true, good: false} {
		sub, err := db.Subscription(p.Token, ep)
		if err != nil || sub.NeedsResubscribe != want {
			t.Errorf("device %s: %+v %v, want marked %v", ep[len(ep)-6:], sub, err, want)
		}
	}
}

// TestAlertStormIntoHangingPushService measures the review's case: 2,000
// urgent alerts at once into a push service that never answers within the
// sender's 10 s timeout, with the production retry timing. Each alert gives
// up after AlertTimeout, so this takes over two minutes: set AFTERCARE_STORM=1.
func TestAlertStormIntoHangingPushService(t *testing.T) {
	if os.Getenv("AFTERCARE_STORM") == "" {
		t.Skip("set AFTERCARE_STORM=1 (takes AlertTimeout, about 2 minutes)")
	}
	db := storetest.Open(t)
	sender, svc := pushtest.NewSender(t, nil) // production retries: the sender sits out the waits
	s := New(Config{DB: db, Sender: sender, BaseURL: testBaseURL})
	ep := alertTherapist(t, db, svc)
	svc.Behave(ep, pushtest.Behavior{Delay: 11 * time.Second})
	const alerts = 2000
	start := time.Now()
	for i := range alerts {
		p := testPlan(t, model.NewToken())
		s.AlertTherapistAsync(p, urgentCheckIn(p, i))
	}
	s.alerts.Wait()
	t.Logf("%d alerts into a push service that hangs: peak %d connections, %d requests in flight, %d requests, %v",
		alerts, svc.MaxConns(), svc.MaxInFlight(), svc.Requests(), time.Since(start).Round(time.Second))
	// The sink sees a little more than the sender holds: when a batch of
	// requests times out together, the next ones arrive while it is still
	// closing the old connections.
	if c := svc.MaxConns(); c > 2*maxConnsPerHost {
		t.Errorf("peak %d simultaneous connections, want at most about %d", c, maxConnsPerHost)
	}
	if r := svc.Requests(); r > alerts {
		t.Errorf("the push service saw %d requests for %d alerts", r, alerts)
	}
}

func TestTestPushAndTherapistAlert(t *testing.T) {
	db := storetest.Open(t)
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
	if err := s.AlertTherapist(context.Background(), p, red); err != nil {
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
		if err := s.AlertTherapist(context.Background(), p, c); err != nil {
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
