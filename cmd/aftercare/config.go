package main

import (
	"errors"
	"flag"
	"fmt"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/aftercare/aftercare/server/model"
)

// config is every setting of `aftercare serve`, filled from flags with AFTERCARE_* twins.
type config struct {
	Addr         string
	DataDir      string
	BaseURL      string
	VAPIDSubject string
	PushAllow    []string
	// WebhookAllow opens extra webhook URL prefixes (tests, local development), e.g. a loopback receiver.
	WebhookAllow []string
	LogLevel     string
	// TrustedProxies may set X-Forwarded-For (IPs or CIDRs), e.g. the local reverse proxy.
	TrustedProxies []string
	// EraseCompactAfter is how long an erased client's words may stay in the
	// database file's free pages before it is compacted.
	EraseCompactAfter time.Duration
	// StudioName names the studio on printed plans and calendar feeds (optional).
	StudioName string
	// RetentionDays is how long a plan is kept after it ended; then it is erased.
	RetentionDays int
	// Memory is the memory limit and the caches' bounds (config_memory.go).
	Memory memoryConfig
	// DefaultLanguage is the studio's language (a supported BCP 47 tag): new
	// plans of therapists and accounts whose browsers ask for none of the
	// supported languages, and plans and accounts from before languages.
	DefaultLanguage string
}

// envDefault returns the environment twin of a flag, or def.
func envDefault(name, def string) string {
	if v, ok := os.LookupEnv(name); ok {
		return v
	}
	return def
}

// envDuration returns a duration flag's environment twin, or def.
func envDuration(name string, def time.Duration) (time.Duration, error) {
	v, ok := os.LookupEnv(name)
	if !ok {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("%s=%q is not a duration, e.g. 10m", name, v)
	}
	return d, nil
}

func dataFlag(fs *flag.FlagSet) *string {
	return fs.String("data", envDefault("AFTERCARE_DATA", "./aftercare-data"), "data directory (bbolt file, VAPID keys) [AFTERCARE_DATA]")
}

func parseServe(args []string) (config, error) {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var cfg config
	fs.StringVar(&cfg.Addr, "addr", envDefault("AFTERCARE_ADDR", ":8080"), "listen address [AFTERCARE_ADDR]")
	data := dataFlag(fs)
	fs.StringVar(&cfg.BaseURL, "base-url", envDefault("AFTERCARE_BASE_URL", ""), "public URL used in plan links, e.g. https://care.example.org (default http://localhost<addr>) [AFTERCARE_BASE_URL]")
	fs.StringVar(&cfg.VAPIDSubject, "vapid-subject", envDefault("AFTERCARE_VAPID_SUBJECT", ""), "the operator's contact for push services: an e-mail address or https: URL (default: an https -base-url; with an http one, push to real phones needs it) [AFTERCARE_VAPID_SUBJECT]")
	allow := fs.String("push-allow", envDefault("AFTERCARE_PUSH_ALLOW", ""), "extra push endpoint URL prefixes, comma separated, e.g. http://127.0.0.1:9000/ (tests, local development) [AFTERCARE_PUSH_ALLOW]")
	hookAllow := fs.String("webhook-allow", envDefault("AFTERCARE_WEBHOOK_ALLOW", ""), "extra webhook URL prefixes, comma separated, that may be http or reach loopback/private addresses, e.g. http://127.0.0.1:9100/ (tests, local development) [AFTERCARE_WEBHOOK_ALLOW]")
	proxies := fs.String("trusted-proxies", envDefault("AFTERCARE_TRUSTED_PROXIES", ""), "reverse proxies whose X-Forwarded-For names the client (login throttling), comma separated IPs or CIDRs, e.g. 127.0.0.1 [AFTERCARE_TRUSTED_PROXIES]")
	compactAfter, err := envDuration("AFTERCARE_ERASE_COMPACT_AFTER", 10*time.Minute)
	if err != nil {
		return cfg, fmt.Errorf("-erase-compact-after: %w", err)
	}
	fs.DurationVar(&cfg.EraseCompactAfter, "erase-compact-after", compactAfter, "after a client erases a plan, rewrite the database file within this delay so the erased words leave the disk, e.g. 10m (0s: at once; at most 24h) [AFTERCARE_ERASE_COMPACT_AFTER]")
	fs.StringVar(&cfg.StudioName, "studio-name", envDefault("AFTERCARE_STUDIO_NAME", ""), "the studio's name on printed plans and calendar feeds, e.g. \"Harbour Massage\" [AFTERCARE_STUDIO_NAME]")
	retention := 365
	if v, ok := os.LookupEnv("AFTERCARE_RETENTION_DAYS"); ok {
		if retention, err = strconv.Atoi(v); err != nil {
			return cfg, fmt.Errorf("AFTERCARE_RETENTION_DAYS=%q is not a whole number of days, e.g. 365", v)
		}
	}
	fs.IntVar(&cfg.RetentionDays, "retention-days", retention, "erase a plan and everything tied to it this many days after it ended (1 to 3650) [AFTERCARE_RETENTION_DAYS]")
	fs.StringVar(&cfg.DefaultLanguage, "default-language", envDefault("AFTERCARE_DEFAULT_LANGUAGE", "en"), "the studio's language, one of "+strings.Join(model.SupportedLanguages(), ", ")+" [AFTERCARE_DEFAULT_LANGUAGE]")
	fs.StringVar(&cfg.LogLevel, "log-level", envDefault("AFTERCARE_LOG_LEVEL", "info"), "debug, info, warn or error [AFTERCARE_LOG_LEVEL]")
	memory := memoryFlags(fs, &cfg.Memory)
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if err := memory(); err != nil {
		return cfg, err
	}
	cfg.DataDir = *data
	for _, p := range strings.Split(*proxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.TrustedProxies = append(cfg.TrustedProxies, p)
		}
	}
	for _, p := range strings.Split(*allow, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.PushAllow = append(cfg.PushAllow, p)
		}
	}
	for _, p := range strings.Split(*hookAllow, ",") {
		if p = strings.TrimSpace(p); p != "" {
			cfg.WebhookAllow = append(cfg.WebhookAllow, p)
		}
	}
	return cfg, cfg.finish()
}

