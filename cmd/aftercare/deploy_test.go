package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// requireTool returns the path of an external checker, skipping the test when
// it is missing, except in CI (AFTERCARE_REQUIRE_BROWSER=1, set by .ci/test).
func requireTool(t *testing.T, name, why string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("AFTERCARE_REQUIRE_BROWSER") == "1" {
			t.Fatalf("%s not found, but AFTERCARE_REQUIRE_BROWSER=1 (CI) requires it: %s", name, why)
		}
		t.Skipf("%s not found: %s", name, why)
	}
	return path
}

// composeFile is the part of the Compose specification the example uses;
// decoding is strict, so a misspelt key fails here as it would in compose.
type composeFile struct {
	Name     string                    `yaml:"name"`
	Services map[string]composeService `yaml:"services"`
	Networks map[string]struct {
		IPAM struct {
			Config []struct {
				Subnet string `yaml:"subnet"`
			} `yaml:"config"`
		} `yaml:"ipam"`
	} `yaml:"networks"`
	Volumes map[string]*struct{} `yaml:"volumes"`
}

type composeService struct {
	Build *struct {
		Context string `yaml:"context"`
	} `yaml:"build"`
	Image       string            `yaml:"image"`
	Restart     string            `yaml:"restart"`
	Environment map[string]string `yaml:"environment"`
	Volumes     []string          `yaml:"volumes"`
	Ports       []string          `yaml:"ports"`
	// Networks is a list of names or a map of name to settings.
	Networks  yaml.Node `yaml:"networks"`
	DependsOn map[string]struct {
		Condition string `yaml:"condition"`
	} `yaml:"depends_on"`
	StopGracePeriod string `yaml:"stop_grace_period"`
}

// networks returns the service's networks and their fixed IPv4 addresses ("" if none).
func (s composeService) networks(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	switch s.Networks.Kind {
	case yaml.SequenceNode:
		var names []string
		if err := s.Networks.Decode(&names); err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			out[n] = ""
		}
	case yaml.MappingNode:
		var m map[string]*struct {
			IPv4 string `yaml:"ipv4_address"`
		}
		if err := s.Networks.Decode(&m); err != nil {
			t.Fatal(err)
		}
		for n, v := range m {
			out[n] = ""
			if v != nil {
				out[n] = v.IPv4
			}
		}
	}
	return out
}

