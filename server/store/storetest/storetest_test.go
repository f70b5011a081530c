package storetest

import (
	"errors"
	"testing"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

func TestOpenGivesEachTestItsOwnFileAndReopenKeepsIt(t *testing.T) {
	dir := t.TempDir()
	db := OpenDir(t, dir)
	p := model.Plan{Token: model.NewToken(), TherapistID: "th1", ClientName: "Sam", TimeZone: "UTC", Days: 7, Prefs: model.DefaultPrefs()}
	if err := db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil { // a restart; the cleanup closes it again
		t.Fatal(err)
	}
	again := OpenDir(t, dir)
	if _, err := again.Plan(p.Token); err != nil {
		t.Fatalf("after reopening: %v", err)
	}
	if _, err := Open(t).Plan(p.Token); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a fresh database has the plan: %v", err)
	}
}
