package server

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/remind"
	"github.com/aftercare/aftercare/server/store"
)

// partialCheckIn is what the phone sends the moment an emergency question is answered
// yes with the rest of the form still open: the warning signs so far, no ratings.
const partialCheckIn = `{"id":"partial-check-01","emergency":{"bladder-bowel":true,"saddle-numbness":null}}`

// TestPartialCheckInAlertsTheTherapist: an emergency yes before the form is finished is
// stored as a partial check-in (no ratings invented) and reaches the therapist's device
// through the alert path; the plan views show it in the flags and the chart (its tier,
// no ratings) but not as the latest answers, and the version-1 history marks it partial.
// Finishing the form sends a new, complete check-in: two in the history, the complete
// one the latest. Without an emergency yes the ratings are still required.
func TestPartialCheckInAlertsTheTherapist(t *testing.T) {
	sender, svc := pushtest.NewSender(t, nil)
	var sched *remind.Scheduler
	w := newWorkspaceWith(t, func(db *store.DB) care.Scheduler {
		sched = remind.New(remind.Config{DB: db, Sender: sender, BaseURL: "http://care.test"})
		return sched
	})
	defer sched.Stop()
	ep, p256dh, auth := svc.NewSubscription()
	if _, err := w.db.PutSubscription(store.TherapistOwner(w.a.ID), model.Subscription{Endpoint: ep, P256dh: p256dh, Auth: auth, LastSeen: time.Now()}); err != nil {
		t.Fatal(err)
	}
	ana := w.login(t, "a@example.org")
	token := w.createPlan(t, ana, "")
	path := "/api/p/" + token + "/checkins"

	// Not partial without an emergency yes: the form must be complete.
	for _, tc := range []struct{ body, field string }{
		{`{"id":"partial-bad-01","emergency":{"bladder-bowel":false}}`, "soreness"},
		{`{"id":"partial-bad-02","emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false},"seeDoctor":{"fever":true}}`, "soreness"},
		{`{"id":"partial-bad-03","soreness":2,"emergency":{"bladder-bowel":true}}`, "backPain"},
	} {
		if r := w.do(t, nil, "POST", path, tc.body); r.Status != 400 || !strings.HasPrefix(jsonField(t, r.Body, "error"), tc.field) {
			t.Errorf("%s: %d %s, want 400 naming %s", tc.body, r.Status, r.Body, tc.field)
		}
	}

	r := w.do(t, nil, "POST", path, partialCheckIn)
	if r.Status != 201 {
		t.Fatalf("partial check-in: %d %s", r.Status, r.Body)
	}
	var got struct {
		CheckIn    map[string]any `json:"checkIn"`
		Assessment struct {
			Tier   string
			Flags  []string
			Advice []any
		}
		Told bool
	}
	decodeInto(t, r.Body, &got)
	if got.CheckIn["partial"] != true || got.Assessment.Tier != "emergency-now" || strings.Join(got.Assessment.Flags, ",") != "bladder-bowel" ||
		len(got.Assessment.Advice) != 0 || !got.Told {
		t.Fatalf("answer: %s", r.Body)
	}
	for _, k := range []string{"soreness", "backPain", "legPain", "legChange"} {
		if _, ok := got.CheckIn[k]; ok {
			t.Errorf("the partial check-in has %s: %s", k, r.Body)
		}
	}
	if again := w.do(t, nil, "POST", path, partialCheckIn); again.Status != 200 || again.Body != r.Body {
		t.Fatalf("identical resend: %d %s", again.Status, again.Body)
	}
	if other := w.do(t, nil, "POST", path, strings.Replace(partialCheckIn, `"saddle-numbness":null`, `"saddle-numbness":true`, 1)); other.Status != 409 {
		t.Fatalf("same id, other answers: %d %s", other.Status, other.Body)
	}

	// The therapist's device is alerted (once: the resend is no new check-in).
	deadline := time.Now().Add(5 * time.Second)
	for len(svc.Received()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := svc.Received(); len(got) != 1 || got[0].Endpoint != ep {
		t.Fatalf("the therapist's device got %d alerts, want 1 (refusals %v)", len(got), svc.Refusals())
	}

	type views struct {
		Checkins []struct {
			ID       string
			Soreness int
			Pain     int
			RedFlags []string
			Partial  bool
		}
		Clinic struct {
			Latest *struct {
				ID      string
				LegPain int
			}
			Flags []struct {
				CheckInID string
				Tier      string
				Flags     []string
			}
		}
	}
	var tv views
	decodeInto(t, w.do(t, ana, "GET", "/api/plans/"+token, "").Body, &tv)
	if tv.Clinic.Latest != nil {
		t.Errorf("latest answers %+v: a partial check-in has none", tv.Clinic.Latest)
	}
	if len(tv.Clinic.Flags) != 1 || tv.Clinic.Flags[0].CheckInID != "partial-check-01" || tv.Clinic.Flags[0].Tier != "emergency-now" {
		t.Errorf("flags %+v", tv.Clinic.Flags)
	}
	if len(tv.Checkins) != 1 || !tv.Checkins[0].Partial || strings.Join(tv.Checkins[0].RedFlags, ",") != "bladder-bowel" {
		t.Errorf("version-1 history %+v: marked partial, with its red flag", tv.Checkins)
	}
	client := w.do(t, nil, "GET", "/api/p/"+token, "")
	if !strings.Contains(client.Body, `"latestCheckIn":null`) || !strings.Contains(client.Body, `"partial":true`) {
		t.Errorf("client view: latestCheckIn should be null and the history mark it partial: %s", client.Body)
	}
	var series struct {
		Chart []map[string]any
	}
	decodeInto(t, w.do(t, ana, "GET", "/api/plans/"+token+"/series", "").Body, &series)
	if len(series.Chart) != 1 || series.Chart[0]["tier"] != "emergency-now" || series.Chart[0]["soreness"] != nil || series.Chart[0]["legPain"] != nil {
		t.Errorf("chart %+v: the partial point has its tier and no ratings", series.Chart)
	}

	// Finishing the form: a new check-in with its own id.
	w.clock.Advance(3 * time.Minute)
	full := v2CheckIn("partial-full-01", `"soreness":1`, `"backPain":2`, `"legPain":3`,
		`"emergency":{"saddle-numbness":false,"bladder-bowel":true,"leg-weakness":false,"both-legs":false,"foot-drop":false}`)
	if r := w.do(t, nil, "POST", path, full); r.Status != 201 {
		t.Fatalf("the finished check-in: %d %s", r.Status, r.Body)
	}
	tv = views{}
	decodeInto(t, w.do(t, ana, "GET", "/api/plans/"+token, "").Body, &tv)
	if tv.Clinic.Latest == nil || tv.Clinic.Latest.ID != "partial-full-01" || tv.Clinic.Latest.LegPain != 3 {
		t.Errorf("latest %+v: the finished check-in", tv.Clinic.Latest)
	}
	if len(tv.Checkins) != 2 || tv.Checkins[0].ID != "partial-full-01" || tv.Checkins[0].Partial || !tv.Checkins[1].Partial {
		t.Errorf("history %+v: the finished one, then the partial one", tv.Checkins)
	}
	if len(tv.Clinic.Flags) != 2 {
		t.Errorf("flags %+v: both raised the emergency tier", tv.Clinic.Flags)
	}
	var sum struct {
		Summary struct {
			CheckIns int
			Latest   *struct{ ID string }
			LegPain  *struct{ Readings, Latest int }
			Flags    []json.RawMessage
		}
	}
	decodeInto(t, w.do(t, ana, "GET", "/api/plans/"+token+"/summary", "").Body, &sum)
	if s := sum.Summary; s.CheckIns != 1 || s.Latest == nil || s.Latest.ID != "partial-full-01" || s.LegPain == nil || s.LegPain.Readings != 1 || len(s.Flags) != 2 {
		t.Errorf("summary %+v", s)
	}
}
