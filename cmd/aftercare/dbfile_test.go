package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
)

// fileHas reports whether the file at path contains s anywhere (free pages included).
func fileHas(t *testing.T, path, s string) bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Contains(data, []byte(s))
}

// processClient is a small HTTP helper around a running binary.
type processClient struct {
	t      *testing.T
	url    string
	owner  []string
	client *http.Client
}

func (p processClient) call(method, path, body string, headers ...string) (int, []byte) {
	p.t.Helper()
	status, data, err := callHTTP(context.Background(), p.client, method, p.url+path, body, headers...)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	return status, data
}

func (p processClient) createPlan(name, notes string) string {
	p.t.Helper()
	body := strings.Replace(planJSON(time.Now().Add(-time.Hour), ""), `"clientName":"Sam"`, `"clientName":"`+name+`"`, 1)
	body = strings.Replace(body, `"notes":"Focus: left piriformis"`, `"notes":"`+notes+`"`, 1)
	status, data := p.call("POST", "/api/plans", body, p.owner...)
	if status != 201 {
		p.t.Fatalf("create plan: %d %s", status, data)
	}
	var out struct{ Token string }
	if err := json.Unmarshal(data, &out); err != nil {
		p.t.Fatal(err)
	}
	return out.Token
}

func (p processClient) checkIn(token, id, note string) {
	p.t.Helper()
	status, data := p.call("POST", "/api/p/"+token+"/checkins", `{"id":"`+id+`","soreness":4,"pain":2,"note":"`+note+`"}`)
	if status != 201 {
		p.t.Fatalf("check-in: %d %s", status, data)
	}
}

// randomWord is a marker no other test data contains.
func randomWord(prefix string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz"
	b := []byte(prefix)
	for range 10 {
		b = append(b, letters[rand.IntN(len(letters))])
	}
	return string(b)
}

