package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// healthcheckTimeout is the check's default patience, below the image's HEALTHCHECK --timeout.
const healthcheckTimeout = 3 * time.Second

// healthcheckCmd asks a running server's /healthz whether it is well; a nil
// error (exit 0) means it answered {"status":"ok"}. It exists for container
// HEALTHCHECKs, where a scratch image has no curl or wget.
func healthcheckCmd(args []string) error {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	addr := fs.String("addr", envDefault("AFTERCARE_ADDR", ":8080"), "the server's listen address; the check goes to its loopback side [AFTERCARE_ADDR]")
	target := fs.String("url", envDefault("AFTERCARE_HEALTHCHECK_URL", ""), "health URL to check (default http://127.0.0.1<port of -addr>/healthz) [AFTERCARE_HEALTHCHECK_URL]")
	timeoutText := fs.String("timeout", envDefault("AFTERCARE_HEALTHCHECK_TIMEOUT", healthcheckTimeout.String()), "give up after this long [AFTERCARE_HEALTHCHECK_TIMEOUT]")
	if err := fs.Parse(args); err != nil {
		return err
	}
	timeout, err := time.ParseDuration(*timeoutText)
	if err != nil || timeout <= 0 {
		return fmt.Errorf("-timeout (AFTERCARE_HEALTHCHECK_TIMEOUT) must be a positive duration such as 3s, got %q", *timeoutText)
	}
	if *target == "" {
		if *target, err = healthURL(*addr); err != nil {
			return err
		}
	}
	if u, err := url.Parse(*target); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-url (AFTERCARE_HEALTHCHECK_URL) must be an absolute http(s) URL, got %q", *target)
	}
	return checkHealth(*target, timeout)
}

// healthURL is where a server listening on addr answers /healthz from the same
// host: a wildcard address is reached on loopback.
func healthURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || port == "" {
		return "", fmt.Errorf("-addr (AFTERCARE_ADDR) must be host:port or :port, e.g. :8080, got %q", addr)
	}
	switch host {
	case "", "0.0.0.0":
		host = "127.0.0.1"
	case "::":
		host = "::1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/healthz", nil
}

// checkHealth GETs target once within timeout; every failure is one line.
func checkHealth(target string, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return fmt.Errorf("unhealthy: %w", err)
	}
	client := &http.Client{
		// The check is about this process, not whatever a proxy variable or a redirect points at.
		Transport:     &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	resp, err := client.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("unhealthy: %s did not answer within %v", target, timeout)
		}
		return fmt.Errorf("unhealthy: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if err != nil {
		return fmt.Errorf("unhealthy: read %s: %w", target, err)
	}
	var health struct {
		Status string `json:"status"`
	}
	if resp.StatusCode == http.StatusOK && json.Unmarshal(body, &health) == nil && health.Status == "ok" {
		return nil
	}
	return fmt.Errorf("unhealthy: %s answered %d: %s", target, resp.StatusCode, oneLine(body, 200))
}

// oneLine shortens b to at most n bytes on a single line, for an error message.
func oneLine(b []byte, n int) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > n {
		s = s[:n] + "…"
	}
	return s
}
