package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/openapi/openapitest"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
)

// testServer is the real binary's server loop on a loopback port with a real
// bbolt file in a temp dir and a loopback push service that decrypts.
type testServer struct {
	URL   string
	Data  string
	Token string // API token of the studio owner
	Push  *pushtest.Service
	// TrustedProxies is passed as -trusted-proxies when set before start.
	TrustedProxies []string
	stop           context.CancelFunc
	done           chan error

	// Studio is passed as -studio-name at the next start.
	Studio string
	// WebhookAllow is passed as -webhook-allow at the next start.
	WebhookAllow []string
}

func startServer(t *testing.T) *testServer {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data") // created by the CLI, as on a fresh machine
	ts := &testServer{Data: dir}
	ts.Token = addTherapist(t, dir, "ana@example.org", "Ana Ruiz")
	keys, err := push.LoadOrCreateKeys(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts.Push = pushtest.New(t, keys.Public)
	ts.start(t)
	return ts
}

func (ts *testServer) start(t *testing.T) {
	t.Helper()
	addr := "127.0.0.1:0"
	if ts.URL != "" {
		addr = strings.TrimPrefix(ts.URL, "http://") // a restart keeps the address the browser knows
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	ts.URL = "http://" + ln.Addr().String()
	cfg := config{Addr: ln.Addr().String(), DataDir: ts.Data, BaseURL: ts.URL, LogLevel: "warn", PushAllow: []string{ts.Push.URL + "/"}, TrustedProxies: ts.TrustedProxies, DefaultLanguage: "en"}
	cfg.StudioName = ts.Studio
	cfg.WebhookAllow = ts.WebhookAllow
	if err := cfg.finish(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts.stop = cancel
	ts.done = make(chan error, 1)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.New(slog.NewTextHandler(&testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	done := ts.done
	go func() { done <- runServer(ctx, cfg, logger, ln) }()
	t.Cleanup(func() { ts.shutdown(t) })
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(ts.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not become healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// shutdown stops the server and waits for it; safe to call twice.
func (ts *testServer) shutdown(t *testing.T) {
	t.Helper()
	if ts.stop == nil {
		return
	}
	ts.stop()
	ts.stop = nil
	select {
	case err := <-ts.done:
		if err != nil {
			t.Errorf("server returned %v", err)
		}
	case <-time.After(25 * time.Second):
		t.Error("server did not shut down")
	}
}

type testLogWriter struct{ t *testing.T }

func (w *testLogWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// addTherapist runs the operator CLI and returns the API token from its last line.
func addTherapist(t *testing.T, dir, email, name string) string {
	t.Helper()
	var out, errb bytes.Buffer
	if err := run([]string{"therapist", "add", "-data", dir, "-email", email, "-name", name}, strings.NewReader("correct horse battery\n"), &out, &errb); err != nil {
		t.Fatalf("therapist add: %v", err)
	}
	out.Reset()
	if err := run([]string{"therapist", "token", "-data", dir, "-email", email}, nil, &out, &errb); err != nil {
		t.Fatalf("therapist token: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	return lines[len(lines)-1]
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
}

func (r reply) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

func (r reply) errorText(t *testing.T) string {
	t.Helper()
	var e struct {
		Error string `json:"error"`
	}
	r.json(t, &e)
	if e.Error == "" {
		t.Fatalf("no error message in %s", r.Body)
	}
	return e.Error
}

// do sends a request; headers alternate name, value.
func (ts *testServer) do(t *testing.T, method, path, body string, headers ...string) reply {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	r := reply{resp.StatusCode, resp.Header, data}
	checkContract(t, req, []byte(body), r)
	return r
}

func (ts *testServer) auth() []string { return []string{"Authorization", "Bearer " + ts.Token} }

// createPlan posts a plan as the owner and returns its token.
func (ts *testServer) createPlan(t *testing.T, body string) string {
	t.Helper()
	r := ts.do(t, "POST", "/api/plans", body, ts.auth()...)
	if r.Status != 201 {
		t.Fatalf("create plan: %d %s", r.Status, r.Body)
	}
	var out struct{ Token, URL string }
	r.json(t, &out)
	if out.URL != ts.URL+"/p/"+out.Token {
		t.Fatalf("plan url %q does not point at this server", out.URL)
	}
	return out.Token
}

func planJSON(sessionAt time.Time, extra string) string {
	return `{"clientName":"Sam","routineId":"gentle-sciatica-aftercare","sessionAt":"` + sessionAt.Format(time.RFC3339) +
		`","nextSessionAt":"` + sessionAt.Add(7*24*time.Hour).Format(time.RFC3339) +
		`","timeZone":"Europe/Berlin","stretchTime":"19:00","days":14,"notes":"Focus: left piriformis"` + extra + `}`
}

// checkContract fails the test when an exchange is not one the OpenAPI document
// (server/openapi/openapi.yaml) describes: the API tests check every answer.
func checkContract(t *testing.T, req *http.Request, reqBody []byte, r reply) {
	t.Helper()
	res := &http.Response{StatusCode: r.Status, Header: r.Header}
	if err := openapitest.Shared(t).Check(req, reqBody, res, r.Body); err != nil {
		t.Errorf("OpenAPI contract: %v", err)
	}
}
