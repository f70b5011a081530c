package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestCustomStretchListReachesTheClient(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	token := w.createPlan(t, b, `,"stretches":[{"stretchId":"childs-pose","holdSeconds":45},{"stretchId":"pelvic-tilt","reps":3}]`)
	r := w.do(t, nil, "GET", "/api/p/"+token, "")
	var view struct {
		Routine struct {
			Stretches []struct {
				ID          string
				HoldSeconds int
				Reps        int
			}
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &view); err != nil {
		t.Fatal(err)
	}
	got := view.Routine.Stretches
	if len(got) != 2 || got[0].ID != "childs-pose" || got[0].HoldSeconds != 45 || got[1].ID != "pelvic-tilt" || got[1].Reps != 3 || got[1].HoldSeconds != 5 {
		t.Fatalf("client routine %+v", got)
	}
	for body, field := range map[string]string{
		`,"stretches":[{"stretchId":"yoga"}]`:                        "stretches[0].stretchId",
		`,"stretches":[{"stretchId":"childs-pose","holdSeconds":1}]`: "stretches[0].holdSeconds",
		`,"stretches":[]`: "stretches",
		`,"stretches":[{"stretchId":"childs-pose"},{"stretchId":"childs-pose"}]`:     "stretches[1].stretchId",
		`,"stretches":[{"stretchId":"childs-pose"}],"overrides":[{"stretchId":"x"}]`: "overrides",
	} {
		r := w.do(t, b, "POST", "/api/plans", planBody(w.clock.Now(), body))
		if r.Status != 400 || !strings.Contains(r.Body, field) {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
}

func TestEditExtendAndEndRescheduleThePlan(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	token := w.createPlan(t, b, "")
	next := w.clock.Now().Add(10 * 24 * time.Hour).Format(time.RFC3339)
	if r := w.do(t, b, "PATCH", "/api/plans/"+token, `{"nextSessionAt":"`+next+`","extendDays":7}`); r.Status != 200 {
		t.Fatalf("edit: %d %s", r.Status, r.Body)
	}
	p := w.sched.last()
	if p.NextSessionAt == nil || p.NextSessionAt.Format(time.RFC3339) != next || p.Days != 21 {
		t.Fatalf("scheduled %+v", p)
	}
	if r := w.do(t, b, "PATCH", "/api/plans/"+token, `{"nextSessionAt":"2020-01-01T00:00:00Z"}`); r.Status != 400 || !strings.Contains(r.Body, "nextSessionAt") {
		t.Fatalf("past next session: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, b, "PATCH", "/api/plans/"+token, `{"nextSessionAt":"","cadenceDays":21}`); r.Status != 200 {
		t.Fatalf("clear booking: %d %s", r.Status, r.Body)
	}
	if p := w.sched.last(); p.NextSessionAt != nil || p.CadenceDays != 21 {
		t.Fatalf("scheduled %+v", p)
	}
	if r := w.do(t, b, "PATCH", "/api/plans/"+token, `{}`); r.Status != 400 {
		t.Fatalf("empty change: %d", r.Status)
	}
	if r := w.do(t, b, "POST", "/api/plans/"+token+"/end", ""); r.Status != 200 {
		t.Fatalf("end: %d %s", r.Status, r.Body)
	}
	if p := w.sched.last(); p.EndedAt == nil || p.Active(w.clock.Now()) {
		t.Fatalf("ended plan still active: %+v", p)
	}
	if r := w.do(t, nil, "GET", "/api/p/"+token, ""); !strings.Contains(r.Body, `"active":false`) {
		t.Fatalf("client still sees an active plan: %s", r.Body)
	}
	// Extending re-opens it from today.
	w.clock.Advance(30 * 24 * time.Hour)
	b = w.login(t, "a@example.org")
	if r := w.do(t, b, "PATCH", "/api/plans/"+token, `{"extendDays":7}`); r.Status != 200 {
		t.Fatalf("extend ended plan: %d %s", r.Status, r.Body)
	}
	if p := w.sched.last(); !p.Active(w.clock.Now()) || !p.Active(w.clock.Now().Add(6*24*time.Hour)) || p.Active(w.clock.Now().Add(8*24*time.Hour)) {
		t.Fatalf("re-opened plan %+v", p)
	}
}

func TestClientsListPutsWhoNeedsAttentionOnTop(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	session := w.clock.Now().Add(-72 * time.Hour)
	mk := func(name string) string {
		r := w.do(t, b, "POST", "/api/plans", strings.Replace(planBody(session, ""), `"Sam"`, `"`+name+`"`, 1))
		return jsonField(t, r.Body, "token")
	}
	quiet, sore, flagged, busy := mk("Quiet"), mk("Sore"), mk("Flagged"), mk("Busy")
	at := func(d time.Duration) string { return w.clock.Now().Add(-d).Format(time.RFC3339) }
	post := func(token, kind, body string) {
		if r := w.do(t, nil, "POST", "/api/p/"+token+"/"+kind, body); r.Status != 201 {
			t.Fatalf("%s: %d %s", kind, r.Status, r.Body)
		}
	}
	post(sore, "checkins", `{"id":"checkin-sore1","at":"`+at(time.Hour)+`","soreness":8,"pain":4}`)
	post(flagged, "checkins", `{"id":"checkin-flag1","at":"`+at(2*time.Hour)+`","soreness":3,"pain":6,"redFlags":["saddle-numbness"]}`)
	for i, d := range []time.Duration{50 * time.Hour, 26 * time.Hour, time.Hour} {
		post(busy, "completions", `{"id":"done-busy-`+string(rune('a'+i))+`","at":"`+at(d)+`","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`)
	}
	r := w.do(t, b, "GET", "/api/clients", "")
	var page struct {
		Items []struct {
			Token         string
			Attention     string
			StretchedDays int
			DaysSoFar     int
			Latest        *struct{ Soreness, Pain int }
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &page); err != nil {
		t.Fatal(err)
	}
	list := page.Items
	order := []string{flagged, sore, quiet, busy}
	wantAttention := []string{"emergency-now", "still-sore", "inactive", ""}
	for i, c := range list {
		if c.Token != order[i] || c.Attention != wantAttention[i] {
			t.Fatalf("row %d: %+v (want %s)", i, c, wantAttention[i])
		}
	}
	if list[3].StretchedDays != 3 || list[3].DaysSoFar != 4 {
		t.Fatalf("adherence %d/%d, want 3/4", list[3].StretchedDays, list[3].DaysSoFar)
	}
	if list[1].Latest == nil || list[1].Latest.Soreness != 8 {
		t.Fatalf("latest check-in %+v", list[1].Latest)
	}
}

func TestQRCodeOfAPlan(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	token := w.createPlan(t, b, "")
	r := w.do(t, b, "GET", "/api/plans/"+token+"/qr", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/svg+xml" || !strings.HasPrefix(r.Body, "<svg") {
		t.Fatalf("svg: %d %s", r.Status, r.Header)
	}
	r = w.do(t, b, "GET", "/api/plans/"+token+"/qr?format=png&size=600", "")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(r.Body, "\x89PNG") {
		t.Fatalf("png: %d %s", r.Status, r.Header)
	}
	if r := w.do(t, b, "GET", "/api/plans/"+token+"/qr?format=gif", ""); r.Status != 400 || !strings.Contains(r.Body, "format") {
		t.Fatalf("gif: %d %s", r.Status, r.Body)
	}
}

func TestTherapistAlertDevice(t *testing.T) {
	w := newWorkspace(t)
	b := w.login(t, "a@example.org")
	sub := `{"endpoint":"https://fcm.googleapis.com/fcm/send/abc","expirationTime":null,"keys":{"p256dh":"BPk","auth":"a1"}}`
	if r := w.do(t, b, "PUT", "/api/therapist/subscription", sub); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if list, _ := w.db.Subscriptions("t:" + w.a.ID); len(list) != 1 {
		t.Fatalf("stored %d devices", len(list))
	}
	if r := w.do(t, b, "GET", "/api/therapist/subscription", ""); !strings.Contains(r.Body, `"devices":1`) {
		t.Fatalf("devices: %s", r.Body)
	}
	if r := w.do(t, b, "PUT", "/api/therapist/subscription", `{"endpoint":"https://x"}`); r.Status != 400 || !strings.Contains(r.Body, "keys.p256dh") {
		t.Fatalf("bad sub: %d %s", r.Status, r.Body)
	}
	if r := w.do(t, b, "DELETE", "/api/therapist/subscription", `{"endpoint":"https://fcm.googleapis.com/fcm/send/abc"}`); r.Status != 204 {
		t.Fatalf("unsubscribe: %d", r.Status)
	}
	if list, _ := w.db.Subscriptions("t:" + w.a.ID); len(list) != 0 {
		t.Fatalf("left %d devices", len(list))
	}
}

func TestWorkspacePageIsServed(t *testing.T) {
	w := newWorkspace(t)
	r := w.do(t, nil, "GET", "/therapist", "")
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Fatalf("page: %d %v", r.Status, r.Header)
	}
}
