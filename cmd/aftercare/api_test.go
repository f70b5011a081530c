package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/store"
)

func TestFirstStartCreatesPrivateDataFiles(t *testing.T) {
	ts := startServer(t)
	for name, want := range map[string]os.FileMode{"": 0o700, store.FileName: 0o600, "vapid.json": 0o600} {
		fi, err := os.Stat(filepath.Join(ts.Data, name))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%q mode %v, want %v", name, fi.Mode().Perm(), want)
		}
	}
	r := ts.do(t, "GET", "/api/push/key", "")
	var key struct{ PublicKey string }
	r.json(t, &key)
	if len(key.PublicKey) != 87 {
		t.Fatalf("VAPID public key %q is not a raw base64url P-256 point", key.PublicKey)
	}
	if strings.Contains(string(r.Body), "rivate") {
		t.Fatal("private key material served")
	}
}

func TestPlanLifecycle(t *testing.T) {
	ts := startServer(t)
	session := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	token := ts.createPlan(t, planJSON(session, `,"overrides":[{"stretchId":"supine-hamstring-strap","holdSeconds":15,"reps":2}]`))
	if len(token) < 22 {
		t.Fatalf("token %q shorter than 128 bits", token)
	}

	// The client sees the plan with the override applied.
	r := ts.do(t, "GET", "/api/p/"+token, "")
	if r.Status != 200 {
		t.Fatalf("GET plan: %d %s", r.Status, r.Body)
	}
	var view struct {
		ClientName string
		Therapist  struct{ Name string }
		Notes      string
		Routine    struct {
			Stretches []struct {
				ID          string
				HoldSeconds int
				Reps        int
				StopIf      string
				PerSide     bool
				Image       string
				ImageOther  string
			}
		}
	}
	r.json(t, &view)
	if view.ClientName != "Sam" || view.Therapist.Name != "Ana Ruiz" || view.Notes != "Focus: left piriformis" {
		t.Fatalf("unexpected view %+v", view)
	}
	found := false
	for _, s := range view.Routine.Stretches {
		if s.StopIf == "" || s.Image == "" {
			t.Errorf("stretch %s lacks safety text or image", s.ID)
		}
		if s.ID == "supine-hamstring-strap" {
			found = s.HoldSeconds == 15 && s.Reps == 2
		}
		pics := []string{s.Image}
		if s.PerSide {
			pics = append(pics, s.ImageOther) // the other side's picture
		}
		for _, u := range pics {
			img := ts.do(t, "GET", u, "")
			if img.Status != 200 || img.Header.Get("Content-Type") != "image/svg+xml" || !bytes.Contains(img.Body, []byte("<svg")) {
				t.Errorf("illustration %q of %s: %d %s", u, s.ID, img.Status, img.Header.Get("Content-Type"))
			}
		}
	}
	if !found {
		t.Fatal("override for supine-hamstring-strap not applied")
	}

	// Completion: stored once per client id, even when the offline queue resends it.
	comp := `{"id":"c0mpletion-1","at":"` + time.Now().Add(-time.Minute).Format(time.RFC3339) + `","routineId":"gentle-sciatica-aftercare","done":5,"total":5}`
	if r := ts.do(t, "POST", "/api/p/"+token+"/completions", comp); r.Status != 201 {
		t.Fatalf("completion: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/completions", comp); r.Status != 200 {
		t.Fatalf("repeated completion: %d %s", r.Status, r.Body)
	}
	// Check-in with a red flag gets urgent advice.
	r = ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-0001","soreness":5,"pain":6,"areas":["left-buttock"],"feelings":["shooting"],"redFlags":["bladder-bowel"],"note":"hard to sit"}`)
	if r.Status != 201 || !strings.Contains(string(r.Body), `"advice":"urgent"`) {
		t.Fatalf("check-in: %d %s", r.Status, r.Body)
	}

	// The therapist sees both.
	r = ts.do(t, "GET", "/api/plans/"+token, "", ts.auth()...)
	var tp struct {
		Completions []struct{ ID string }
		CheckIns    []struct {
			RedFlags []string
			Note     string
		} `json:"checkins"`
	}
	r.json(t, &tp)
	if len(tp.Completions) != 1 || len(tp.CheckIns) != 1 || tp.CheckIns[0].Note != "hard to sit" {
		t.Fatalf("therapist view: %s", r.Body)
	}
	r = ts.do(t, "GET", "/api/plans", "", ts.auth()...)
	if !strings.Contains(string(r.Body), token) {
		t.Fatalf("plan missing from therapist list: %s", r.Body)
	}

	// The client erases everything.
	if r := ts.do(t, "DELETE", "/api/p/"+token, ""); r.Status != 204 {
		t.Fatalf("erase: %d %s", r.Status, r.Body)
	}
	for _, path := range []string{"/api/p/" + token, "/p/" + token, "/api/plans/" + token} {
		if r := ts.do(t, "GET", path, "", ts.auth()...); r.Status != 404 {
			t.Errorf("%s after erase: %d", path, r.Status)
		}
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/completions", comp); r.Status != 404 {
		t.Errorf("completion after erase: %d", r.Status)
	}
}

func TestCreatePlanRefusesBadInputAndStoresNothing(t *testing.T) {
	ts := startServer(t)
	cases := []struct {
		name    string
		body    string
		headers []string
		status  int
		mention string
	}{
		{"no credentials", planJSON(time.Now(), ""), nil, 401, "credentials"},
		{"wrong token", planJSON(time.Now(), ""), []string{"Authorization", "Bearer act_nope"}, 401, "token"},
		{"unknown field", planJSON(time.Now(), `,"owner":true`), ts.auth(), 400, "owner"},
		{"wrong type", `{"clientName":"Sam","days":"many"}`, ts.auth(), 400, "days"},
		{"bad zone", strings.Replace(planJSON(time.Now(), ""), "Europe/Berlin", "Berlin", 1), ts.auth(), 400, "timeZone"},
		{"unknown routine", strings.Replace(planJSON(time.Now(), ""), "gentle-sciatica-aftercare", "yoga", 1), ts.auth(), 400, "routineId"},
		{"not json", `clientName=Sam`, ts.auth(), 400, "JSON"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := ts.do(t, "POST", "/api/plans", tc.body, tc.headers...)
			if r.Status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.Status, tc.status, r.Body)
			}
			if msg := r.errorText(t); !strings.Contains(msg, tc.mention) {
				t.Fatalf("error %q does not mention %q", msg, tc.mention)
			}
		})
	}
	r := ts.do(t, "GET", "/api/plans", "", ts.auth()...)
	if strings.TrimSpace(string(r.Body)) != "[]" {
		t.Fatalf("bad requests stored something: %s", r.Body)
	}
}

