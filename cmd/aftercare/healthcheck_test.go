package main

import (
	"bytes"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// healthcheck runs `aftercare healthcheck args...` in-process and returns its error.
func healthcheck(t *testing.T, args ...string) error {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(append([]string{"healthcheck"}, args...), nil, &out, &errb)
	if out.Len() > 0 || errb.Len() > 0 {
		t.Errorf("healthcheck wrote output itself (main prints the one error line): stdout %q, stderr %q", out.String(), errb.String())
	}
	if err != nil && strings.Contains(err.Error(), "\n") {
		t.Errorf("healthcheck error spans lines, want one line on stderr: %q", err)
	}
	return err
}

// answerWith serves every request on loopback with status and body.
func answerWith(t *testing.T, status int, body string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return "http://" + ln.Addr().String()
}

func TestHealthcheckPassesWhileTheServerServes(t *testing.T) {
	ts := startServer(t)
	if err := healthcheck(t, "-url", ts.URL+"/healthz"); err != nil {
		t.Fatalf("healthcheck against a serving server: %v", err)
	}
	// Without -url the address comes from -addr (AFTERCARE_ADDR), as `serve` reads it.
	if err := healthcheck(t, "-addr", strings.TrimPrefix(ts.URL, "http://")); err != nil {
		t.Fatalf("healthcheck -addr: %v", err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(ts.URL, "http://"))
	t.Setenv("AFTERCARE_ADDR", ":"+port) // the image's form: all interfaces, checked on loopback
	if err := healthcheck(t); err != nil {
		t.Fatalf("healthcheck with AFTERCARE_ADDR=:%s: %v", port, err)
	}
}

func TestHealthcheckFailsFastWhenNothingListens(t *testing.T) {
	addr := freeLoopbackAddr(t)
	start := time.Now()
	err := healthcheck(t, "-url", "http://"+addr+"/healthz")
	if err == nil {
		t.Fatal("healthcheck passed with no server")
	}
	if took := time.Since(start); took > time.Second {
		t.Errorf("healthcheck took %v to notice a refused connection", took)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Errorf("error %q does not say which address failed", err)
	}
	// The same from AFTERCARE_ADDR alone, as in the container.
	t.Setenv("AFTERCARE_ADDR", addr)
	if err := healthcheck(t); err == nil {
		t.Fatal("healthcheck passed with no server at AFTERCARE_ADDR")
	}
}

func TestHealthcheckGivesUpOnAServerThatNeverAnswers(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() { // accept and hold connections: a hung process
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	start := time.Now()
	err = healthcheck(t, "-url", "http://"+ln.Addr().String()+"/healthz", "-timeout", "300ms")
	if err == nil {
		t.Fatal("healthcheck passed against a server that never answers")
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("healthcheck with -timeout 300ms took %v", took)
	}
}

func TestHealthcheckFailsOnAnUnhealthyAnswer(t *testing.T) {
	for _, c := range []struct {
		name, body, mention string
		status              int
	}{
		{"database not readable", `{"status":"unavailable","error":"database not readable"}`, "database not readable", 503},
		{"200 but not ok", `{"status":"starting"}`, "starting", 200},
		{"200 but not JSON", "<html>maintenance</html>\n<p>back soon</p>", "maintenance", 200},
		{"a proxy's 502", "bad gateway", "502", 502},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := answerWith(t, c.status, c.body)
			err := healthcheck(t, "-url", base+"/healthz")
			if err == nil {
				t.Fatalf("healthcheck passed on %d %s", c.status, c.body)
			}
			if !strings.Contains(err.Error(), c.mention) {
				t.Errorf("error %q does not mention %q", err, c.mention)
			}
		})
	}
}

func TestHealthcheckRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-url", "127.0.0.1:8080/healthz"},
		{"-url", "ftp://127.0.0.1/healthz"},
		{"-addr", "8080"},
		{"-timeout", "0s"},
	} {
		if err := healthcheck(t, args...); err == nil {
			t.Errorf("healthcheck %v: no error", args)
		}
	}
}

func TestHealthURLFollowsTheListenAddress(t *testing.T) {
	for addr, want := range map[string]string{
		":8080":          "http://127.0.0.1:8080/healthz",
		"0.0.0.0:9000":   "http://127.0.0.1:9000/healthz",
		"[::]:8080":      "http://[::1]:8080/healthz",
		"127.0.0.1:8080": "http://127.0.0.1:8080/healthz",
		"[::1]:8081":     "http://[::1]:8081/healthz",
		"localhost:8080": "http://localhost:8080/healthz",
	} {
		got, err := healthURL(addr)
		if err != nil || got != want {
			t.Errorf("healthURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
}