// interpolation is compose's ${VAR}, ${VAR:?message}, ${VAR:-default}.
var interpolation = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[?-])([^}]*))?\}`)

// interpolate expands s as `docker compose` would from env, and lists the
// variables whose absence makes compose refuse to start.
func interpolate(s string, env map[string]string) (string, []string) {
	var refused []string
	out := interpolation.ReplaceAllStringFunc(s, func(m string) string {
		g := interpolation.FindStringSubmatch(m)
		v, set := env[g[1]]
		switch g[2] {
		case ":?":
			if v == "" {
				refused = append(refused, g[1])
			}
		case "?":
			if !set {
				refused = append(refused, g[1])
			}
		case ":-":
			if v == "" {
				v = g[3]
			}
		case "-":
			if !set {
				v = g[3]
			}
		}
		return v
	})
	return out, refused
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile("deploy/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var c composeFile
	if err := dec.Decode(&c); err != nil {
		t.Fatalf("deploy/compose.yaml: %v", err)
	}
	return c
}

// namedVolumeAt returns the named volume mounted at target ("" if none).
func namedVolumeAt(t *testing.T, c composeFile, s composeService, target string) string {
	t.Helper()
	for _, v := range s.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) >= 2 && parts[1] == target {
			if _, declared := c.Volumes[parts[0]]; !declared || strings.ContainsAny(parts[0][:1], "./~") {
				t.Errorf("volume %q at %s is not a named volume declared under volumes:", parts[0], target)
			}
			return parts[0]
		}
	}
	return ""
}

func TestComposeExampleServesAftercareBehindCaddy(t *testing.T) {
	c := readCompose(t)
	app, ok := c.Services["aftercare"]
	if !ok {
		t.Fatalf("no aftercare service in %v", c.Services)
	}
	proxy, ok := c.Services["caddy"]
	if !ok || !strings.HasPrefix(proxy.Image, "caddy:") {
		t.Fatalf("no caddy service running a caddy: image (%+v)", proxy)
	}

	// aftercare: built from this repository's Dockerfile, reachable only through Caddy.
	if app.Build == nil {
		t.Fatal("aftercare is not built from the repository")
	}
	df, err := os.ReadFile(filepath.Join("deploy", app.Build.Context, "Dockerfile"))
	if want, _ := os.ReadFile("../../Dockerfile"); err != nil || !bytes.Equal(df, want) {
		t.Errorf("build context %q does not hold the repository's Dockerfile (%v)", app.Build.Context, err)
	}
	if len(app.Ports) > 0 {
		t.Errorf("aftercare publishes %q: only Caddy should face the network", app.Ports)
	}
	for name, s := range c.Services {
		if s.Restart != "unless-stopped" && s.Restart != "always" {
			t.Errorf("%s has restart %q: it would not come back after a reboot", name, s.Restart)
		}
	}
	if namedVolumeAt(t, c, app, imageData) == "" {
		t.Errorf("aftercare mounts no named volume at %s: %q", imageData, app.Volumes)
	}
	if d := proxy.DependsOn["aftercare"]; d.Condition != "service_healthy" {
		t.Errorf("caddy waits for aftercare with condition %q, want service_healthy (the image's HEALTHCHECK)", d.Condition)
	}
	grace, err := time.ParseDuration(app.StopGracePeriod)
	if err != nil || grace < shutdownTimeout+5*time.Second {
		t.Errorf("aftercare stop_grace_period %q: must exceed the %v a clean shutdown may take, or compose kills it mid-write", app.StopGracePeriod, shutdownTimeout)
	}

	// Only Caddy may set X-Forwarded-For: its fixed address, inside the network both share.
	caddyIP := ""
	appNets := app.networks(t)
	for name, ip := range proxy.networks(t) {
		if _, shared := appNets[name]; !shared || ip == "" {
			continue
		}
		caddyIP = ip
		subnets := c.Networks[name].IPAM.Config
		if len(subnets) != 1 {
			t.Fatalf("network %s has subnets %+v, want one", name, subnets)
		}
		_, subnet, err := net.ParseCIDR(subnets[0].Subnet)
		if err != nil || !subnet.Contains(net.ParseIP(ip)) {
			t.Errorf("caddy's address %s is not inside network %s (%s)", ip, name, subnets[0].Subnet)
		}
	}
	if caddyIP == "" {
		t.Fatal("caddy has no fixed address on a network it shares with aftercare")
	}

	// What the operator fills in: compose refuses to start without it.
	var refused []string
	for _, v := range app.Environment {
		_, r := interpolate(v, nil)
		refused = append(refused, r...)
	}
	slices.Sort(refused)
	if want := []string{"AFTERCARE_DOMAIN", "AFTERCARE_VAPID_SUBJECT"}; !slices.Equal(refused, want) {
		t.Errorf("with nothing in .env compose would refuse %q, want %q", refused, want)
	}

	// Filled in, the environment (over the image's) is a valid server configuration.
	dotEnv := map[string]string{"AFTERCARE_DOMAIN": "care.example.org", "AFTERCARE_VAPID_SUBJECT": "ops@example.org"}
	t.Setenv("AFTERCARE_DATA", imageData)
	t.Setenv("AFTERCARE_ADDR", ":"+imagePort)
	for k, v := range app.Environment {
		if !strings.HasPrefix(k, "AFTERCARE_") {
			t.Errorf("aftercare gets %s, which it does not read", k)
		}
		v, _ = interpolate(v, dotEnv)
		t.Setenv(k, v)
	}
	cfg, err := parseServe(nil)
	if err != nil {
		t.Fatalf("the compose environment is refused by aftercare serve: %v", err)
	}
	if cfg.BaseURL != "https://care.example.org" || cfg.VAPIDSubject != "ops@example.org" ||
		!slices.Equal(cfg.TrustedProxies, []string{caddyIP}) || cfg.DataDir != imageData {
		t.Errorf("compose environment gives base URL %q, subject %q, trusted proxies %q, data %q; want https://care.example.org, ops@example.org, [%s], %s",
			cfg.BaseURL, cfg.VAPIDSubject, cfg.TrustedProxies, cfg.DataDir, caddyIP, imageData)
	}

	// Caddy: ports 80 (ACME, redirect) and 443, its certificates kept, our Caddyfile.
	for _, p := range []string{"80:80", "443:443"} {
		if !slices.Contains(proxy.Ports, p) {
			t.Errorf("caddy does not publish %s: %q", p, proxy.Ports)
		}
	}
	if namedVolumeAt(t, c, proxy, "/data") == "" {
		t.Errorf("caddy keeps its certificates in no named volume: %q", proxy.Volumes)
	}
	if !slices.Contains(proxy.Volumes, "./Caddyfile:/etc/caddy/Caddyfile:ro") {
		t.Errorf("caddy does not mount ./Caddyfile read-only: %q", proxy.Volumes)
	}
	caddyEnv := map[string]string{}
	for k, v := range proxy.Environment {
		caddyEnv[k], _ = interpolate(v, dotEnv)
	}
	checkCaddyfile(t, caddyEnv, "care.example.org", "aftercare:"+imagePort)
}

// checkCaddyfile adapts deploy/Caddyfile with Caddy itself and checks it
// serves host (automatic HTTPS) by proxying to upstream.
func checkCaddyfile(t *testing.T, env map[string]string, host, upstream string) {
	t.Helper()
	caddy := requireTool(t, "caddy", "it checks deploy/Caddyfile (apt-get install caddy)")
	cmd := exec.Command(caddy, "adapt", "--config", "deploy/Caddyfile", "--adapter", "caddyfile")
	cmd.Env = []string{"HOME=" + t.TempDir()}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("caddy adapt deploy/Caddyfile: %v\n%s", err, errb.String())
	}
	var adapted struct {
		Apps struct {
			HTTP struct {
				Servers map[string]struct {
					Listen []string `json:"listen"`
					Routes []struct {
						Match  []struct{ Host []string } `json:"match"`
						Handle []json.RawMessage         `json:"handle"`
					} `json:"routes"`
				} `json:"servers"`
			} `json:"http"`
		} `json:"apps"`
	}
	if err := json.Unmarshal(out.Bytes(), &adapted); err != nil {
		t.Fatalf("caddy adapt output: %v\n%s", err, out.String())
	}
	servers := adapted.Apps.HTTP.Servers
	if len(servers) != 1 {
		t.Fatalf("Caddyfile makes %d servers, want 1: %s", len(servers), out.String())
	}
	for _, srv := range servers {
		if !slices.Equal(srv.Listen, []string{":443"}) || len(srv.Routes) != 1 ||
			len(srv.Routes[0].Match) != 1 || !slices.Equal(srv.Routes[0].Match[0].Host, []string{host}) {
			t.Errorf("Caddyfile does not serve exactly https://%s: %s", host, out.String())
		}
	}
	// The proxy handler sits inside the site's subroute; look for it anywhere.
	if !strings.Contains(out.String(), `"handler":"reverse_proxy","upstreams":[{"dial":"`+upstream+`"}]`) {
		t.Errorf("Caddyfile does not reverse_proxy to %s: %s", upstream, out.String())
	}
}

// readmeUnit is the systemd unit the README shows under **systemd**.
func readmeUnit(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, after, ok := strings.Cut(string(data), "**systemd**")
	if !ok {
		t.Fatal("README has no **systemd** paragraph")
	}
	_, block, ok := strings.Cut(after, "```ini\n")
	if !ok {
		t.Fatal("README's systemd paragraph has no ```ini block")
	}
	unit, _, ok := strings.Cut(block, "```")
	if !ok {
		t.Fatal("README's ini block is not closed")
	}
	return unit
}