func TestHostileBodiesAreRefused(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	_, _ = zw.Write([]byte(`{"id":"checkin-0002","soreness":1,"pain":1,"note":"` + strings.Repeat(" ", 10<<20) + `"}`))
	_ = zw.Close()

	req, _ := http.NewRequest("POST", ts.URL+"/api/p/"+token+"/checkins", bytes.NewReader(gz.Bytes()))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Content-Encoding", "gzip")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 415 || !strings.Contains(string(body), "compressed") {
		t.Fatalf("gzip body: %d %s", resp.StatusCode, body)
	}

	// An oversized body is refused from its Content-Length, before it is read. (Sending
	// the body too races the server closing the connection; the hostile test covers that.)
	conn, err := net.Dial("tcp", strings.TrimPrefix(ts.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "POST /api/p/%s/checkins HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", token, 100<<10)
	big, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	big.Body.Close()
	if big.StatusCode != 413 {
		t.Fatalf("oversized body: %d", big.StatusCode)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-0004","soreness":1,"pain":1,"mood":"ok"}`); r.Status != 400 || !strings.Contains(r.errorText(t), "mood") {
		t.Fatalf("unknown field: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "POST", "/api/p/"+token+"/checkins", `{"id":"checkin-0005","soreness":1,"pain":1}`, "Content-Type", "text/plain"); r.Status != 415 {
		t.Fatalf("text/plain body: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "GET", "/api/p/"+token, ""); !strings.Contains(string(r.Body), `"checkins":[]`) {
		t.Fatalf("refused requests stored a check-in: %s", r.Body)
	}
	if r := ts.do(t, "POST", "/api/session", `{"email":"ana@example.org","password":"correct horse battery"}`, "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Fatalf("cross-site login: %d %s", r.Status, r.Body)
	}
	if r := ts.do(t, "DELETE", "/api/p/"+token, "", "Sec-Fetch-Site", "cross-site"); r.Status != 403 {
		t.Fatalf("cross-site erase: %d", r.Status)
	}
	if r := ts.do(t, "GET", "/api/p/not-a-token", ""); r.Status != 404 {
		t.Fatalf("unknown token: %d", r.Status)
	}
}

func TestClientAppShellIsInstallableAndLocked(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	r := ts.do(t, "GET", "/p/"+token, "")
	if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("app: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	csp := r.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("CSP %q", csp)
	}
	if r.Header.Get("Referrer-Policy") != "no-referrer" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("headers %v", r.Header)
	}
	if bytes.Contains(r.Body, []byte("<script>")) {
		t.Fatal("inline script in the shell")
	}

	r = ts.do(t, "GET", "/p/"+token+"/manifest.webmanifest", "")
	var m struct {
		StartURL string `json:"start_url"`
		Display  string
		Icons    []struct{ Src, Sizes, Purpose string }
	}
	r.json(t, &m)
	if m.StartURL != "/p/"+token || m.Display != "standalone" {
		t.Fatalf("manifest %s", r.Body)
	}
	purposes := map[string]bool{}
	for _, ic := range m.Icons {
		purposes[ic.Sizes+" "+ic.Purpose] = true
		img := ts.do(t, "GET", ic.Src, "")
		if img.Status != 200 || img.Header.Get("Content-Type") != "image/png" {
			t.Errorf("icon %s: %d %s", ic.Src, img.Status, img.Header.Get("Content-Type"))
		}
	}
	for _, want := range []string{"192x192 any", "512x512 any", "512x512 maskable"} {
		if !purposes[want] {
			t.Errorf("manifest lacks %s icon", want)
		}
	}
	if r := ts.do(t, "GET", "/sw.js", ""); r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "javascript") {
		t.Fatalf("sw.js: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if r := ts.do(t, "GET", "/p/unknown-token-xyz", ""); r.Status != 404 {
		t.Fatalf("unknown plan page: %d", r.Status)
	}
	if r := ts.do(t, "GET", "/app/../../go.mod", ""); r.Status != 404 {
		t.Fatalf("path traversal: %d", r.Status)
	}
}

func TestRoutinesAPI(t *testing.T) {
	ts := startServer(t)
	r := ts.do(t, "GET", "/api/routines", "")
	var list []struct {
		ID               string
		EstimatedMinutes int
	}
	r.json(t, &list)
	if len(list) < 3 {
		t.Fatalf("want at least 3 routines, got %s", r.Body)
	}
	r = ts.do(t, "GET", "/api/routines/"+list[0].ID, "")
	var one struct {
		Stretches []struct{ ID, Feel, StopIf string }
	}
	r.json(t, &one)
	if len(one.Stretches) == 0 {
		t.Fatalf("routine without stretches: %s", r.Body)
	}
	if r := ts.do(t, "GET", "/api/routines/nope", ""); r.Status != 404 {
		t.Fatalf("unknown routine: %d", r.Status)
	}
}

func TestOperatorCommandFailsFastWhileServerHoldsTheDatabase(t *testing.T) {
	ts := startServer(t)
	start := time.Now()
	var out, errb bytes.Buffer
	err := run([]string{"therapist", "token", "-data", ts.Data, "-email", "ana@example.org"}, nil, &out, &errb)
	if !errors.Is(err, store.ErrLocked) {
		t.Fatalf("want ErrLocked, got %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("took %v", d)
	}
	if !strings.Contains(err.Error(), "stop the server") {
		t.Fatalf("error does not say what to do: %v", err)
	}
}

func TestGracefulShutdownClosesTheDatabase(t *testing.T) {
	ts := startServer(t)
	token := ts.createPlan(t, planJSON(time.Now().Add(-time.Hour), ""))
	ts.shutdown(t)
	db, err := store.Open(ts.Data)
	if err != nil {
		t.Fatalf("database still held after shutdown: %v", err)
	}
	defer db.Close()
	if _, err := db.Plan(token); err != nil {
		t.Fatalf("plan lost: %v", err)
	}
}
