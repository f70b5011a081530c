package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// A red flag, or soreness still ≥ 7 at 48 h, reaches the therapist's device;
// an ordinary check-in does not.
func TestCheckInAlertsReachTheTherapistsDevice(t *testing.T) {
	ts := startServer(t)
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/therapist/subscription", subscriptionJSON(ep, key, auth), ts.auth()...); r.Status >= 300 {
		t.Fatalf("therapist device: %d %s", r.Status, r.Body)
	}
	fresh := ts.createPlan(t, planJSON(time.Now().Add(-3*time.Hour), ""))
	old := ts.createPlan(t, strings.Replace(planJSON(time.Now().Add(-50*time.Hour), ""), `"Sam"`, `"Jo"`, 1))

	// Ordinary check-in: nothing.
	if r := ts.do(t, "POST", "/api/p/"+fresh+"/checkins", `{"id":"ci-normal-1","soreness":7,"pain":3}`); r.Status != 201 || !strings.Contains(string(r.Body), `"advice":"normal"`) {
		t.Fatalf("normal check-in: %d %s", r.Status, r.Body)
	}
	// Red flag and still sore at 48 h: one alert each.
	if r := ts.do(t, "POST", "/api/p/"+fresh+"/checkins", `{"id":"ci-redflag-1","soreness":3,"pain":8,"redFlags":["leg-weakness"]}`); !strings.Contains(string(r.Body), `"advice":"urgent"`) {
		t.Fatalf("red-flag check-in: %s", r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+old+"/checkins", `{"id":"ci-sore48-1","soreness":8,"pain":4}`); !strings.Contains(string(r.Body), `"advice":"contact-therapist"`) {
		t.Fatalf("48 h check-in: %s", r.Body)
	}
	ts.Push.Wait(2, 10*time.Second)
	time.Sleep(200 * time.Millisecond) // a third, unwanted alert would arrive by now
	got := ts.Push.Received()
	if len(got) != 2 {
		t.Fatalf("therapist got %d alerts, want 2", len(got))
	}
	urls := map[string]bool{}
	for _, m := range got {
		var p struct{ Title, Body, URL, Kind string }
		if err := json.Unmarshal(m.Payload, &p); err != nil {
			t.Fatal(err)
		}
		urls[p.URL] = true
		// The lock screen is not private: no name, no health words.
		for _, word := range []string{"Sam", "Jo", "leg", "weakness", "Red flag", "sore", "pain"} {
			if strings.Contains(p.Title+" "+p.Body, word) {
				t.Errorf("lock screen shows %q: %q / %q", word, p.Title, p.Body)
			}
		}
		if p.Title != "aftercare" || p.Body != "A client needs your attention" {
			t.Errorf("alert %q / %q", p.Title, p.Body)
		}
	}
	// Details only behind the link: each plan's page in the workspace (a path: the service worker opens it on its own origin).
	if !urls["/therapist#/plan/"+fresh] || !urls["/therapist#/plan/"+old] {
		t.Errorf("alerts open %v", urls)
	}
}
