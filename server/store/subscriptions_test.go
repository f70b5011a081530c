package store

import (
	"errors"
	"testing"

	"github.com/aftercare/aftercare/server/model"
)

// TestPutSubscriptionNeedsThePlan: a device for a plan erased before the
// write commits is refused with ErrNotFound and stored nowhere; a therapist's
// alert device needs no plan.
func TestPutSubscriptionNeedsThePlan(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	sub := model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/late-phone", P256dh: "k", Auth: "a"}
	if _, err := db.PutSubscription(p.Token, sub); !errors.Is(err, ErrNotFound) {
		t.Fatalf("subscribe to an erased plan: %v, want ErrNotFound", err)
	}
	if _, err := db.PutSubscription("never-existed", sub); !errors.Is(err, ErrNotFound) {
		t.Fatalf("subscribe to an unknown plan: %v, want ErrNotFound", err)
	}
	if n, _ := db.CountSubscriptions(); n != 0 {
		t.Fatalf("%d devices stored for plans that do not exist", n)
	}
	if owners, _ := db.SubscriptionOwners(sub.Endpoint); len(owners) != 0 {
		t.Fatalf("endpoint index holds %v", owners)
	}
	if created, err := db.PutSubscription(TherapistOwner("A"), sub); err != nil || !created {
		t.Fatalf("therapist device: %v, %v", created, err)
	}
}
