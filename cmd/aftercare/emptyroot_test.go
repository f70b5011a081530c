//go:build linux

package main

import (
	"bytes"
	"debug/elf"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aftercare/aftercare/pwa"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// buildStatic compiles the binary exactly as the Dockerfile does (see
// TestDockerfileBuildsTheStaticBinaryTheEmptyRootTestRuns).
func buildStatic(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aftercare")
	args := append(append([]string{"build"}, staticBuildFlags...), "-o", bin, ".")
	cmd := exec.Command("go", args...)
	cmd.Env = append(os.Environ(), staticBuildEnv...)
	start := time.Now()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s go %s: %v\n%s", strings.Join(staticBuildEnv, " "), strings.Join(args, " "), err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// requireStaticELF fails when the binary needs a loader or shared libraries from the host.
func requireStaticELF(t *testing.T, path string) {
	t.Helper()
	f, err := elf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s asks for a program interpreter (dynamically linked): a scratch image has none", path)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %q from the host", path, libs)
	}
}

// emptyRoot is a directory holding only what the image's final stage holds,
// and the way to run the binary chrooted into it.
type emptyRoot struct {
	dir  string
	attr func() *syscall.SysProcAttr
	env  []string
}

// newEmptyRoot lays out the image's filesystem in a temp dir. As root it
// chroots and runs as the image's user; otherwise it tries a user namespace
// (unshare -r), and skips when that is unavailable, except in CI.
func newEmptyRoot(t *testing.T, bin string) *emptyRoot {
	t.Helper()
	r := &emptyRoot{dir: t.TempDir()}
	asRoot := os.Geteuid() == 0
	if asRoot {
		r.attr = func() *syscall.SysProcAttr {
			return &syscall.SysProcAttr{Chroot: r.dir, Credential: &syscall.Credential{Uid: imageUID, Gid: imageUID, Groups: []uint32{}}}
		}
	} else {
		uid, gid := os.Geteuid(), os.Getegid()
		r.attr = func() *syscall.SysProcAttr {
			return &syscall.SysProcAttr{
				Cloneflags:  syscall.CLONE_NEWUSER,
				UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: uid, Size: 1}},
				GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: gid, Size: 1}},
				Chroot:      r.dir,
			}
		}
	}

	if err := os.Chmod(r.dir, 0o755); err != nil { // "/" must be searchable by the image's user
		t.Fatal(err)
	}
	install := func(src, dst string, mode os.FileMode) {
		t.Helper()
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		dst = filepath.Join(r.dir, dst)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, data, mode); err != nil {
			t.Fatal(err)
		}
	}
	install(bin, imageBinary, 0o755)
	install(imageCACerts, imageCACerts, 0o644) // the host's bundle, as the build stage copies its own
	data := filepath.Join(r.dir, imageData)
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	if asRoot {
		if err := os.Chown(data, imageUID, imageUID); err != nil {
			t.Fatal(err)
		}
	}
	r.requireOnly(t, "data", "etc", "etc/ssl", "etc/ssl/certs", strings.TrimPrefix(imageCACerts, "/"),
		"usr", "usr/local", "usr/local/bin", strings.TrimPrefix(imageBinary, "/"))

	// The image's environment and nothing of the host's: no TZ, ZONEINFO, HOME or PATH.
	r.env = []string{"AFTERCARE_DATA=" + imageData, "AFTERCARE_ADDR=:" + imagePort}

	out, err := r.command("help").CombinedOutput()
	switch {
	case err == nil:
	case asRoot: // chroot always works for root: the binary itself needs something the root lacks
		t.Fatalf("aftercare does not start in the empty root: %v\n%s", err, out)
	case os.Getenv("AFTERCARE_REQUIRE_BROWSER") == "1":
		t.Fatalf("not root, and the binary does not start in a user namespace (unshare -r): %v\n%s; CI (AFTERCARE_REQUIRE_BROWSER=1) must run this test, as root", err, out)
	default:
		t.Skipf("not root, and the binary does not start in a user namespace (unshare -r) either: %v\n%s", err, out)
	}
	return r
}