// unitFile is a systemd unit: section → key → values in order.
type unitFile map[string]map[string][]string

func parseUnit(t *testing.T, text string) unitFile {
	t.Helper()
	u := unitFile{}
	section := ""
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("unit line %d: %q is not key=value inside a section", n, line)
			}
			u[section][k] = append(u[section][k], v)
		}
	}
	return u
}

func (u unitFile) one(t *testing.T, section, key string) string {
	t.Helper()
	v := u[section][key]
	if len(v) != 1 {
		t.Errorf("[%s] %s: %q, want one value", section, key, v)
		return ""
	}
	return v[0]
}

func TestSystemdUnitIsTheOneTheREADMEShows(t *testing.T) {
	data, err := os.ReadFile("deploy/aftercare.service")
	if err != nil {
		t.Fatal(err)
	}
	if readme := readmeUnit(t); string(data) != readme {
		t.Fatalf("deploy/aftercare.service differs from the README's unit:\n--- file\n%s--- README\n%s", data, readme)
	}
	u := parseUnit(t, string(data))
	for _, kv := range [][3]string{
		{"Unit", "After", "network-online.target"},
		{"Unit", "Wants", "network-online.target"},
		{"Service", "User", "aftercare"},
		{"Service", "Group", "aftercare"},
		{"Service", "ExecStart", "/usr/local/bin/aftercare serve"},
		{"Service", "StateDirectoryMode", "0700"},
		{"Service", "NoNewPrivileges", "true"},
		{"Service", "ProtectSystem", "strict"},
		{"Service", "ProtectHome", "true"},
		{"Service", "PrivateTmp", "true"},
		{"Service", "Restart", "on-failure"},
		{"Install", "WantedBy", "multi-user.target"},
	} {
		if got := u.one(t, kv[0], kv[1]); got != kv[2] {
			t.Errorf("[%s] %s=%s, want %s", kv[0], kv[1], got, kv[2])
		}
	}
	stop, err := strconv.Atoi(strings.TrimSuffix(u.one(t, "Service", "TimeoutStopSec"), "s"))
	if err != nil || time.Duration(stop)*time.Second < shutdownTimeout+5*time.Second {
		t.Errorf("TimeoutStopSec=%v: must exceed the %v a clean shutdown may take", u["Service"]["TimeoutStopSec"], shutdownTimeout)
	}

	// The environment is a valid configuration: loopback listener, the proxy trusted,
	// data in the StateDirectory systemd creates (ProtectSystem=strict leaves only it writable).
	for _, kv := range u["Service"]["Environment"] {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	cfg, err := parseServe(nil)
	if err != nil {
		t.Fatalf("the unit's environment is refused by aftercare serve: %v", err)
	}
	host, _, _ := net.SplitHostPort(cfg.Addr)
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		t.Errorf("AFTERCARE_ADDR=%s: behind a local proxy, listen on loopback only", cfg.Addr)
	}
	if !slices.Contains(cfg.TrustedProxies, host) {
		t.Errorf("AFTERCARE_TRUSTED_PROXIES=%q does not trust the local proxy at %s", cfg.TrustedProxies, host)
	}
	if want := "/var/lib/" + u.one(t, "Service", "StateDirectory"); cfg.DataDir != want {
		t.Errorf("AFTERCARE_DATA=%s, want %s (StateDirectory)", cfg.DataDir, want)
	}
	if !strings.HasPrefix(cfg.BaseURL, "https://") {
		t.Errorf("AFTERCARE_BASE_URL=%s: phones need HTTPS", cfg.BaseURL)
	}
}

func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not found; TestSystemdUnitIsTheOneTheREADMEShows still checks the unit's keys")
	}
	data, err := os.ReadFile("deploy/aftercare.service")
	if err != nil {
		t.Fatal(err)
	}
	// verify insists that ExecStart exists; any executable stands in for the installed binary.
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	unit := filepath.Join(t.TempDir(), "aftercare.service")
	if err := os.WriteFile(unit, bytes.ReplaceAll(data, []byte("ExecStart=/usr/local/bin/aftercare "), []byte("ExecStart="+self+" ")), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", unit).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}
