package main

import (
	"strings"
	"testing"
)

func TestDefaultLanguageFlagAndEnvironment(t *testing.T) {
	if cfg, err := parseServe(nil); err != nil || cfg.DefaultLanguage != "en" {
		t.Fatalf("default: %q, %v", cfg.DefaultLanguage, err)
	}
	if cfg, err := parseServe([]string{"-default-language", "pt-br"}); err != nil || cfg.DefaultLanguage != "pt-BR" {
		t.Fatalf("flag: %q, %v, want the canonical pt-BR", cfg.DefaultLanguage, err)
	}
	t.Setenv("AFTERCARE_DEFAULT_LANGUAGE", "de")
	if cfg, err := parseServe(nil); err != nil || cfg.DefaultLanguage != "de" {
		t.Fatalf("environment: %q, %v", cfg.DefaultLanguage, err)
	}
	if cfg, err := parseServe([]string{"-default-language", ""}); err != nil || cfg.DefaultLanguage != "en" {
		t.Fatalf("empty: %q, %v, want en", cfg.DefaultLanguage, err)
	}
	for _, bad := range []string{"it", "pt", "en-US", "deutsch"} {
		_, err := parseServe([]string{"-default-language", bad})
		if err == nil || !strings.Contains(err.Error(), "AFTERCARE_DEFAULT_LANGUAGE") || !strings.Contains(err.Error(), "en, de, es, fr, pt-BR") {
			t.Errorf("-default-language %q: %v, want a message naming the setting and the choices", bad, err)
		}
	}
}
