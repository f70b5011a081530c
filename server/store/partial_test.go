package store

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// A partial check-in (warning signs only) is neither the clients list's latest numbers
// nor the newest check-in whose legs decide "worsening".
func TestClientRowsSkipPartialCheckIns(t *testing.T) {
	session := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	at := func(h float64) time.Time { return session.Add(time.Duration(h * float64(time.Hour))) }
	p := model.Plan{Token: "tok-partial", SessionAt: session, Days: 14, TimeZone: "UTC"}
	yes, no := true, false
	partial := clinic.CheckIn{ID: "partial-1", At: at(55), ReceivedAt: at(55), Partial: true, Areas: []clinic.Place{}, Feelings: []string{},
		Emergency: clinic.EmergencyAnswers{BladderBowel: &yes}}

	t.Run("latest and still sore", func(t *testing.T) {
		checks := []model.Reading{
			{ID: "sore-1", At: at(50), ReceivedAt: at(50), Soreness: 8, Pain: 3, RedFlags: []string{}},
			{ID: "partial-1", At: at(55), ReceivedAt: at(55), RedFlags: []string{"bladder-bowel"}, Partial: true},
		}
		r := model.NewClientRow(p, nil, checks)
		if r.Latest == nil || r.Latest.ID != "sore-1" || !r.StillSore || !r.RedFlag {
			t.Fatalf("latest %+v still sore %v red flag %v: the latest numbers are the complete check-in's", r.Latest, r.StillSore, r.RedFlag)
		}
		if !r.LastActivity.Equal(at(55)) {
			t.Errorf("last activity %v: the partial check-in is activity", r.LastActivity)
		}
	})
	t.Run("worsening reads the newest complete check-in", func(t *testing.T) {
		handled := at(65)
		p := p
		p.AlertsHandledAt = &handled
		// Version 2 says the leg got worse; a later version-1 check-in (no leg questions)
		// is the newest complete one; both delivered late by an outbox; then the partial one.
		down := clinic.CheckIn{ID: "down-1", At: at(30), ReceivedAt: at(70), Soreness: 2, BackPain: 3, LegPain: 4, LegChange: clinic.LegDown,
			Areas: []clinic.Place{}, Feelings: []string{}, Emergency: clinic.EmergencyAnswers{SaddleNumbness: &no, BladderBowel: &no, LegWeakness: &no, BothLegs: &no, FootDrop: &no}}
		recs := []CheckInRecord{
			{CheckIn: V1Of(down), Clinic: &down},
			{CheckIn: model.CheckIn{ID: "v1-1", At: at(40), ReceivedAt: at(70), Soreness: 2, Pain: 2, Areas: []string{}, Feelings: []string{}, RedFlags: []string{}}},
			{CheckIn: V1Of(partial), Clinic: &partial},
		}
		if !recs[2].Partial {
			t.Fatal("the version-1 view of a partial check-in is not marked partial")
		}
		if a := AttentionOf(p, recs); a != clinic.AttentionNone {
			t.Fatalf("attention %q: the newest complete check-in is version 1, which asks nothing of the legs", a)
		}
	})
}
