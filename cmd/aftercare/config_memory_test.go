package main

import (
	"math"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

func TestMemoryFlagsAndEnvironment(t *testing.T) {
	cfg, err := parseServe([]string{"-memory-limit", "100MiB", "-seal-cache-bytes", "48MB"})
	if err != nil || cfg.Memory.Limit != 100<<20 || cfg.Memory.SealCacheBytes != 48e6 || cfg.Memory.PlanCacheBytes != -1 {
		t.Fatalf("flags: %+v, %v", cfg.Memory, err)
	}
	t.Setenv("AFTERCARE_SEAL_CACHE_BYTES", "0")
	t.Setenv("AFTERCARE_PLAN_CACHE_BYTES", "1048576")
	t.Setenv("AFTERCARE_MEMORY_LIMIT", "1GiB")
	if cfg, err := parseServe(nil); err != nil || cfg.Memory != (memoryConfig{Limit: 1 << 30, SealCacheBytes: 0, PlanCacheBytes: 1 << 20}) {
		t.Fatalf("environment: %+v, %v", cfg.Memory, err)
	}
	t.Setenv("AFTERCARE_SEAL_CACHE_BYTES", "")
	t.Setenv("AFTERCARE_PLAN_CACHE_BYTES", "")
	t.Setenv("AFTERCARE_MEMORY_LIMIT", "")
	for _, c := range []struct{ flag, value, names string }{
		{"-memory-limit", "lots", "AFTERCARE_MEMORY_LIMIT"},
		{"-memory-limit", "16MiB", "AFTERCARE_MEMORY_LIMIT"}, // the collector would never rest
		{"-memory-limit", "-5MiB", "AFTERCARE_MEMORY_LIMIT"},
		{"-seal-cache-bytes", "64XB", "AFTERCARE_SEAL_CACHE_BYTES"},
		{"-seal-cache-bytes", "99999999999999999999", "AFTERCARE_SEAL_CACHE_BYTES"},
		{"-plan-cache-bytes", "0", "AFTERCARE_PLAN_CACHE_BYTES"},
		{"-plan-cache-bytes", "MiB", "AFTERCARE_PLAN_CACHE_BYTES"},
	} {
		if _, err := parseServe([]string{c.flag, c.value}); err == nil || !strings.Contains(err.Error(), c.names) {
			t.Errorf("%s %q: %v, want a message naming %s", c.flag, c.value, err, c.names)
		}
	}
}

// The caches' defaults follow the memory limit in effect, and -memory-limit
// sets the runtime's.
func TestMemoryLimitBoundsTheCaches(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })

	debug.SetMemoryLimit(math.MaxInt64) // none
	if limit, seal, plans := (memoryConfig{SealCacheBytes: -1, PlanCacheBytes: -1}).caches(); limit != math.MaxInt64 ||
		seal != push.DefaultSealCacheBytes || plans != store.DefaultCacheBytes {
		t.Errorf("no limit: %d, %d, %d; want the defaults", limit, seal, plans)
	}
	limit, seal, plans := (memoryConfig{Limit: 100 << 20, SealCacheBytes: -1, PlanCacheBytes: -1}).caches()
	if limit != 100<<20 || debug.SetMemoryLimit(-1) != 100<<20 || seal != 25<<20 || plans != 100<<20/8 {
		t.Errorf("100MiB: limit %d (runtime %d), seal %d, plans %d", limit, debug.SetMemoryLimit(-1), seal, plans)
	}
	// As set: GOMEMLIMIT (or an earlier setting) and explicit bounds.
	if limit, seal, plans := (memoryConfig{SealCacheBytes: 0, PlanCacheBytes: 1 << 20}).caches(); limit != 100<<20 || seal != 0 || plans != 1<<20 {
		t.Errorf("explicit: %d, %d, %d", limit, seal, plans)
	}
}
