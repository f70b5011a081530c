package main

import (
	"slices"
	"strings"
	"testing"
)

func TestWebhookAllowFlagAndEnvironment(t *testing.T) {
	if cfg, err := parseServe(nil); err != nil || cfg.WebhookAllow != nil {
		t.Fatalf("default: %v, %v (want nothing extra allowed)", cfg.WebhookAllow, err)
	}
	cfg, err := parseServe([]string{"-webhook-allow", "http://127.0.0.1:9100/, http://[::1]:9101/hooks/"})
	if err != nil || !slices.Equal(cfg.WebhookAllow, []string{"http://127.0.0.1:9100/", "http://[::1]:9101/hooks/"}) {
		t.Fatalf("flag: %v, %v", cfg.WebhookAllow, err)
	}
	t.Setenv("AFTERCARE_WEBHOOK_ALLOW", "http://127.0.0.1:9200/")
	if cfg, err := parseServe(nil); err != nil || !slices.Equal(cfg.WebhookAllow, []string{"http://127.0.0.1:9200/"}) {
		t.Fatalf("environment: %v, %v", cfg.WebhookAllow, err)
	}
	for _, bad := range []string{"http://127.0.0.1:9100", "127.0.0.1:9100/", "//x/"} {
		if _, err := parseServe([]string{"-webhook-allow", bad}); err == nil || !strings.Contains(err.Error(), "AFTERCARE_WEBHOOK_ALLOW") {
			t.Errorf("-webhook-allow %q: %v, want a message naming the setting", bad, err)
		}
	}
}
