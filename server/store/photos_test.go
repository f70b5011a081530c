package store

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/routines"
	"github.com/aftercare/aftercare/server/model"
)

func photoName(i int) string { return fmt.Sprintf("%064x.jpg", i) }

// Loose photos (uploaded, never saved with a stretch) are bounded per
// therapist; a photo a stretch uses or a plan shows is never pruned.
func TestLoosePhotosArePruned(t *testing.T) {
	db := mustOpen(t)
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	put := func(i int, owner string) {
		t.Helper()
		if err := db.PutPhoto(photoName(i), []byte("jpeg"+fmt.Sprint(i)), owner, t0.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	put(0, "a") // will be saved with a stretch
	if err := db.PutCustomStretch(model.CustomStretch{TherapistID: "a", Photo: photoName(0), Stretch: customStretch("c-used")}, 10); err != nil {
		t.Fatal(err)
	}
	put(1, "a") // will be pinned by a plan
	if err := db.PinPhotos([]string{photoName(1), photoName(999)}); err != nil {
		t.Fatal(err)
	}
	put(2, "b") // another therapist's
	for i := 3; i < 3+MaxLoosePhotos+5; i++ {
		put(i, "a")
	}
	has := func(i int) bool { _, err := db.Photo(photoName(i)); return err == nil }
	for _, i := range []int{0, 1, 2} {
		if !has(i) {
			t.Errorf("photo %d was pruned", i)
		}
	}
	kept := 0
	for i := 3; i < 3+MaxLoosePhotos+5; i++ {
		if has(i) {
			kept++
		} else if i >= 3+5 {
			t.Errorf("photo %d, among the newest, was pruned", i)
		}
	}
	if kept != MaxLoosePhotos {
		t.Errorf("kept %d loose photos, want %d", kept, MaxLoosePhotos)
	}
	if b, err := db.Photo(photoName(0)); err != nil || string(b) != "jpeg0" {
		t.Errorf("photo 0 = %q, %v", b, err)
	}
}

func TestCustomStretchNeedsItsPhotoAndHasALimit(t *testing.T) {
	db := mustOpen(t)
	s := model.CustomStretch{TherapistID: "a", Photo: photoName(7), Stretch: customStretch("c-x")}
	if err := db.PutCustomStretch(s, 10); !errors.Is(err, ErrPhotoMissing) {
		t.Fatalf("missing photo: %v", err)
	}
	s.Photo = ""
	for i := 0; i < 3; i++ {
		s.ID = fmt.Sprintf("c-%d", i)
		if err := db.PutCustomStretch(s, 3); err != nil {
			t.Fatal(err)
		}
	}
	s.ID = "c-4"
	if err := db.PutCustomStretch(s, 3); !errors.Is(err, ErrCustomLimit) {
		t.Fatalf("fourth of three: %v", err)
	}
	// Changing a stored one is not a new one.
	s.ID, s.Name = "c-1", "Renamed"
	if err := db.PutCustomStretch(s, 3); err != nil {
		t.Fatal(err)
	}
	got, err := db.CustomStretch("c-1")
	if err != nil || got.Name != "Renamed" {
		t.Fatalf("%+v, %v", got, err)
	}
	list, err := db.CustomStretches()
	if err != nil || len(list) != 3 || !strings.HasPrefix(list[0].ID, "c-") {
		t.Fatalf("%d stretches, %v", len(list), err)
	}
	if _, err := db.CustomStretch("c-nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

func customStretch(id string) routines.Stretch { return routines.Stretch{ID: id, Name: "Mine"} }
