package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// buildAftercare compiles the real binary (without -race, as it ships) into a temp dir.
func buildAftercare(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aftercare")
	start := time.Now()
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	t.Logf("built %s in %v", bin, time.Since(start).Round(time.Millisecond))
	return bin
}

// runBinary runs one operator command of the binary and returns its stdout.
func runBinary(t *testing.T, bin, stdin string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("aftercare %s: %v\n%s", strings.Join(args, " "), err, errb.String())
	}
	return out.String()
}

// binaryTherapist creates the studio owner in dir with the binary and returns an API token.
func binaryTherapist(t *testing.T, bin, dir string) string {
	t.Helper()
	runBinary(t, bin, "correct horse battery\n", "therapist", "add", "-data", dir, "-email", "ana@example.org", "-name", "Ana Ruiz")
	lines := strings.Split(strings.TrimSpace(runBinary(t, bin, "", "therapist", "token", "-data", dir, "-email", "ana@example.org")), "\n")
	return lines[len(lines)-1]
}

// serverProcess is `aftercare serve` running as a child process on loopback.
type serverProcess struct {
	URL    string
	cmd    *exec.Cmd
	stderr *lockedBuffer
	exited chan struct{}
	err    error // Wait's result, once exited is closed
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// freeLoopbackAddr returns a 127.0.0.1 port nobody listens on right now.
func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess starts `aftercare serve` on dir and waits until /healthz answers.
// pushAllow is the loopback push service's URL prefix.
func startProcess(t *testing.T, bin, dir, pushAllow string, extra ...string) *serverProcess {
	t.Helper()
	addr := freeLoopbackAddr(t)
	args := append([]string{"serve", "-addr", addr, "-data", dir, "-push-allow", pushAllow, "-log-level", "warn"}, extra...)
	p := &serverProcess{URL: "http://" + addr, cmd: exec.Command(bin, args...), stderr: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd.Stderr = p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.exited) }()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		select {
		case <-p.exited:
			t.Fatalf("aftercare serve exited: %v\n%s", p.err, p.stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("aftercare serve did not become healthy: %v\n%s", err, p.stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean exit.
func (p *serverProcess) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		if p.err != nil {
			t.Errorf("aftercare serve exited with %v\n%s", p.err, p.stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Errorf("aftercare serve did not stop on SIGTERM")
	}
}

// callHTTP sends one request with client and returns status and body; err is a transport error.
func callHTTP(ctx context.Context, client *http.Client, method, url, body string, headers ...string) (int, []byte, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	return resp.StatusCode, data, err
}
