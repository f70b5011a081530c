package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// integrationDir holds the integrator's example: a TypeScript program built on
// the types openapi-typescript generates from /api/openapi.json, its tools
// pinned in package-lock.json.
const integrationDir = "deploy/integration"

// npmInstall installs the example's pinned packages (npm ci) unless
// node_modules already matches package-lock.json, as .ci/js/check does.
func npmInstall(t *testing.T, npm string) {
	t.Helper()
	lock, err := os.Stat(filepath.Join(integrationDir, "package-lock.json"))
	if err != nil {
		t.Fatal(err)
	}
	if installed, err := os.Stat(filepath.Join(integrationDir, "node_modules", ".package-lock.json")); err == nil && !lock.ModTime().After(installed.ModTime()) {
		return
	}
	cmd := exec.Command(npm, "ci", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error")
	cmd.Dir = integrationDir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", integrationDir, err, out)
	}
}

// integrationBuild copies the example's program and tsconfig into a fresh
// directory next to the installed packages, generates aftercare.d.ts there
// from the document at source (a URL or a file), and runs tsc --strict on it.
// It returns the directory and tsc's output, and whether tsc passed.
func integrationBuild(t *testing.T, source string) (dir string, out string, ok bool) {
	t.Helper()
	modules, err := filepath.Abs(filepath.Join(integrationDir, "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	for _, f := range []string{"integrator.ts", "tsconfig.json", "package.json"} {
		data, err := os.ReadFile(filepath.Join(integrationDir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil {
		t.Fatal(err)
	}
	// The flags are the ones in package.json's "generate" script.
	gen := exec.Command(filepath.Join(modules, ".bin", "openapi-typescript"), source, "-o", "aftercare.d.ts", "--empty-objects-unknown")
	gen.Dir = dir
	if b, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("openapi-typescript %s: %v\n%s", source, err, b)
	}
	tsc := exec.Command(filepath.Join(modules, ".bin", "tsc"), "-p", "tsconfig.json")
	tsc.Dir = dir
	b, err := tsc.CombinedOutput()
	return dir, string(b), err == nil
}

// freeLoopbackPort returns a port on 127.0.0.1 that was free a moment ago:
// the server's -webhook-allow must name the receiver before the program starts it.
func freeLoopbackPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// An integrator generates a typed client from the real server's
// /api/openapi.json (openapi-typescript, openapi-fetch), type-checks their
// program with tsc --strict, and runs it with node: log in, make an API
// token, set the webhook, create plans, read one back, page through the
// clients list and verify the signed webhook deliveries at a loopback
// receiver. A document without /api/clients must fail the type check.
func TestIntegratorClientFromTheDocument(t *testing.T) {
	npm := requireTool(t, "npm", "it generates a TypeScript client from the OpenAPI document (apt-get install nodejs npm)")
	node := requireTool(t, "node", "it runs the integrator's example program (apt-get install nodejs)")
	npmInstall(t, npm)

	hookPort := freeLoopbackPort(t)
	dir := filepath.Join(t.TempDir(), "data")
	ts := &testServer{Data: dir, WebhookAllow: []string{"http://127.0.0.1:" + strconv.Itoa(hookPort) + "/"}}
	ts.Token = addTherapist(t, dir, "ana@example.org", "Ana Ruiz")
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts.Push = pushtest.New(t, keys.Public)
	ts.start(t)

	built, out, ok := integrationBuild(t, ts.URL+"/api/openapi.json")
	if !ok {
		t.Fatalf("tsc --strict refused the integrator's program against the served document:\n%s", out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	run := exec.CommandContext(ctx, node, filepath.Join(built, "build", "integrator.js"))
	run.Dir = built
	run.Env = append(os.Environ(), "AFTERCARE_URL="+ts.URL, "AFTERCARE_EMAIL=ana@example.org",
		"AFTERCARE_PASSWORD=correct horse battery", "HOOK_PORT="+strconv.Itoa(hookPort))
	var stdout, stderr bytes.Buffer
	run.Stdout, run.Stderr = &stdout, &stderr
	if err := run.Run(); err != nil {
		t.Fatalf("the integrator's program failed (%v):\n%s%s", err, stderr.String(), stdout.String())
	}
	var saw struct {
		Therapist                 string
		Plans, Pages, PlanCreated int
		Ping                      string
	}
	if err := json.Unmarshal(bytes.TrimSpace(stdout.Bytes()), &saw); err != nil {
		t.Fatalf("program output %q: %v", stdout.String(), err)
	}
	if saw.Therapist != "ana@example.org" || saw.Plans != 3 || saw.Pages != 2 || saw.PlanCreated != 3 || !strings.HasPrefix(saw.Ping, "msg_") {
		t.Fatalf("the program saw %+v", saw)
	}
	// What the program did is on the server: three plans in the owner's list.
	r := ts.do(t, "GET", "/api/clients?limit=10", "", ts.auth()...)
	var page struct{ Items []struct{ ClientName string } }
	r.json(t, &page)
	if len(page.Items) != 3 {
		t.Fatalf("clients after the program: %s", r.Body)
	}

	// The type check has teeth: with /api/clients, or the login answer's
	// csrfToken, gone from the document, tsc refuses the program.
	r = ts.do(t, "GET", "/api/openapi.json", "")
	var doc struct {
		Paths      map[string]any `json:"paths"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	var whole map[string]any
	r.json(t, &doc)
	r.json(t, &whole)
	delete(whole["paths"].(map[string]any), "/api/clients")
	reply := whole["components"].(map[string]any)["schemas"].(map[string]any)["SessionReply"].(map[string]any)
	delete(reply["properties"].(map[string]any), "csrfToken")
	if doc.Paths["/api/clients"] == nil || doc.Components.Schemas["SessionReply"].Properties["csrfToken"] == nil {
		t.Fatal("the served document has no /api/clients or no SessionReply.csrfToken to take out")
	}
	trimmed, err := json.Marshal(whole)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "openapi.json")
	if err := os.WriteFile(file, trimmed, 0o644); err != nil {
		t.Fatal(err)
	}
	_, out, ok = integrationBuild(t, file)
	if ok || !strings.Contains(out, `'/api/clients' does not exist`) || !strings.Contains(out, `'csrfToken' does not exist`) {
		t.Fatalf("tsc accepted, or refused for another reason, the program against a document without /api/clients and csrfToken (passed: %v):\n%s", ok, out)
	}
}
