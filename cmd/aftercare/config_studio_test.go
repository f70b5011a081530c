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