// TestErasedPlanLeavesBackupsAndTheLiveFile erases a plan through the real
// binary and looks for the client's words, byte for byte, in a hot backup taken
// right after, in the live file once the configured delay has passed, and in a
// cold backup after shutdown. Another client's plan must survive all three.
func TestErasedPlanLeavesBackupsAndTheLiveFile(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	pushSvc := pushtest.New(t, keys.Public)
	const delay = 2 * time.Second
	srv := startProcess(t, bin, dir, pushSvc.URL+"/", "-erase-compact-after", delay.String())
	c := processClient{t: t, url: srv.URL, owner: []string{"Authorization", "Bearer " + token}, client: &http.Client{Timeout: 10 * time.Second}}

	name, notes, words := randomWord("Erasename"), randomWord("erasenotes"), randomWord("erasecheckin")
	keepName, keepWords := randomWord("Keepname"), randomWord("keepcheckin")
	kept := c.createPlan(keepName, "kept notes")
	c.checkIn(kept, "keep-ci-1", keepWords)
	erased := c.createPlan(name, notes)
	for i := range 20 {
		c.checkIn(erased, fmt.Sprintf("erase-ci-%02d", i), words+" day "+fmt.Sprint(i))
	}
	live := filepath.Join(dir, store.FileName)
	for _, w := range []string{name, notes, words} {
		if !fileHas(t, live, w) {
			t.Fatalf("%q is not in the live file before the erase: the test would prove nothing", w)
		}
	}
	if status, data := c.call("DELETE", "/api/p/"+erased, ""); status != 204 {
		t.Fatalf("erase: %d %s", status, data)
	}
	erasedAt := time.Now()

	hot := filepath.Join(t.TempDir(), "hot.db")
	runBinary(t, bin, "", "backup", "-url", srv.URL, "-token", token, "-out", hot)
	for _, w := range []string{name, notes, words} {
		if fileHas(t, hot, w) {
			t.Errorf("hot backup taken after the erase still contains %q", w)
		}
	}
	if !fileHas(t, hot, keepName) || !fileHas(t, hot, keepWords) {
		t.Error("hot backup lost the plan that was not erased")
	}

	// The live file: gone within the delay plus the compaction's own time.
	deadline := erasedAt.Add(delay + 10*time.Second)
	for {
		data, err := os.ReadFile(live)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(data, []byte(name)) && !bytes.Contains(data, []byte(notes)) && !bytes.Contains(data, []byte(words)) {
			t.Logf("erased words left the live file %v after the erase (delay %v)", time.Since(erasedAt).Round(10*time.Millisecond), delay)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the live file still holds the erased client's words %v after the erase (delay %v)", time.Since(erasedAt).Round(time.Millisecond), delay)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if !fileHas(t, live, keepName) {
		t.Fatal("the compacted live file lost the plan that was not erased")
	}

	// The server keeps reading and writing the swapped file.
	if status, data := c.call("GET", "/api/p/"+kept, ""); status != 200 || !bytes.Contains(data, []byte(keepName)) {
		t.Fatalf("kept plan after compaction: %d %s", status, data)
	}
	c.checkIn(kept, "keep-ci-2", "after compaction")
	if status, data := c.call("GET", "/api/plans/"+kept, "", c.owner...); status != 200 || !bytes.Contains(data, []byte("after compaction")) {
		t.Fatalf("therapist view after compaction: %d %s", status, data)
	}
	if status, _ := c.call("GET", "/api/p/"+erased, ""); status == 200 {
		t.Fatal("the erased plan answers again")
	}
	srv.stop(t)

	cold := filepath.Join(t.TempDir(), "cold.db")
	runBinary(t, bin, "", "backup", "-data", dir, "-out", cold)
	for _, w := range []string{name, notes, words} {
		if fileHas(t, cold, w) {
			t.Errorf("cold backup contains %q", w)
		}
	}
	if !fileHas(t, cold, keepName) || !fileHas(t, cold, "after compaction") {
		t.Error("cold backup lost live data")
	}
}

// damagedFixture builds a real database with the binary (an owner, 40 plans
// with check-ins) and returns a copy of its file.
func damagedFixture(t *testing.T, bin string) []byte {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := startProcess(t, bin, dir, pushtest.New(t, keys.Public).URL+"/")
	c := processClient{t: t, url: srv.URL, owner: []string{"Authorization", "Bearer " + token}, client: &http.Client{Timeout: 10 * time.Second}}
	for i := range 40 {
		tok := c.createPlan(fmt.Sprintf("Client%02d", i), strings.Repeat("notes ", 40))
		for j := range 3 {
			c.checkIn(tok, fmt.Sprintf("fixture-%02d-%d", i, j), strings.Repeat("sore ", 20))
		}
	}
	srv.stop(t)
	data, err := os.ReadFile(filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// boltPageSize reads the page size from the first meta page.
func boltPageSize(data []byte) int { return int(binary.LittleEndian.Uint32(data[16+8:])) }

// garbagePages overwrites about frac of the pages after the two meta pages with random bytes.
func garbagePages(data []byte, frac float64, seed uint64) []byte {
	out := bytes.Clone(data)
	ps := boltPageSize(out)
	r := rand.New(rand.NewPCG(seed, seed))
	for p := 2; (p+1)*ps <= len(out); p++ {
		if r.Float64() < frac {
			for i := p * ps; i < (p+1)*ps; i++ {
				out[i] = byte(r.Uint32())
			}
		}
	}
	return out
}

// newerSchema returns the database with its schema version set past this binary's.
func newerSchema(t *testing.T, data []byte) []byte {
	t.Helper()
	path := filepath.Join(t.TempDir(), "newer.db")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := bolt.Open(path, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		v := make([]byte, 8)
		binary.BigEndian.PutUint64(v, store.SchemaVersion+1)
		return tx.Bucket([]byte("meta")).Put([]byte("schema"), v)
	})
	if cerr := b.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// runFails runs the binary, which must exit non-zero within 20 s with one
// line of explanation on stderr and no Go crash report.
func runFails(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("aftercare %s did not exit\n%s", strings.Join(args, " "), errb.String())
	}
	if err == nil {
		t.Fatalf("aftercare %s succeeded:\n%s%s", strings.Join(args, " "), out.String(), errb.String())
	}
	all := out.String() + errb.String()
	for _, bad := range []string{"panic", "SIGSEGV", "SIGBUS", "goroutine ", "fatal error", "restored"} {
		if strings.Contains(all, bad) {
			t.Fatalf("aftercare %s printed %q:\n%s", strings.Join(args, " "), bad, all)
		}
	}
	msg := strings.TrimSpace(errb.String())
	if msg == "" || strings.Contains(msg, "\n") {
		t.Fatalf("aftercare %s: want one line on stderr, got:\n%s", strings.Join(args, " "), msg)
	}
	t.Logf("aftercare %s: %s", args[0], msg)
	return msg
}

// TestDamagedDatabaseFilesAreRefused hands the real binary a truncated file, a
// file with about 30 % of its pages overwritten with garbage, and a file from a
// newer schema: serve refuses to start with one clear line, and restore refuses
// before it touches the live database (byte for byte unchanged, no swap).
func TestDamagedDatabaseFilesAreRefused(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAftercare(t)
	good := damagedFixture(t, bin)
	ps := boltPageSize(good)
	if len(good)/ps < 20 {
		t.Fatalf("fixture has only %d pages", len(good)/ps)
	}
	cases := map[string][]byte{
		"truncated":   good[:len(good)/2],
		"garbage-30%": garbagePages(good, 0.3, 7),
		"newer":       newerSchema(t, good),
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			from := filepath.Join(t.TempDir(), "bad.db")
			if err := os.WriteFile(from, bad, 0o600); err != nil {
				t.Fatal(err)
			}
			// restore onto a working data directory
			liveDir := filepath.Join(t.TempDir(), "live")
			binaryTherapist(t, bin, liveDir)
			live := filepath.Join(liveDir, store.FileName)
			before, err := os.ReadFile(live)
			if err != nil {
				t.Fatal(err)
			}
			runFails(t, bin, "restore", "-data", liveDir, "-from", from)
			after, err := os.ReadFile(live)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(before, after) {
				t.Error("the live database changed")
			}
			entries, _ := os.ReadDir(liveDir)
			for _, e := range entries {
				if e.Name() != store.FileName && e.Name() != "vapid.json" {
					t.Errorf("restore left %s in the data directory", e.Name())
				}
			}

			// serve on a data directory holding the bad file
			serveDir := filepath.Join(t.TempDir(), "serve")
			if err := os.MkdirAll(serveDir, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(serveDir, store.FileName), bad, 0o600); err != nil {
				t.Fatal(err)
			}
			msg := runFails(t, bin, "serve", "-addr", freeLoopbackAddr(t), "-data", serveDir, "-log-level", "warn")
			if !strings.Contains(msg, store.FileName) {
				t.Errorf("serve's message does not name the file: %s", msg)
			}
			data, _ := os.ReadFile(filepath.Join(serveDir, store.FileName))
			if !bytes.Equal(data, bad) {
				t.Error("serve changed the damaged file")
			}
		})
	}

	// Many seeds of garbage: never a crash, never accepted.
	for seed := uint64(100); seed < 110; seed++ {
		from := filepath.Join(t.TempDir(), "bad.db")
		if err := os.WriteFile(from, garbagePages(good, 0.3, seed), 0o600); err != nil {
			t.Fatal(err)
		}
		runFails(t, bin, "restore", "-data", filepath.Join(t.TempDir(), "fresh"), "-from", from)
	}
}

