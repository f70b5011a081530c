package store

import (
	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/model"
)

// A plan's calendar feed has its own token: calendar services fetch the feed
// from their servers, so its URL must not carry the plan's capability. Two
// buckets make both directions one lookup:
var (
	// feeds: feedToken -> plan token
	bucketFeeds = []byte("feeds")
	// feedsByPlan: plan token -> feedToken
	bucketFeedsByPlan = []byte("feeds_by_plan")
)

// PlanFeed returns the plan's calendar feed token, creating one for a plan
// stored before feeds existed. ErrNotFound when the plan does not exist.
func (db *DB) PlanFeed(token string) (string, error) {
	var feed string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return ErrNotFound
		}
		feed = string(tx.Bucket(bucketFeedsByPlan).Get([]byte(token)))
		return nil
	})
	if err != nil || feed != "" {
		return feed, err
	}
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		if token == "" || tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return ErrNotFound
		}
		if v := tx.Bucket(bucketFeedsByPlan).Get([]byte(token)); v != nil {
			feed = string(v) // a concurrent first use made it
			return nil
		}
		feed = model.NewToken()
		return putFeed(tx, token, feed)
	})
	return feed, err
}

// FeedPlan returns the plan token a feed token belongs to, or ErrNotFound.
func (db *DB) FeedPlan(feed string) (string, error) {
	var token string
	err := db.bolt.View(func(tx *bolt.Tx) error {
		v := tx.Bucket(bucketFeeds).Get([]byte(feed))
		if feed == "" || v == nil {
			return ErrNotFound
		}
		token = string(v)
		return nil
	})
	return token, err
}

// RotateFeed gives the plan a new feed token; the old one stops resolving in
// the same transaction.
func (db *DB) RotateFeed(token string) (string, error) {
	feed := model.NewToken()
	err := db.bolt.Update(func(tx *bolt.Tx) error {
		if token == "" || tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return ErrNotFound
		}
		if err := deleteFeedOf(tx, token); err != nil {
			return err
		}
		return putFeed(tx, token, feed)
	})
	return feed, err
}

// ScheduleGeneration is the plan's schedule generation, which goes up each
// time its reminders are rescheduled (a plan edit, new prefs): the feed's
// SEQUENCE.
func (db *DB) ScheduleGeneration(token string) (uint64, error) {
	var gen uint64
	err := db.bolt.View(func(tx *bolt.Tx) error {
		if tx.Bucket(bucketPlans).Get([]byte(token)) == nil {
			return ErrNotFound
		}
		gen = scheduleGen(tx, token)
		return nil
	})
	return gen, err
}

func putFeed(tx *bolt.Tx, token, feed string) error {
	if err := tx.Bucket(bucketFeeds).Put([]byte(feed), []byte(token)); err != nil {
		return err
	}
	return tx.Bucket(bucketFeedsByPlan).Put([]byte(token), []byte(feed))
}

// deleteFeedOf removes the plan's feed token in both directions.
func deleteFeedOf(tx *bolt.Tx, token string) error {
	byPlan := tx.Bucket(bucketFeedsByPlan)
	if old := byPlan.Get([]byte(token)); old != nil {
		if err := tx.Bucket(bucketFeeds).Delete(old); err != nil {
			return err
		}
	}
	return byPlan.Delete([]byte(token))
}