// finish fills derived defaults and says what to set when something is off.
func (c *config) finish() error {
	if c.Addr == "" {
		return errors.New("-addr (AFTERCARE_ADDR) must not be empty, e.g. :8080")
	}
	if c.BaseURL == "" {
		host := c.Addr
		if strings.HasPrefix(host, ":") {
			host = "localhost" + host
		}
		c.BaseURL = "http://" + host
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("-base-url (AFTERCARE_BASE_URL) must be an absolute http(s) URL, got %q", c.BaseURL)
	}
	if c.VAPIDSubject == "" && u.Scheme == "https" {
		// The studio's own public site is the operator's contact.
		c.VAPIDSubject = u.Scheme + "://" + u.Host
	}
	c.VAPIDSubject = strings.TrimPrefix(c.VAPIDSubject, "mailto:")
	for _, p := range c.PushAllow {
		pu, err := url.Parse(p)
		if err != nil || pu.Scheme == "" || pu.Host == "" || !strings.HasSuffix(p, "/") {
			return fmt.Errorf("-push-allow (AFTERCARE_PUSH_ALLOW): %q must be a URL prefix ending in /, e.g. http://127.0.0.1:9000/", p)
		}
	}
	for _, p := range c.WebhookAllow {
		pu, err := url.Parse(p)
		if err != nil || pu.Scheme == "" || pu.Host == "" || !strings.HasSuffix(p, "/") {
			return fmt.Errorf("-webhook-allow (AFTERCARE_WEBHOOK_ALLOW): %q must be a URL prefix ending in /, e.g. http://127.0.0.1:9100/", p)
		}
	}
	for _, p := range c.TrustedProxies {
		if _, _, err := net.ParseCIDR(p); err != nil && net.ParseIP(p) == nil {
			return fmt.Errorf("-trusted-proxies (AFTERCARE_TRUSTED_PROXIES): %q is neither an IP address nor a CIDR range", p)
		}
	}
	if c.EraseCompactAfter < 0 || c.EraseCompactAfter > 24*time.Hour {
		return fmt.Errorf("-erase-compact-after (AFTERCARE_ERASE_COMPACT_AFTER) must be between 0s and 24h, got %v", c.EraseCompactAfter)
	}
	c.StudioName = strings.TrimSpace(c.StudioName)
	if len([]rune(c.StudioName)) > 80 || strings.ContainsFunc(c.StudioName, unicode.IsControl) {
		return fmt.Errorf("-studio-name (AFTERCARE_STUDIO_NAME) must be at most 80 characters on one line, got %q", c.StudioName)
	}
	if c.RetentionDays < 1 || c.RetentionDays > 3650 {
		return fmt.Errorf("-retention-days (AFTERCARE_RETENTION_DAYS) must be from 1 to 3650 days, got %d", c.RetentionDays)
	}
	if c.DefaultLanguage == "" {
		c.DefaultLanguage = "en"
	}
	lang, err := model.ParseLanguage("", c.DefaultLanguage)
	if err != nil {
		return fmt.Errorf("-default-language (AFTERCARE_DEFAULT_LANGUAGE) must be one of %s, got %q", strings.Join(model.SupportedLanguages(), ", "), c.DefaultLanguage)
	}
	c.DefaultLanguage = lang
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("-log-level (AFTERCARE_LOG_LEVEL) must be debug, info, warn or error, got %q", c.LogLevel)
	}
	return nil
}
