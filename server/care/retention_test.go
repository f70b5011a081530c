package care

import (
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// The daily sweep erases plans ended longer than the retention period ago,
// with their history, devices and list rows, as a client's own erasure does
// (the file is due for compaction after); younger and running plans stay.
func TestEraseExpiredPlans(t *testing.T) {
	db := storetest.Open(t)
	now := time.Date(2027, 12, 1, 12, 0, 0, 0, time.UTC)
	svc := &Service{DB: db, Scheduler: &stubScheduler{}, Now: func() time.Time { return now },
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	mk := func(name string, session time.Time, days int, ended *time.Time) string {
		t.Helper()
		p := model.Plan{Token: model.NewToken(), TherapistID: "th1", ClientName: name, RoutineID: "gentle-sciatica-aftercare",
			SessionAt: session, TimeZone: "UTC", StretchTime: "19:00", Days: days, EndedAt: ended,
			Prefs: model.DefaultPrefs(), CreatedAt: session}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddCheckIn(p.Token, model.CheckIn{ID: "checkin-" + name, At: session.Add(time.Hour), Soreness: 3, Note: "words of " + name}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.PutSubscription(p.Token, model.Subscription{Endpoint: "https://fcm.googleapis.com/fcm/send/" + name, P256dh: "k", Auth: "a"}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.RecordPSFS(p.Token, clinic.PSFS{ID: "psfs-" + name, At: session.Add(time.Hour), Activities: []clinic.Activity{{Name: "walking " + name, Score: 4}}}, store.Limit{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.RecordPreparation(p.Token, clinic.Preparation{ID: "prep-" + name, At: session.Add(time.Hour), HealthNote: "words of " + name}, store.Limit{}); err != nil {
			t.Fatal(err)
		}
		return p.Token
	}
	day := 24 * time.Hour
	endedLongAgo := now.Add(-400 * day)
	old := mk("old", now.Add(-500*day), 14, nil)                     // its last day ended 486 days ago
	oldEnded := mk("oldended", now.Add(-410*day), 90, &endedLongAgo) // ended by the therapist 400 days ago
	young := mk("young", now.Add(-370*day), 14, nil)                 // ended 356 days ago
	running := mk("running", now.Add(-2*day), 14, nil)

	n, err := svc.EraseExpiredPlans(DefaultRetention)
	if err != nil || n != 2 {
		t.Fatalf("EraseExpiredPlans = %d, %v; want 2 erased", n, err)
	}
	for _, token := range []string{old, oldEnded} {
		if _, err := db.Plan(token); !errors.Is(err, model.ErrNotFound) {
			t.Errorf("plan past retention still there: %v", err)
		}
		if list, _ := db.CheckIns(token); len(list) != 0 {
			t.Errorf("its check-ins are still there: %+v", list)
		}
		if subs, _ := db.Subscriptions(token); len(subs) != 0 {
			t.Errorf("its devices are still there: %+v", subs)
		}
		if r, _ := db.PSFSRatings(token); len(r) != 0 {
			t.Errorf("its PSFS ratings are still there: %+v", r)
		}
		if f, _ := db.Preparations(token); len(f) != 0 {
			t.Errorf("its preparations are still there: %+v", f)
		}
	}
	for _, token := range []string{young, running} {
		if _, err := db.Plan(token); err != nil {
			t.Errorf("plan within retention erased: %v", err)
		}
	}
	if _, due, err := db.ErasedWordsSince(); err != nil || !due {
		t.Errorf("no compaction due after the sweep (%v): the erased words would stay in the file", err)
	}
	page, err := svc.Clients(model.Therapist{ID: "th1", Owner: true}, model.ClientsQuery{Limit: 50,
		Statuses: []string{model.StatusAttention, model.StatusActive, model.StatusEnded}})
	if err != nil || len(page.Items) != 2 {
		t.Fatalf("clients after the sweep: %+v, %v", page.Items, err)
	}
	// A second sweep finds nothing more; a shorter retention takes the young one.
	if n, err := svc.EraseExpiredPlans(DefaultRetention); n != 0 || err != nil {
		t.Fatalf("second sweep = %d, %v", n, err)
	}
	if n, err := svc.EraseExpiredPlans(300 * day); n != 1 || err != nil {
		t.Fatalf("300-day sweep = %d, %v", n, err)
	}
}