// TestHealthzFailsWhenDataPagesAreUnreadable damages the leaf pages holding
// plans under a running server (as a failing disk would) and expects /healthz
// to stop saying ok, and the server to stay up and answer.
func TestHealthzFailsWhenDataPagesAreUnreadable(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildAftercare(t)
	dir := filepath.Join(t.TempDir(), "data")
	token := binaryTherapist(t, bin, dir)
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	srv := startProcess(t, bin, dir, pushtest.New(t, keys.Public).URL+"/")
	c := processClient{t: t, url: srv.URL, owner: []string{"Authorization", "Bearer " + token}, client: &http.Client{Timeout: 10 * time.Second}}
	for i := range 60 {
		c.createPlan(fmt.Sprintf("Client%02d", i), strings.Repeat("notes ", 40))
	}
	if status, _ := c.call("GET", "/healthz", ""); status != 200 {
		t.Fatalf("healthz before the damage: %d", status)
	}

	// Overwrite every page that holds a plan record (the plans bucket's leaves),
	// leaving the meta pages, the bucket directory and the other buckets intact.
	f, err := os.OpenFile(filepath.Join(dir, store.FileName), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	ps := boltPageSize(data)
	r := rand.New(rand.NewPCG(1, 2))
	damaged := 0
	for p := 2; (p+1)*ps <= len(data); p++ {
		if bytes.Contains(data[p*ps:(p+1)*ps], []byte(`"clientName"`)) {
			junk := make([]byte, ps)
			for i := range junk {
				junk[i] = byte(r.Uint32())
			}
			if _, err := f.WriteAt(junk, int64(p*ps)); err != nil {
				t.Fatal(err)
			}
			damaged++
		}
	}
	_ = f.Close()
	if damaged == 0 {
		t.Fatal("no plan pages found")
	}
	t.Logf("overwrote %d pages of %d", damaged, len(data)/ps)

	status, body := c.call("GET", "/healthz", "")
	if status == 200 {
		t.Fatalf("healthz says %d %s on a database whose plan pages are garbage", status, body)
	}
	if status != 503 || !bytes.Contains(body, []byte(`"error"`)) {
		t.Fatalf("healthz: %d %s", status, body)
	}
	// Still up: a plan read fails cleanly, the process did not crash.
	if status, _ := c.call("GET", "/api/plans", "", c.owner...); status != 500 && status != 503 {
		t.Errorf("plan list on a damaged database: %d", status)
	}
	select {
	case <-srv.exited:
		t.Fatalf("the server died: %v\n%s", srv.err, srv.stderr.String())
	default:
	}
	if out := srv.stderr.String(); strings.Contains(out, "goroutine ") || strings.Contains(out, "SIGSEGV") {
		t.Fatalf("crash report in the server's log:\n%s", out)
	}
}

func TestEraseCompactAfterFlagAndEnvironment(t *testing.T) {
	cfg, err := parseServe(nil)
	if err != nil || cfg.EraseCompactAfter != 10*time.Minute {
		t.Fatalf("default: %v %v", cfg.EraseCompactAfter, err)
	}
	t.Setenv("AFTERCARE_ERASE_COMPACT_AFTER", "90s")
	if cfg, err = parseServe(nil); err != nil || cfg.EraseCompactAfter != 90*time.Second {
		t.Fatalf("environment: %v %v", cfg.EraseCompactAfter, err)
	}
	if cfg, err = parseServe([]string{"-erase-compact-after", "0s"}); err != nil || cfg.EraseCompactAfter != 0 {
		t.Fatalf("flag over environment: %v %v", cfg.EraseCompactAfter, err)
	}
	for _, bad := range []string{"-1m", "25h"} {
		if _, err := parseServe([]string{"-erase-compact-after", bad}); err == nil || !strings.Contains(err.Error(), "AFTERCARE_ERASE_COMPACT_AFTER") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	t.Setenv("AFTERCARE_ERASE_COMPACT_AFTER", "soon")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "-erase-compact-after") {
		t.Errorf("unparsable environment value: %v", err)
	}
}
