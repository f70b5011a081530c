package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestBackupAndRestoreKeepPlansSubscriptionsAndHistory(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ep, key, auth := ts.Push.NewSubscription()
	if r := ts.do(t, "PUT", "/api/p/"+token+"/subscription", subscriptionJSON(ep, key, auth)); r.Status != 201 {
		t.Fatalf("subscribe: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-bk01","soreness":4,"pain":2,"note":"better"}`); r.Status != 201 {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}
	before := ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...).Body

	// A therapist who is not the owner may not take backups.
	other := addTherapistWhileRunning(t, ts, "bo@example.org")
	if r := ts.do(t, "GET", "/api/admin/backup", "", "Authorization", "Bearer "+other); r.Status != 403 {
		t.Fatalf("non-owner backup: %d", r.Status)
	}
	if r := ts.do(t, "GET", "/api/admin/backup", ""); r.Status != 401 {
		t.Fatalf("anonymous backup: %d", r.Status)
	}

	// Hot backup over HTTP from the running server.
	hot := filepath.Join(t.TempDir(), "hot.db")
	var out bytes.Buffer
	if err := run([]string{"backup", "-url", ts.URL, "-token", ts.Token, "-out", hot}, nil, &out, &out); err != nil {
		t.Fatalf("hot backup: %v (%s)", err, out.String())
	}
	// While the server runs, the file-based backup says what to do instead.
	if err := run([]string{"backup", "-data", ts.Data, "-out", filepath.Join(t.TempDir(), "x.db")}, nil, &out, &out); err == nil || !strings.Contains(err.Error(), "-url") {
		t.Fatalf("file backup while running: %v", err)
	}
	ts.shutdown(t)
	cold := filepath.Join(t.TempDir(), "cold.db")
	if err := run([]string{"backup", "-data", ts.Data, "-out", cold}, nil, &out, &out); err != nil {
		t.Fatalf("cold backup: %v", err)
	}

	for name, file := range map[string]string{"hot": hot, "cold": cold} {
		t.Run(name, func(t *testing.T) {
			restored := &testServer{Data: filepath.Join(t.TempDir(), "restored"), Token: ts.Token, Push: ts.Push}
			if err := run([]string{"restore", "-data", restored.Data, "-from", file}, nil, &out, &out); err != nil {
				t.Fatalf("restore: %v", err)
			}
			restored.start(t)
			after := restored.do(t, "GET", "/api/plans/"+token, "", restored.auth()...)
			if after.Status != 200 || !bytes.Equal(stripURL(after.Body), stripURL(before)) {
				t.Fatalf("restored plan differs:\n%s\n%s", before, after.Body)
			}
			if r := restored.do(t, "POST", "/api/p/"+token+"/test-push", ""); !strings.Contains(string(r.Body), `"devices":1`) {
				t.Fatalf("subscription not restored: %s", r.Body)
			}
		})
	}
	if err := run([]string{"restore", "-data", t.TempDir(), "-from", filepath.Join(ts.Data, "vapid.json")}, nil, &out, &out); err == nil {
		t.Fatal("restoring a file that is not a database must fail")
	}
}

// stripURL drops the plan URL, which names the server's port.
func stripURL(b []byte) []byte {
	s := string(b)
	if i := strings.Index(s, `"url":"`); i >= 0 {
		j := strings.Index(s[i+7:], `"`)
		s = s[:i] + s[i+7+j+1:]
	}
	return []byte(s)
}

// addTherapistWhileRunning creates a second therapist through the running
// server's database is impossible (the file is locked), so it stops and
// restarts the server around the CLI, as an operator would.
func addTherapistWhileRunning(t *testing.T, ts *testServer, email string) string {
	t.Helper()
	ts.shutdown(t)
	tok := addTherapist(t, ts.Data, email, "Bo Lind")
	ts.start(t)
	return tok
}

// A backup stream cut short is reported as an error, never as a backup.
func TestTruncatedBackupIsRefused(t *testing.T) {
	ts := startServer(t)
	ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	full := ts.do(t, "GET", "/api/admin/backup", "", ts.auth()...)
	if full.Status != 200 || len(full.Body) < 8192 {
		t.Fatalf("backup: %d, %d bytes", full.Status, len(full.Body))
	}
	// A loopback server that sends only the first half of a real backup.
	half := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(full.Body[:len(full.Body)/2])
	}))
	defer half.Close()
	out := filepath.Join(t.TempDir(), "half.db")
	var log bytes.Buffer
	err := run([]string{"backup", "-url", half.URL, "-token", "x", "-out", out}, nil, &log, &log)
	if err == nil {
		t.Fatalf("a truncated backup was accepted: %s", log.String())
	}
	if _, statErr := os.Stat(out); statErr == nil {
		t.Fatal("a truncated backup file was left behind")
	}
}
