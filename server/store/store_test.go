package store

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// mustOpen is storetest.Open for this package's own tests, which cannot
// import storetest (it imports store).
func mustOpen(tb testing.TB) *DB {
	tb.Helper()
	return mustOpenIn(tb, tb.TempDir())
}

func mustPlan(tb testing.TB, db *DB, therapist string) model.Plan {
	tb.Helper()
	p := model.Plan{Token: model.NewToken(), TherapistID: therapist, ClientName: "Sam", RoutineID: "piriformis-release",
		TimeZone: "Europe/Berlin", SessionAt: time.Now().UTC(), Days: 7, StretchTime: "19:00", Prefs: model.DefaultPrefs(), CreatedAt: time.Now()}
	if err := db.CreatePlan(p); err != nil {
		tb.Fatal(err)
	}
	return p
}

func TestOpenRefusesASecondHolderQuickly(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = Open(dir)
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("waited %v", d)
	}
	if v, _ := db.Schema(); v != SchemaVersion {
		t.Fatalf("schema %d", v)
	}
}

func TestPlansByTherapistSeesOnlyOwnPlans(t *testing.T) {
	db := mustOpen(t)
	a1, a2, b1 := mustPlan(t, db, "A"), mustPlan(t, db, "A"), mustPlan(t, db, "B")
	got, err := db.PlansByTherapist("A")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || (got[0].Token != a1.Token && got[0].Token != a2.Token) {
		t.Fatalf("A sees %v", got)
	}
	all, _ := db.PlansByTherapist("")
	if len(all) != 3 {
		t.Fatalf("owner sees %d plans", len(all))
	}
	if _, err := db.Plan(b1.Token); err != nil {
		t.Fatal(err)
	}
}

func TestRecordsAreIdempotentByClientID(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	c := model.CheckIn{ID: "same-id-1", At: time.Now(), Soreness: 4}
	created, err := db.AddCheckIn(p.Token, c)
	if err != nil || !created {
		t.Fatalf("first add: %v %v", created, err)
	}
	created, err = db.AddCheckIn(p.Token, c)
	if err != nil || created {
		t.Fatalf("second add: %v %v", created, err)
	}
	list, _ := db.CheckIns(p.Token)
	if len(list) != 1 {
		t.Fatalf("%d check-ins", len(list))
	}
	if _, err := db.AddCompletion("missing", model.Completion{ID: "x1234567"}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("completion on unknown plan: %v", err)
	}
}

func TestSubscriptionsUpsertByEndpointAndCap(t *testing.T) {
	db := mustOpen(t)
	p, q := mustPlan(t, db, "A"), mustPlan(t, db, "A")
	t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/one", P256dh: "k", Auth: "a", LastSeen: t0}
	if created, err := db.PutSubscription(p.Token, sub); err != nil || !created {
		t.Fatalf("first put: %v %v", created, err)
	}
	sub.LastSeen = t0.Add(time.Hour)
	sub.Auth = "b"
	if created, err := db.PutSubscription(p.Token, sub); err != nil || created {
		t.Fatalf("upsert: %v %v", created, err)
	}
	list, _ := db.Subscriptions(p.Token)
	if len(list) != 1 || list[0].Auth != "b" || !list[0].CreatedAt.Equal(t0) || !list[0].LastSeen.Equal(t0.Add(time.Hour)) {
		t.Fatalf("after upsert %+v", list)
	}
	// The same phone opening a second plan (a returning client) gets both plans' reminders.
	if _, err := db.PutSubscription(q.Token, sub); err != nil {
		t.Fatal(err)
	}
	if l, _ := db.Subscriptions(p.Token); len(l) != 1 {
		t.Fatalf("first plan lost the device: %+v", l)
	}
	if owners, _ := db.SubscriptionOwners(sub.Endpoint); len(owners) != 2 {
		t.Fatalf("owners %q", owners)
	}
	// Unsubscribing from one plan leaves the other.
	if err := db.DeleteSubscription(p.Token, sub.Endpoint); err != nil {
		t.Fatal(err)
	}
	if owners, _ := db.SubscriptionOwners(sub.Endpoint); len(owners) != 1 || owners[0] != q.Token {
		t.Fatalf("owners after unsubscribe %q", owners)
	}
	for i := 0; i < model.MaxDevices+3; i++ {
		s := model.Subscription{Endpoint: fmt.Sprintf("https://fcm.googleapis.com/fcm/send/d%d", i), LastSeen: t0.Add(time.Duration(i+2) * time.Hour)}
		if _, err := db.PutSubscription(q.Token, s); err != nil {
			t.Fatal(err)
		}
	}
	list, _ = db.Subscriptions(q.Token)
	if len(list) != model.MaxDevices {
		t.Fatalf("%d devices, want cap %d", len(list), model.MaxDevices)
	}
	if owners, _ := db.SubscriptionOwners(sub.Endpoint); len(owners) != 0 {
		t.Fatal("least recently seen device should have been dropped")
	}
	if n, _ := db.CountSubscriptions(); n != model.MaxDevices {
		t.Fatalf("count %d", n)
	}
}

