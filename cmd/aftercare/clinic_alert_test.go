package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

const noEmergency = `"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false}`

// A version-2 check-in whose assessment tells the therapist (either tier)
// reaches their device through the same alert as version 1, with no health
// words on the lock screen; one that does not, and a resend, do not.
func TestClinicCheckInAlertsReachTheTherapistsDevice(t *testing.T) {
	ts := startServer(t)
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/therapist/subscription", subscriptionJSON(ep, key, auth), ts.auth()...); r.Status >= 300 {
		t.Fatalf("therapist device: %d %s", r.Status, r.Body)
	}
	doctor := ts.createPlan(t, planJSON(time.Now().Add(-3*time.Hour), ""))
	urgent := ts.createPlan(t, strings.Replace(planJSON(time.Now().Add(-3*time.Hour), ""), `"Sam"`, `"Jo"`, 1))
	post := func(token, body string, wantTold bool) {
		t.Helper()
		r := ts.do(t, "POST", "/api/p/"+token+"/checkins", body)
		var got struct{ Told bool }
		if r.Status >= 300 || json.Unmarshal(r.Body, &got) != nil || got.Told != wantTold {
			t.Fatalf("%s: %d %s (want told %v)", body, r.Status, r.Body, wantTold)
		}
	}
	post(doctor, `{"id":"ci-v2-calm-1","soreness":2,"backPain":2,"legPain":3,`+noEmergency+`}`, false)
	fever := `{"id":"ci-v2-fever-1","soreness":2,"backPain":4,"legPain":3,` + noEmergency + `,"seeDoctor":{"fever":true}}`
	post(doctor, fever, true)
	post(doctor, fever, true) // the outbox's resend: no second alert
	post(urgent, `{"id":"ci-v2-feet-1","soreness":2,"backPain":4,"legPain":6,"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":true,"foot-drop":false}}`, true)

	ts.Push.Wait(2, 10*time.Second)
	time.Sleep(200 * time.Millisecond) // a third, unwanted alert would arrive by now
	got := ts.Push.Received()
	if len(got) != 2 {
		t.Fatalf("therapist got %d alerts, want 2", len(got))
	}
	urls := map[string]bool{}
	for _, m := range got {
		var p struct{ Title, Body, URL string }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		urls[p.URL] = true
		for _, word := range []string{"Sam", "Jo", "leg", "fever", "doctor", "pain", "emergency"} {
			if strings.Contains(strings.ToLower(p.Title+" "+p.Body), strings.ToLower(word)) {
				t.Errorf("lock screen shows %q: %q / %q", word, p.Title, p.Body)
			}
		}
	}
	if !urls["/therapist#/plan/"+doctor] || !urls["/therapist#/plan/"+urgent] {
		t.Errorf("alerts open %v", urls)
	}
}
