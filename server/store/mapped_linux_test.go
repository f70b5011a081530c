//go:build linux

package store

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/model"
)

// mappedRSS is how much of the file at path this process has resident
// through its mappings of it, in KB (/proc/self/smaps).
func mappedRSS(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kb, in := 0, false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if fields := strings.Fields(line); len(fields) >= 5 && strings.Contains(fields[0], "-") && !strings.HasSuffix(fields[0], ":") {
			in = len(fields) == 6 && fields[5] == path // a mapping's header line
			continue
		}
		if v, ok := strings.CutPrefix(line, "Rss:"); ok && in {
			n, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(v), " kB"))
			kb += n
		}
	}
	return kb
}

// TestReleaseMappedDropsResidentPages: after a full read the file's pages
// are resident in this process; ReleaseMapped takes them out, and reads
// after it still see every record.
func TestReleaseMappedDropsResidentPages(t *testing.T) {
	dir := t.TempDir()
	db := mustOpenIn(t, dir)
	db.Bolt().NoSync = true                                           // seeding only
	notes := strings.Repeat("Gentle hamstring and glute work. ", 120) // about 4 KB a plan
	const plans = 2000
	for range plans {
		p := model.Plan{Token: model.NewToken(), TherapistID: "th1", ClientName: "Sam", RoutineID: "piriformis-release",
			TimeZone: "Europe/Berlin", SessionAt: time.Now().UTC(), Days: 7, StretchTime: "19:00", Notes: notes,
			Prefs: model.DefaultPrefs(), CreatedAt: time.Now()}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
	}
	db.Bolt().NoSync = false
	path, err := filepath.EvalSymlinks(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	readAll := func() {
		t.Helper()
		got, err := db.PlansByTherapist("th1")
		if err != nil || len(got) != plans {
			t.Fatalf("read %d plans, %v", len(got), err)
		}
		for _, p := range got {
			if p.Notes != notes {
				t.Fatalf("plan %s reads back changed", p.Token)
			}
		}
	}
	readAll()
	before := mappedRSS(t, path)
	if before < 6<<10 {
		t.Fatalf("only %d KB of the file resident after reading 8 MB of plans: the measurement is off", before)
	}
	if err := db.ReleaseMapped(); err != nil {
		t.Fatal(err)
	}
	after := mappedRSS(t, path)
	if after > 256 {
		t.Fatalf("%d KB of the file still resident after ReleaseMapped (%d KB before)", after, before)
	}
	readAll()
	t.Logf("file pages resident: %d KB after a full read, %d KB after ReleaseMapped", before, after)
}
