package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// firefoxPath finds Debian's firefox-esr; CI installs it (.ci/test), so there a
// missing browser fails the test instead of skipping it.
func firefoxPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("AFTERCARE_FIREFOX"), "/usr/bin/firefox-esr", "firefox-esr"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("AFTERCARE_REQUIRE_BROWSER") != "" {
		t.Fatal("firefox-esr not found and AFTERCARE_REQUIRE_BROWSER is set")
	}
	t.Skip("firefox-esr not installed (apt-get install -y --no-install-recommends firefox-esr)")
	return ""
}

// firefoxPrefs keep a test Firefox on loopback: no updates, telemetry, safe
// browsing, captive-portal or connectivity probes, remote settings, DNS over HTTPS or
// prefetching; every name resolves to 127.0.0.1 without asking a DNS server, and
// every request that is not for 127.0.0.1 goes to a proxy on a loopback port nothing
// listens on. Scrollbars overlay the page, as on a phone.
var firefoxPrefs = map[string]any{
	"app.update.enabled":                              false,
	"app.update.auto":                                 false,
	"app.normandy.enabled":                            false,
	"browser.safebrowsing.malware.enabled":            false,
	"browser.safebrowsing.phishing.enabled":           false,
	"browser.safebrowsing.downloads.enabled":          false,
	"browser.safebrowsing.update.enabled":             false,
	"browser.safebrowsing.provider.mozilla.updateURL": "",
	"browser.region.network.url":                      "",
	"browser.region.update.enabled":                   false,
	"browser.shell.checkDefaultBrowser":               false,
	"browser.startup.homepage_override.mstone":        "ignore",
	"browser.startup.page":                            0,
	"browser.newtabpage.enabled":                      false,
	"browser.topsites.contile.enabled":                false,
	"browser.ping-centre.telemetry":                   false,
	"datareporting.healthreport.uploadEnabled":        false,
	"datareporting.policy.dataSubmissionEnabled":      false,
	"toolkit.telemetry.enabled":                       false,
	"toolkit.telemetry.unified":                       false,
	"toolkit.telemetry.server":                        "",
	"extensions.update.enabled":                       false,
	"extensions.getAddons.cache.enabled":              false,
	"extensions.blocklist.enabled":                    false,
	"extensions.systemAddon.update.enabled":           false,
	"services.settings.server":                        "data:,#remote-settings-dummy/v1",
	"network.dns.native-is-localhost":                 true,
	"network.dns.localDomains":                        "firefox.settings.services.mozilla.com",
	"network.captive-portal-service.enabled":          false,
	"network.connectivity-service.enabled":            false,
	"network.trr.mode":                                5,
	"network.dns.disablePrefetch":                     true,
	"network.prefetch-next":                           false,
	"network.predictor.enabled":                       false,
	"network.http.speculative-parallel-limit":         0,
	"network.proxy.type":                              1,
	"network.proxy.http":                              "127.0.0.1",
	"network.proxy.http_port":                         9,
	"network.proxy.ssl":                               "127.0.0.1",
	"network.proxy.ssl_port":                          9,
	"network.proxy.no_proxies_on":                     "127.0.0.1",
	"network.proxy.allow_hijacking_localhost":         false,
	"ui.useOverlayScrollbars":                         1,
}

// bidiTab is one tab of a headless Firefox driven over WebDriver BiDi.
type bidiTab struct {
	conn    *websocket.Conn
	tab     string
	mu      sync.Mutex
	next    int
	pending map[int]chan bidiReply
}

type bidiReply struct {
	Type    string          `json:"type"`
	ID      int             `json:"id"`
	Result  json.RawMessage `json:"result"`
	Error   string          `json:"error"`
	Message string          `json:"message"`
}

// newFirefox starts headless firefox-esr with a fresh profile kept on loopback, opens
// a BiDi session and returns its first tab.
func newFirefox(t *testing.T) *bidiTab {
	t.Helper()
	bin := firefoxPath(t)
	profile := t.TempDir()
	var prefs strings.Builder
	for k, v := range firefoxPrefs {
		b, _ := json.Marshal(v)
		fmt.Fprintf(&prefs, "user_pref(%q, %s);\n", k, b)
	}
	if err := os.WriteFile(filepath.Join(profile, "user.js"), []byte(prefs.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-remote", "--remote-debugging-port=0", "--profile", profile)
	cmd.Env = append(os.Environ(), "MOZ_CRASHREPORTER_DISABLE=1", "HOME="+profile)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start firefox: %v", err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`WebDriver BiDi listening on (ws://127\.0\.0\.1:\d+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				break
			}
		}
		_, _ = io.Copy(io.Discard, stderr)
	}()
	var ws string
	select {
	case ws = <-addr:
	case <-time.After(30 * time.Second):
		t.Fatal("firefox did not say where WebDriver BiDi listens")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, ws+"/session", nil)
	if err != nil {
		t.Fatalf("connect to firefox: %v", err)
	}
	conn.SetReadLimit(64 << 20)
	b := &bidiTab{conn: conn, pending: map[int]chan bidiReply{}}
	go b.read()
	t.Cleanup(func() { _ = conn.CloseNow() })

	b.call(t, "session.new", map[string]any{"capabilities": map[string]any{}})
	var tree struct {
		Contexts []struct{ Context string }
	}
	if err := json.Unmarshal(b.call(t, "browsingContext.getTree", map[string]any{}), &tree); err != nil {
		t.Fatal(err)
	}
	if len(tree.Contexts) > 0 {
		b.tab = tree.Contexts[0].Context
	} else {
		var created struct{ Context string }
		if err := json.Unmarshal(b.call(t, "browsingContext.create", map[string]any{"type": "tab"}), &created); err != nil {
			t.Fatal(err)
		}
		b.tab = created.Context
	}
	return b
}