// requireOnly fails unless the root holds exactly the paths given (relative).
func (r *emptyRoot) requireOnly(t *testing.T, want ...string) {
	t.Helper()
	var got []string
	err := filepath.WalkDir(r.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == r.dir {
			return err
		}
		rel, _ := filepath.Rel(r.dir, path)
		got = append(got, rel)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("empty root holds %q, want only %q", got, want)
	}
}

// command is the binary run inside the root; extra env entries override the image's.
func (r *emptyRoot) command(args ...string) *exec.Cmd {
	cmd := exec.Command(imageBinary, args...) // a path inside the root: resolved after chroot
	cmd.Dir = "/"                             // chdir after chroot: nothing of the host stays reachable
	cmd.Env = slices.Clone(r.env)
	cmd.SysProcAttr = r.attr()
	return cmd
}

// run runs one operator command inside the root and returns its stdout.
func (r *emptyRoot) run(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	cmd := r.command(args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("aftercare %s in the empty root: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// healthcheck runs `aftercare healthcheck` inside the root with the server's
// address in AFTERCARE_ADDR, and returns its exit code and stderr.
func (r *emptyRoot) healthcheck(t *testing.T, addr string) (int, string, time.Duration) {
	t.Helper()
	cmd := r.command("healthcheck")
	cmd.Env = append(cmd.Env, "AFTERCARE_ADDR="+addr)
	var errb bytes.Buffer
	cmd.Stderr = &errb
	start := time.Now()
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("run healthcheck: %v", err)
	}
	return cmd.ProcessState.ExitCode(), errb.String(), time.Since(start)
}

// TestStaticBinaryServesBerlinPlanFromEmptyRoot runs the binary the Dockerfile
// builds in a root holding only what the image holds: no zone database, no
// libc, no /etc/passwd. A dropped time/tzdata import, cgo, or any other need
// of the host fails here.
func TestStaticBinaryServesBerlinPlanFromEmptyRoot(t *testing.T) {
	bin := buildStatic(t)
	requireStaticELF(t, bin)
	root := newEmptyRoot(t, bin)

	// First steps as the README gives them, inside the root.
	root.run(t, "correct horse battery\n", "therapist", "add", "-data", imageData, "-email", "ana@example.org", "-name", "Ana Ruiz", "-tz", "Europe/Berlin")
	lines := strings.Split(strings.TrimSpace(root.run(t, "", "therapist", "token", "-data", imageData, "-email", "ana@example.org")), "\n")
	token := lines[len(lines)-1]

	addr := freeLoopbackAddr(t)
	base := "http://" + addr
	srv := &serverProcess{URL: base, cmd: root.command("serve", "-addr", addr, "-data", imageData, "-log-level", "warn"), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	srv.cmd.Stderr = srv.stderr
	if err := srv.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { srv.err = srv.cmd.Wait(); close(srv.exited) }()
	t.Cleanup(func() {
		select {
		case <-srv.exited:
		default:
			_ = srv.cmd.Process.Kill()
			<-srv.exited
		}
	})
	waitProcessHealthy(t, srv)

	if code, stderr, _ := root.healthcheck(t, addr); code != 0 || stderr != "" {
		t.Errorf("aftercare healthcheck in the root against a serving server: exit %d, stderr %q", code, stderr)
	}

	berlin, err := time.LoadLocation("Europe/Berlin") // the test's own zone data, to compare with
	if err != nil {
		t.Fatal(err)
	}
	session := time.Now().Add(-time.Hour).Truncate(time.Second)
	body := `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","sessionAt":"` + session.UTC().Format(time.RFC3339) +
		`","timeZone":"Europe/Berlin","stretchTime":"19:00","days":14}`
	auth := []string{"Authorization", "Bearer " + token}
	status, resp, err := callHTTP(t.Context(), http.DefaultClient, "POST", base+"/api/plans", body, auth...)
	if err != nil || status != 201 {
		t.Fatalf("create a Europe/Berlin plan in the empty root: %d %s %v", status, resp, err)
	}
	var created struct{ Token, URL string }
	if err := json.Unmarshal(resp, &created); err != nil {
		t.Fatal(err)
	}

	// The client's plan, in the client's zone: the plan ends at midnight Berlin time.
	status, resp, err = callHTTP(t.Context(), http.DefaultClient, "GET", base+"/api/p/"+created.Token, "")
	if err != nil || status != 200 {
		t.Fatalf("client plan: %d %s %v", status, resp, err)
	}
	var view struct {
		TimeZone, StretchTime, EmergencyNumber string
		EndsAt                                 json.RawMessage
	}
	if err := json.Unmarshal(resp, &view); err != nil {
		t.Fatal(err)
	}
	s := session.In(berlin)
	ends := time.Date(s.Year(), s.Month(), s.Day(), 0, 0, 0, 0, berlin).AddDate(0, 0, 14)
	if want := `"` + ends.Format(time.RFC3339) + `"`; string(view.EndsAt) != want || view.TimeZone != "Europe/Berlin" || view.StretchTime != "19:00" {
		t.Errorf("client plan: zone %q, stretch time %q, endsAt %s; want Europe/Berlin, 19:00, %s (midnight in Berlin)", view.TimeZone, view.StretchTime, view.EndsAt, want)
	}
	if view.EmergencyNumber != "112" {
		t.Errorf("emergency number %q, want 112 for Europe/Berlin", view.EmergencyNumber)
	}

	// The app itself.
	status, resp, err = callHTTP(t.Context(), http.DefaultClient, "GET", base+"/p/"+created.Token, "")
	if shell := servedShell(t); err != nil || status != 200 || !bytes.Equal(resp, shell) {
		t.Errorf("GET /p/{token}: %d, %d bytes (%v); want 200 and the app's index.html (%d bytes)", status, len(resp), err, len(shell))
	}

	srv.stop(t)
	code, stderr, took := root.healthcheck(t, addr)
	if code != 1 || strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "aftercare: unhealthy: ") {
		t.Errorf("aftercare healthcheck with the server stopped: exit %d, stderr %q; want 1 and one line", code, stderr)
	}
	if took > 2*time.Second {
		t.Errorf("healthcheck took %v to notice the server is gone", took)
	}

	// What the reminder clock scheduled inside the root: the next stretch
	// reminder at 19:00 Berlin time, at Berlin's UTC offset on that day.
	db := storetest.OpenDir(t, filepath.Join(root.dir, imageData))
	states, err := db.ScheduledStates(created.Token)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(states, func(st store.RuleState) bool { return st.Kind == model.KindStretch && !st.NextFire.IsZero() })
	if i < 0 {
		t.Fatalf("no stretch reminder scheduled: %+v", states)
	}
	next := states[i]
	local := next.NextFire.In(berlin)
	_, offset := local.Zone()
	if local.Hour() != 19 || local.Minute() != 0 || next.NextLocal != local.Format("2006-01-02T15:04") {
		t.Errorf("next stretch reminder at %s UTC (local %q); in Berlin that is %s, want 19:00", next.NextFire.UTC().Format(time.RFC3339), next.NextLocal, local.Format("15:04 -07:00"))
	}
	if wait := next.NextFire.Sub(session); wait <= 0 || wait > 25*time.Hour {
		t.Errorf("next stretch reminder %v after the session, want within a day", wait)
	}
	t.Logf("next stretch reminder %s = %s UTC (offset %+dh)", next.NextLocal, next.NextFire.UTC().Format("15:04"), offset/3600)
}

// waitProcessHealthy waits until the server process answers /healthz.
func waitProcessHealthy(t *testing.T, p *serverProcess) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("aftercare serve exited in the empty root: %v\n%s", p.err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aftercare serve did not become healthy in the empty root: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// servedShell is the app's index.html as the server sends it: with content-hashed URLs.
func servedShell(t *testing.T) []byte {
	t.Helper()
	assets, err := pwa.NewAssets(pwa.Static())
	if err != nil {
		t.Fatal(err)
	}
	f, _ := assets.Open("index.html")
	return f.Data
}
