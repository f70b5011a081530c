package main

import (
	"strings"
	"testing"
)

func TestStudioNameFlagAndEnvironment(t *testing.T) {
	cfg, err := parseServe([]string{"-studio-name", "  Harbour Massage  "})
	if err != nil || cfg.StudioName != "Harbour Massage" {
		t.Fatalf("flag: %q, %v", cfg.StudioName, err)
	}
	t.Setenv("AFTERCARE_STUDIO_NAME", "Studio Nord")
	if cfg, err := parseServe(nil); err != nil || cfg.StudioName != "Studio Nord" {
		t.Fatalf("environment: %q, %v", cfg.StudioName, err)
	}
	for _, bad := range []string{strings.Repeat("x", 81), "Two\nlines"} {
		if _, err := parseServe([]string{"-studio-name", bad}); err == nil || !strings.Contains(err.Error(), "AFTERCARE_STUDIO_NAME") {
			t.Errorf("-studio-name %q: %v, want a message naming the setting", bad, err)
		}
	}
}

// -retention-days defaults to a year after a plan ends, has an env twin, and refuses nonsense naming the setting.
func TestRetentionDaysConfig(t *testing.T) {
	cfg, err := parseServe(nil)
	if err != nil || cfg.RetentionDays != 365 {
		t.Fatalf("default: %d, %v", cfg.RetentionDays, err)
	}
	t.Setenv("AFTERCARE_RETENTION_DAYS", "730")
	if cfg, err = parseServe(nil); err != nil || cfg.RetentionDays != 730 {
		t.Fatalf("env: %d, %v", cfg.RetentionDays, err)
	}
	if cfg, err = parseServe([]string{"-retention-days", "30"}); err != nil || cfg.RetentionDays != 30 {
		t.Fatalf("flag over env: %d, %v", cfg.RetentionDays, err)
	}
	for _, bad := range []string{"0", "-5", "3651"} {
		if _, err := parseServe([]string{"-retention-days", bad}); err == nil || !strings.Contains(err.Error(), "AFTERCARE_RETENTION_DAYS") {
			t.Errorf("-retention-days %s: %v", bad, err)
		}
	}
	t.Setenv("AFTERCARE_RETENTION_DAYS", "a year")
	if _, err := parseServe(nil); err == nil || !strings.Contains(err.Error(), "AFTERCARE_RETENTION_DAYS") {
		t.Errorf("env not a number: %v", err)
	}
}