// read hands each command's reply to its caller; events are not listened to.
func (b *bidiTab) read() {
	for {
		_, data, err := b.conn.Read(context.Background())
		if err != nil {
			b.mu.Lock()
			for id, ch := range b.pending {
				ch <- bidiReply{Type: "error", Error: "connection closed", Message: err.Error()}
				delete(b.pending, id)
			}
			b.mu.Unlock()
			return
		}
		var r bidiReply
		if json.Unmarshal(data, &r) != nil || r.Type == "event" {
			continue
		}
		b.mu.Lock()
		ch := b.pending[r.ID]
		delete(b.pending, r.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- r
		}
	}
}

// call sends one BiDi command and returns its result.
func (b *bidiTab) call(t *testing.T, method string, params any) json.RawMessage {
	t.Helper()
	res, err := b.try(method, params, 30*time.Second)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return res
}

func (b *bidiTab) try(method string, params any, d time.Duration) (json.RawMessage, error) {
	b.mu.Lock()
	b.next++
	id := b.next
	ch := make(chan bidiReply, 1)
	b.pending[id] = ch
	b.mu.Unlock()
	msg, err := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := b.conn.Write(ctx, websocket.MessageText, msg); err != nil {
		return nil, err
	}
	select {
	case r := <-ch:
		if r.Type == "error" {
			return nil, fmt.Errorf("%s: %s", r.Error, r.Message)
		}
		return r.Result, nil
	case <-ctx.Done():
		b.mu.Lock()
		delete(b.pending, id)
		b.mu.Unlock()
		return nil, fmt.Errorf("no reply in %s", d)
	}
}

// navigate loads url in the tab and waits for the page's load event.
func (b *bidiTab) navigate(t *testing.T, url string) {
	t.Helper()
	b.call(t, "browsingContext.navigate", map[string]any{"context": b.tab, "url": url, "wait": "complete"})
}

// setViewport sizes the tab's viewport in CSS pixels.
func (b *bidiTab) setViewport(t *testing.T, width, height int64) {
	t.Helper()
	b.call(t, "browsingContext.setViewport", map[string]any{"context": b.tab, "viewport": map[string]any{"width": width, "height": height}})
}

// evalJSON evaluates a JS expression in the page (awaiting promises) and returns its
// value as JSON.
func (b *bidiTab) evalJSON(expr string) (json.RawMessage, error) {
	res, err := b.try("script.evaluate", map[string]any{
		"expression":   "(async () => JSON.stringify(await (" + expr + ")))()",
		"target":       map[string]any{"context": b.tab},
		"awaitPromise": true,
	}, 20*time.Second)
	if err != nil {
		return nil, err
	}
	var r struct {
		Type   string
		Result struct {
			Type  string
			Value string
		}
		ExceptionDetails struct {
			Text string
		}
	}
	if err := json.Unmarshal(res, &r); err != nil {
		return nil, err
	}
	if r.Type != "success" {
		return nil, fmt.Errorf("%s", r.ExceptionDetails.Text)
	}
	if r.Result.Type != "string" {
		return json.RawMessage("null"), nil
	}
	return json.RawMessage(r.Result.Value), nil
}

// ffEval evaluates a JS expression in Firefox's tab and decodes its value.
func ffEval[T any](t *testing.T, b *bidiTab, expr string) T {
	t.Helper()
	var v T
	raw, err := b.evalJSON(expr)
	if err == nil {
		err = json.Unmarshal(raw, &v)
	}
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

// ffWaitFor polls a JS predicate in Firefox's tab until it is truthy.
func ffWaitFor(t *testing.T, b *bidiTab, d time.Duration, what, expr string) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		raw, err := b.evalJSON("!!(" + expr + ")")
		if err == nil && string(raw) == "true" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("waiting for %s: %s %v", what, raw, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// screenshot saves a PNG of the tab's viewport when AFTERCARE_SCREENSHOTS names a
// directory.
func (b *bidiTab) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("AFTERCARE_SCREENSHOTS")
	if dir == "" {
		return
	}
	res, err := b.try("browsingContext.captureScreenshot", map[string]any{"context": b.tab}, 20*time.Second)
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	var shot struct{ Data []byte }
	if json.Unmarshal(res, &shot) == nil {
		_ = os.WriteFile(filepath.Join(dir, name+".png"), shot.Data, 0o644)
	}
}
