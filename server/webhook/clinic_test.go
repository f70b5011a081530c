package webhook_test

import (
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/webhook"
)

// A version-2 check-in's checkin.created carries its own tier: a
// see-a-doctor sign (which version 1's red flags cannot say) is
// "see-doctor-soon", not urgent; pain is the higher of back and leg pain.
func TestClinicCheckInEventCarriesItsTier(t *testing.T) {
	rcv := newReceiver(t, nil)
	f := newFixture(t, rcv, webhook.SettingsInput{})
	const token = "tok_clinic_checkin_0123456789ab"
	if err := f.db.CreatePlan(samplePlan(token)); err != nil {
		t.Fatal(err)
	}
	now := sessionAt.Add(30 * time.Hour)
	ci, err := clinic.DecodeCheckIn([]byte(`{"id":"ci-v2-doctor","soreness":3,"backPain":2,"legPain":5,`+
		`"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false},`+
		`"seeDoctor":{"weight-loss":true}}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.RecordClinicCheckIn(token, ci, store.Limit{}); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	for _, d := range rcv.waitFor(t, 2, 10*time.Second) {
		if typ, dd := d.envelope(t); typ == "checkin.created" {
			data = dd
		}
	}
	if data == nil || data["tier"] != "see-doctor-soon" || data["urgent"] != false || data["pain"] != 5.0 || data["checkinId"] != "ci-v2-doctor" {
		t.Fatalf("checkin.created data %v", data)
	}
}

// A partial check-in (an emergency yes before the form was done) says so in checkin.created:
// its soreness and pain were not asked.
func TestPartialCheckInEventSaysPartial(t *testing.T) {
	rcv := newReceiver(t, nil)
	f := newFixture(t, rcv, webhook.SettingsInput{})
	const token = "tok_clinic_partial_0123456789ab"
	if err := f.db.CreatePlan(samplePlan(token)); err != nil {
		t.Fatal(err)
	}
	ci, err := clinic.DecodeCheckIn([]byte(`{"id":"ci-v2-partial","emergency":{"foot-drop":true}}`), sessionAt.Add(60*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.RecordClinicCheckIn(token, ci, store.Limit{}); err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	for _, d := range rcv.waitFor(t, 2, 10*time.Second) {
		if typ, dd := d.envelope(t); typ == "checkin.created" {
			data = dd
		}
	}
	if data == nil || data["partial"] != true || data["tier"] != "emergency-now" || data["urgent"] != true || data["stillSore"] != false {
		t.Fatalf("checkin.created data %v", data)
	}
}
