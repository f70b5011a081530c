package store

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

func TestNewPlanHasItsOwnFeedToken(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	feed, err := db.PlanFeed(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	if len(feed) < 22 || feed == p.Token { // 22 base64url characters = 132 bits
		t.Fatalf("feed token %q: want its own token of at least 128 bits", feed)
	}
	again, err := db.PlanFeed(p.Token)
	if err != nil || again != feed {
		t.Fatalf("second read: %q, %v; want the same %q", again, err, feed)
	}
	got, err := db.FeedPlan(feed)
	if err != nil || got != p.Token {
		t.Fatalf("FeedPlan(feed) = %q, %v; want the plan", got, err)
	}
	if _, err := db.FeedPlan(p.Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("the plan token must not open a feed: %v", err)
	}
}

func TestRotateFeedRetiresTheOldTokenAtOnce(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	old, _ := db.PlanFeed(p.Token)
	fresh, err := db.RotateFeed(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	if fresh == old {
		t.Fatal("rotation kept the token")
	}
	if _, err := db.FeedPlan(old); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old feed token still opens the feed: %v", err)
	}
	if got, err := db.FeedPlan(fresh); err != nil || got != p.Token {
		t.Fatalf("new feed token: %q, %v", got, err)
	}
	if cur, _ := db.PlanFeed(p.Token); cur != fresh {
		t.Fatalf("plan's feed is %q, want the new %q", cur, fresh)
	}
	if _, err := db.RotateFeed("no-such-plan"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("rotate of a missing plan: %v", err)
	}
}

func TestDeletePlanErasesItsFeed(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	feed, _ := db.PlanFeed(p.Token)
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FeedPlan(feed); !errors.Is(err, ErrNotFound) {
		t.Fatalf("erased plan's feed still resolves: %v", err)
	}
	err := db.bolt.View(func(tx *bolt.Tx) error {
		for _, b := range [][]byte{bucketFeeds, bucketFeedsByPlan} {
			if n := tx.Bucket(b).Stats().KeyN; n != 0 {
				t.Errorf("bucket %s keeps %d keys after the erase", b, n)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PlanFeed(p.Token); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PlanFeed of an erased plan: %v", err)
	}
}

// A plan stored before feeds existed gets its feed token on first use.
func TestPlanFromBeforeFeedsGetsATokenLazily(t *testing.T) {
	db := mustOpen(t)
	p := model.Plan{Token: model.NewToken(), TherapistID: "A", ClientName: "Sam", RoutineID: "piriformis-release",
		TimeZone: "Europe/Berlin", SessionAt: time.Now().UTC(), Days: 7, StretchTime: "19:00", Prefs: model.DefaultPrefs()}
	data, _ := json.Marshal(p)
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketPlans).Put([]byte(p.Token), data) }); err != nil {
		t.Fatal(err)
	}
	feed, err := db.PlanFeed(p.Token)
	if err != nil || feed == "" {
		t.Fatalf("lazy feed token: %q, %v", feed, err)
	}
	if got, err := db.FeedPlan(feed); err != nil || got != p.Token {
		t.Fatalf("lazy feed does not resolve: %q, %v", got, err)
	}
}

func TestScheduleGenerationRisesWithEachReschedule(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	g0, err := db.ScheduleGeneration(p.Token)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.ReplaceSchedule(p.Token, nil); err != nil {
		t.Fatal(err)
	}
	g1, _ := db.ScheduleGeneration(p.Token)
	if g1 <= g0 {
		t.Fatalf("generation %d after a reschedule, was %d", g1, g0)
	}
}
