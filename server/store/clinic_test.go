package store

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/clinic"
	"github.com/aftercare/aftercare/server/model"
)

// clinicRecords stores a version-2 check-in, a PSFS rating and a preparation
// for token, each carrying word in the client's own words.
func addClinicRecords(t testing.TB, db *DB, token, word string) {
	t.Helper()
	now := time.Now()
	no := `{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false}`
	ci, err := clinic.DecodeCheckIn([]byte(`{"id":"v2-record-`+word+`","soreness":2,"backPain":3,"legPain":4,"emergency":`+no+`,"note":"`+word+`v2note"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordClinicCheckIn(token, ci, Limit{}); err != nil {
		t.Fatal(err)
	}
	r, err := clinic.DecodePSFS([]byte(`{"id":"psfs-record-`+word+`","activities":[{"name":"`+word+`activity","score":4}]}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordPSFS(token, r, Limit{}); err != nil {
		t.Fatal(err)
	}
	f, err := clinic.DecodePreparation([]byte(`{"id":"prep-record-`+word+`","healthNote":"`+word+`health"}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordPreparation(token, f, Limit{}); err != nil {
		t.Fatal(err)
	}
}

// Erasing a plan erases its PSFS ratings and preparations with its
// check-ins (both versions), and nothing of another plan's.
func TestDeletePlanErasesClinicalRecords(t *testing.T) {
	db := mustOpen(t)
	p, other := mustPlan(t, db, "A"), mustPlan(t, db, "A")
	addClinicRecords(t, db, p.Token, "gone")
	addClinicRecords(t, db, other.Token, "kept")
	if err := db.DeletePlan(p.Token); err != nil {
		t.Fatal(err)
	}
	for name, n := range map[string]func(string) int{
		"check-ins":    func(tk string) int { l, _ := db.ClinicCheckIns(tk); return len(l) },
		"PSFS":         func(tk string) int { l, _ := db.PSFSRatings(tk); return len(l) },
		"preparations": func(tk string) int { l, _ := db.Preparations(tk); return len(l) },
	} {
		if n(p.Token) != 0 {
			t.Errorf("%s survived the erasure", name)
		}
		if n(other.Token) != 1 {
			t.Errorf("another plan's %s were erased", name)
		}
	}
	for _, b := range [][]byte{bucketPSFS, bucketPreparations, bucketCheckIns} {
		if n := countKeysUnder(t, db, b, p.Token); n != 0 {
			t.Errorf("bucket %s holds %d keys of the erased plan", b, n)
		}
	}
}

func countKeysUnder(t *testing.T, db *DB, bucket []byte, token string) int {
	t.Helper()
	n := 0
	if err := scanPrefix(db.bolt, bucket, token, func([]byte) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}

// A version-2 check-in reads as version 1 in the check-ins history (pain the
// higher rating, red flags the emergency signs answered yes), and a version-1
// check-in reads as version 2 for the warning signs and soreness (no back or
// leg pain); a version-2 resend under a version-1 id comes back as the
// version-1 record.
func TestCheckInRecordsReadInBothVersions(t *testing.T) {
	db := mustOpen(t)
	p := mustPlan(t, db, "A")
	now := time.Now()
	ci, err := clinic.DecodeCheckIn([]byte(`{"id":"v2-record-1","soreness":2,"backPain":6,"legPain":4,`+
		`"areas":[{"area":"thigh","side":"both"}],"emergency":{"saddle-numbness":false,"bladder-bowel":true,"leg-weakness":false,"both-legs":false,"foot-drop":true},`+
		`"seeDoctor":{"fever":true}}`), now)
	if err != nil {
		t.Fatal(err)
	}
	if _, created, err := db.RecordClinicCheckIn(p.Token, ci, Limit{}); err != nil || !created {
		t.Fatal(created, err)
	}
	if _, err := db.AddCheckIn(p.Token, model.CheckIn{ID: "v1-record-1", At: now.Add(time.Minute), Soreness: 5, Pain: 7, RedFlags: []string{model.RedFlagSaddle}}); err != nil {
		t.Fatal(err)
	}
	v1, err := db.CheckIns(p.Token)
	if err != nil || len(v1) != 2 {
		t.Fatal(len(v1), err)
	}
	if got := v1[0]; got.Pain != 6 || len(got.RedFlags) != 2 || got.RedFlags[0] != "bladder-bowel" || got.RedFlags[1] != "foot-drop" ||
		len(got.Areas) != 2 || got.Areas[0] != "left-hamstring" {
		t.Fatalf("version-1 view: %+v", got)
	}
	readings, _ := db.Readings(p.Token)
	if len(readings) != 2 || readings[0].Pain != 6 || len(readings[0].RedFlags) != 2 {
		t.Fatalf("readings: %+v", readings)
	}
	recs, err := db.CheckInRecords(p.Token)
	if err != nil || len(recs) != 2 {
		t.Fatal(err)
	}
	if v2 := recs[0].V2(); v2.Tier() != clinic.EmergencyNow || v2.SeeDoctor.Fever == nil || !*v2.SeeDoctor.Fever || v2.BackPain != 6 {
		t.Fatalf("version 2 as stored: %+v", v2)
	}
	if old := recs[1].V2(); old.LegPain != 0 || old.BackPain != 0 || old.Soreness != 5 || old.Tier() != clinic.EmergencyNow ||
		len(old.Flags()) != 1 || old.Flags()[0] != clinic.FlagSaddleNumbness || old.LegChange != clinic.LegUnknown {
		t.Fatalf("version 1 read as version 2: %+v", old)
	}
	if v2, _ := db.ClinicCheckIns(p.Token); len(v2) != 1 || v2[0].ID != "v2-record-1" {
		t.Fatalf("version-2 check-ins: %+v", v2)
	}
	clash := ci
	clash.ID = "v1-record-1"
	rec, created, err := db.RecordClinicCheckIn(p.Token, clash, Limit{})
	if err != nil || created || rec.Clinic != nil || rec.Pain != 7 {
		t.Fatalf("version 2 under a version-1 id: %+v %v %v", rec, created, err)
	}
	if _, _, err := db.RecordPSFS("no-such-plan", clinic.PSFS{ID: "psfs-nope-1"}, Limit{}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("PSFS for a missing plan: %v", err)
	}
}

// A backup whose PSFS or preparation record does not decode is refused, as
// one with a broken check-in is.
func TestVerifyBackupReadsTheClinicalRecords(t *testing.T) {
	for _, b := range [][]byte{bucketPSFS, bucketPreparations} {
		t.Run(string(b), func(t *testing.T) {
			dir := t.TempDir()
			db, err := Open(dir)
			if err != nil {
				t.Fatal(err)
			}
			p := mustPlan(t, db, "A")
			addClinicRecords(t, db, p.Token, "fine")
			path := filepath.Join(dir, FileName)
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			if err := VerifyBackup(path); err != nil {
				t.Fatalf("a sound file refused: %v", err)
			}
			raw, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			if err := raw.Update(func(tx *bolt.Tx) error { return tx.Bucket(b).Put(join(p.Token, "broken-record"), []byte(`{"id":`)) }); err != nil {
				t.Fatal(err)
			}
			_ = raw.Close()
			if err := VerifyBackup(path); err == nil || !strings.Contains(err.Error(), string(b)) {
				t.Fatalf("a broken %s record: %v", b, err)
			}
		})
	}
}

// A schema-2 file's clients list rows (written before the tiers) are rebuilt
// on opening: a stored see-a-doctor sign puts its plan in its own section.
func TestOpenRebuildsTheClientRowsForTheTiers(t *testing.T) {
	dir := t.TempDir()
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	p := mustPlan(t, db, "A")
	ci, err := clinic.DecodeCheckIn([]byte(`{"id":"v2-doctor-01","soreness":2,"backPain":3,"legPain":4,`+
		`"emergency":{"saddle-numbness":false,"bladder-bowel":false,"leg-weakness":false,"both-legs":false,"foot-drop":false},"seeDoctor":{"weight-loss":true}}`), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RecordClinicCheckIn(p.Token, ci, Limit{}); err != nil {
		t.Fatal(err)
	}
	// Make it the file an older binary left: rows without attention, in the open class, schema 2.
	err = db.bolt.Update(func(tx *bolt.Tx) error {
		var r model.ClientRow
		if err := getJSON(tx.Bucket(bucketClientRows), []byte(p.Token), &r); err != nil {
			return err
		}
		r.Attention = ""
		if err := putClientRow(tx, r); err != nil {
			return err
		}
		return tx.Bucket(bucketMeta).Put([]byte("schema"), encodeUint(2))
	})
	if err != nil {
		t.Fatal(err)
	}
	section := func(db *DB) int {
		page, err := db.ClientRows(ClientQuery{Sections: []Section{SectionSeeDoctor}, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Rows)
	}
	if section(db) != 0 {
		t.Fatal("the old row is already in the see-doctor section: the test proves nothing")
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(dir); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v, _ := db.Schema(); v != SchemaVersion || section(db) != 1 {
		t.Fatalf("schema %d, see-doctor section %d rows after opening", v, section(db))
	}
}