func TestDeletePlanErasesEverythingTiedToIt(t *testing.T) {
	db := mustOpen(t)
	p, other := mustPlan(t, db, "A"), mustPlan(t, db, "A")
	_, _ = db.AddCheckIn(p.Token, model.CheckIn{ID: "ci-00001"})
	_, _ = db.AddCompletion(p.Token, model.Completion{ID: "co-00001"})
	_, _ = db.AddCheckIn(other.Token, model.CheckIn{ID: "ci-00002"})
	_, _ = db.PutSubscription(p.Token, model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/p"})
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Plan(p.Token); !errors.Is(err, ErrNotFound) {
		t.Fatal("plan survived")
	}
	if l, _ := db.CheckIns(p.Token); len(l) != 0 {
		t.Fatal("check-ins survived")
	}
	if l, _ := db.Completions(p.Token); len(l) != 0 {
		t.Fatal("completions survived")
	}
	if owners, _ := db.SubscriptionOwners("https://fcm.googleapis.com/fcm/send/p"); len(owners) != 0 {
		t.Fatal("subscription survived")
	}
	if l, _ := db.CheckIns(other.Token); len(l) != 1 {
		t.Fatal("another plan's data was erased")
	}
	if l, _ := db.PlansByTherapist("A"); len(l) != 1 {
		t.Fatalf("therapist index still lists erased plan: %d", len(l))
	}
	if err := db.DeletePlan(p.Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second erase: %v", err)
	}
}

func TestTherapistsAndTokens(t *testing.T) {
	db := mustOpen(t)
	owner, err := db.CreateTherapist(model.Therapist{ID: "t1", Email: "ana@example.org"})
	if err != nil || !owner.Owner {
		t.Fatalf("first account should be owner: %+v %v", owner, err)
	}
	second, _ := db.CreateTherapist(model.Therapist{ID: "t2", Email: "bo@example.org"})
	if second.Owner {
		t.Fatal("second account must not be owner")
	}
	if _, err := db.CreateTherapist(model.Therapist{ID: "t3", Email: "ANA@example.org"}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate e-mail: %v", err)
	}
	if err := db.AddAPIToken("secret-1", model.APIToken{ID: "k1", TherapistID: "t2"}); err != nil {
		t.Fatal(err)
	}
	if got, err := db.TherapistByAPIToken("secret-1"); err != nil || got.ID != "t2" {
		t.Fatalf("token lookup %+v %v", got, err)
	}
	if err := db.RevokeAPIToken("t1", "k1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("another therapist revoked a token")
	}
	if err := db.RevokeAPIToken("t2", "k1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TherapistByAPIToken("secret-1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("revoked token still works")
	}
}

func TestGoneEndpointLeavesEveryOwner(t *testing.T) {
	db := mustOpen(t)
	p, q := mustPlan(t, db, "A"), mustPlan(t, db, "A")
	sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/gone"}
	for _, owner := range []string{p.Token, q.Token, TherapistOwner("A")} {
		if _, err := db.PutSubscription(owner, sub); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteEndpoint(sub.Endpoint); err != nil {
		t.Fatal(err)
	}
	for _, owner := range []string{p.Token, q.Token, TherapistOwner("A")} {
		if l, _ := db.Subscriptions(owner); len(l) != 0 {
			t.Errorf("%s still has the gone endpoint", owner)
		}
	}
	if n, _ := db.CountSubscriptions(); n != 0 {
		t.Fatalf("%d subscriptions left", n)
	}
}

// A device its push service refused is marked for every owner, stays marked
// while the phone re-syncs the same subscription, and is clear once it sends
// new keys; the plan cache sees the mark at once.
func TestRefusedDeviceMarkedUntilNewKeys(t *testing.T) {
	db := mustOpen(t)
	p, q := mustPlan(t, db, "A"), mustPlan(t, db, "A")
	sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/refused", P256dh: "k1", Auth: "a1"}
	owners := []string{p.Token, q.Token, TherapistOwner("A")}
	for _, owner := range owners {
		if _, err := db.PutSubscription(owner, sub); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.PlansWithDevices([]string{p.Token}, nil); err != nil { // cached
		t.Fatal(err)
	}
	if err := db.MarkNeedsResubscribe(sub.Endpoint); err != nil {
		t.Fatal(err)
	}
	marked := func(owner string) bool {
		t.Helper()
		s, err := db.Subscription(owner, sub.Endpoint)
		if err != nil {
			t.Fatal(err)
		}
		return s.NeedsResubscribe
	}
	for _, owner := range owners {
		if !marked(owner) {
			t.Errorf("%s: not marked", owner)
		}
	}
	if l, _ := db.PlansWithDevices([]string{p.Token}, nil); len(l[0].Devices) != 1 || !l[0].Devices[0].NeedsResubscribe {
		t.Errorf("cached devices %+v", l[0].Devices)
	}
	if _, err := db.PutSubscription(p.Token, sub); err != nil || !marked(p.Token) {
		t.Fatalf("re-sync of the same subscription cleared the mark (%v)", err)
	}
	renewed := sub
	renewed.P256dh, renewed.Auth = "k2", "a2"
	if _, err := db.PutSubscription(p.Token, renewed); err != nil || marked(p.Token) || !marked(q.Token) {
		t.Fatalf("new keys: plan marked %v, other plan marked %v (%v)", marked(p.Token), marked(q.Token), err)
	}
	if _, err := db.Subscription(p.Token, "https://fcm.googleapis.com/fcm/send/other"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("unknown endpoint: %v", err)
	}
}

func TestPruneSubscriptionsDropsDevicesNobodyWillPushTo(t *testing.T) {
	db := mustOpen(t)
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	mk := func(days int, sessionAgo time.Duration, next *time.Time) model.Plan {
		t.Helper()
		p := model.Plan{Token: model.NewToken(), TherapistID: "A", ClientName: "Jo", RoutineID: "piriformis-release",
			TimeZone: "Europe/Berlin", SessionAt: now.Add(-sessionAgo), NextSessionAt: next, Days: days, Prefs: model.DefaultPrefs()}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
		return p
	}
	booked := now.AddDate(0, 0, 14)
	running := mk(14, 24*time.Hour, nil)
	ended := mk(7, 30*24*time.Hour, nil)
	followUp := mk(7, 15*24*time.Hour, &booked) // its days are over, its follow-up reminders are not
	put := func(owner, ep string, seen time.Time) {
		t.Helper()
		if _, err := db.PutSubscription(owner, model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/" + ep, LastSeen: seen}); err != nil {
			t.Fatal(err)
		}
	}
	put(running.Token, "running", now)
	put(ended.Token, "ended", now.AddDate(0, 0, -20))
	put(followUp.Token, "follow-up", now.AddDate(0, 0, -15))
	put(TherapistOwner("A"), "therapist", now.AddDate(-1, 0, 0)) // set up a year ago, still in use
	n, err := db.PruneSubscriptions(now)
	if err != nil || n != 1 {
		t.Fatalf("pruned %d (%v), want 1", n, err)
	}
	for owner, want := range map[string]int{running.Token: 1, ended.Token: 0, followUp.Token: 1, TherapistOwner("A"): 1} {
		if l, _ := db.Subscriptions(owner); len(l) != want {
			t.Errorf("%s: %d devices, want %d", owner, len(l), want)
		}
	}
	if owners, _ := db.SubscriptionOwners("https://fcm.googleapis.com/fcm/send/ended"); len(owners) != 0 {
		t.Fatal("the pruned device is still findable by endpoint")
	}
}

// mustOpenIn is storetest.OpenDir for this package's own tests.
func mustOpenIn(t testing.TB, dir string) *DB {
	t.Helper()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db
}
