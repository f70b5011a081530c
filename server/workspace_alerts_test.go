package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHandledAlertsLeaveTheTopUntilANewOne(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	session := w.clock.Now().Add(-72 * time.Hour)
	mk := func(name string) string {
		r := w.do(t, b, "POST", "/api/plans", strings.Replace(planBody(session, ""), `"Sam"`, `"`+name+`"`, 1))
		return jsonField(t, r.Body, "token")
	}
	flagged, sore, calm := mk("Flagged"), mk("Sore"), mk("Calm")
	at := func(d time.Duration) string { return w.clock.Now().Add(-d).Format(time.RFC3339) }
	post := func(token, body string) {
		t.Helper()
		if r := w.do(t, nil, "POST", "/api/p/"+token+"/checkins", body); r.Status != 201 {
			t.Fatalf("check-in: %d %s", r.Status, r.Body)
		}
	}
	type row struct {
		Token     string
		Attention string
		RedFlag   bool
		StillSore bool
	}
	clients := func() []row {
		t.Helper()
		r := w.do(t, b, "GET", "/api/clients", "")
		var page struct{ Items []row }
		if err := json.Unmarshal([]byte(r.Body), &page); err != nil {
			t.Fatalf("%v: %s", err, r.Body)
		}
		return page.Items
	}
	expect := func(step string, order []string, attention []string) {
		t.Helper()
		list := clients()
		if len(list) != len(order) {
			t.Fatalf("%s: %d rows", step, len(list))
		}
		for i, c := range list {
			if c.Token != order[i] || c.Attention != attention[i] {
				t.Fatalf("%s: row %d is %+v, want %s with %q", step, i, c, order[i], attention[i])
			}
		}
	}
	post(flagged, `{"id":"checkin-flag1","at":"`+at(2*time.Hour)+`","soreness":3,"pain":6,"redFlags":["saddle-numbness"]}`)
	post(sore, `{"id":"checkin-sore1","at":"`+at(time.Hour)+`","soreness":8,"pain":4}`)
	post(calm, `{"id":"checkin-calm1","at":"`+at(time.Hour)+`","soreness":2,"pain":1}`)
	expect("before", []string{flagged, sore, calm}, []string{"emergency-now", "still-sore", ""})

	// Strict decoding, as for the other fields; false or absent changes nothing.
	for body, want := range map[string]string{
		`{"alertsHandled":"yes"}`:               "alertsHandled",
		`{"alertsHandled":false}`:               "nothing to change",
		`{"alertsHandled":true,"handled":true}`: "handled",
	} {
		if r := w.do(t, b, "PATCH", "/api/plans/"+flagged, body); r.Status != 400 || !strings.Contains(r.Body, want) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	expect("after refused edits", []string{flagged, sore, calm}, []string{"emergency-now", "still-sore", ""})

	w.clock.Advance(5 * time.Minute)
	handledAt := w.clock.Now().UTC()
	r := w.do(t, b, "PATCH", "/api/plans/"+flagged, `{"alertsHandled":true}`)
	if r.Status != 200 {
		t.Fatalf("mark handled: %d %s", r.Status, r.Body)
	}
	var view struct {
		AlertsHandledAt *time.Time
		AlertsHandledBy string
		CheckIns        []struct{ ID string } `json:"checkins"`
	}
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
		t.Fatal(err)
	}
	if view.AlertsHandledAt == nil || !view.AlertsHandledAt.Equal(handledAt) || view.AlertsHandledBy != w.a.ID || len(view.CheckIns) != 1 {
		t.Fatalf("handled plan %s", r.Body)
	}
	list := clients()
	if list[0].Token != sore || list[len(list)-1].Token == sore {
		t.Fatalf("after handling: %+v", list)
	}
	for _, c := range list {
		if c.Token == flagged && (c.Attention != "" || c.RedFlag) {
			t.Fatalf("handled red flag still shown: %+v", c)
		}
	}

	// Handling the still-sore client too: nobody is left on top for old alerts.
	if r := w.do(t, b, "PATCH", "/api/plans/"+sore, `{"alertsHandled":true}`); r.Status != 200 {
		t.Fatalf("mark sore handled: %d %s", r.Status, r.Body)
	}
	for _, c := range clients() {
		if c.Attention != "" || c.RedFlag || c.StillSore {
			t.Fatalf("handled alert still shown: %+v", c)
		}
	}

	// A new red flag after that brings the badge and the top position back.
	w.clock.Advance(10 * time.Minute)
	post(flagged, `{"id":"checkin-flag2","at":"`+at(time.Minute)+`","soreness":4,"pain":7,"redFlags":["leg-weakness"]}`)
	list = clients()
	if list[0].Token != flagged || list[0].Attention != "emergency-now" || !list[0].RedFlag {
		t.Fatalf("after a new red flag: %+v", list)
	}
	// So does a new still-sore check-in.
	post(sore, `{"id":"checkin-sore2","at":"`+at(time.Minute)+`","soreness":7,"pain":3}`)
	expect("after new alerts", []string{flagged, sore, calm}, []string{"emergency-now", "still-sore", ""})
}
