package main

import (
	"flag"
	"fmt"
	"math"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store"
)

// memoryConfig is how much memory the server may use and its caches take.
type memoryConfig struct {
	// Limit is the Go runtime's soft memory limit (debug.SetMemoryLimit);
	// 0 leaves the runtime's own (GOMEMLIMIT, or none).
	Limit int64
	// SealCacheBytes bounds the reminders sealed ahead of their minute (0:
	// none sealed ahead); PlanCacheBytes the decoded plans kept for the
	// reminder tick. -1: derived from the memory limit (see caches).
	SealCacheBytes, PlanCacheBytes int64
}

// minMemoryLimit is the smallest -memory-limit accepted: below it the
// garbage collector would run without pause to stay under it.
const minMemoryLimit = 32 << 20

// memoryFlags registers -memory-limit, -seal-cache-bytes and -plan-cache-bytes
// with their AFTERCARE_* twins; the returned func parses them into m.
func memoryFlags(fs *flag.FlagSet, m *memoryConfig) func() error {
	limit := fs.String("memory-limit", envDefault("AFTERCARE_MEMORY_LIMIT", ""),
		"soft limit of the server's memory, e.g. 100MiB; it sets the Go runtime's limit (GOMEMLIMIT) and the caches' defaults (default: GOMEMLIMIT if set, else none) [AFTERCARE_MEMORY_LIMIT]")
	seal := fs.String("seal-cache-bytes", envDefault("AFTERCARE_SEAL_CACHE_BYTES", ""),
		"memory for reminders encrypted ahead of their minute, e.g. 64MiB (about 1.1 KB each); 0 seals none ahead (default 64MiB, at most a quarter of -memory-limit) [AFTERCARE_SEAL_CACHE_BYTES]")
	plans := fs.String("plan-cache-bytes", envDefault("AFTERCARE_PLAN_CACHE_BYTES", ""),
		"memory for decoded plans the reminder tick keeps, e.g. 64MiB (about 7 KB a plan with ten devices) (default 64MiB, at most an eighth of -memory-limit) [AFTERCARE_PLAN_CACHE_BYTES]")
	return func() error {
		var err error
		if m.Limit, err = parseSize(*limit, 0); err != nil {
			return fmt.Errorf("-memory-limit (AFTERCARE_MEMORY_LIMIT) %w", err)
		}
		if m.Limit != 0 && m.Limit < minMemoryLimit {
			return fmt.Errorf("-memory-limit (AFTERCARE_MEMORY_LIMIT) must be at least 32MiB, got %q", *limit)
		}
		if m.SealCacheBytes, err = parseSize(*seal, -1); err != nil {
			return fmt.Errorf("-seal-cache-bytes (AFTERCARE_SEAL_CACHE_BYTES) %w", err)
		}
		if m.PlanCacheBytes, err = parseSize(*plans, -1); err != nil {
			return fmt.Errorf("-plan-cache-bytes (AFTERCARE_PLAN_CACHE_BYTES) %w", err)
		}
		if m.PlanCacheBytes == 0 {
			return fmt.Errorf("-plan-cache-bytes (AFTERCARE_PLAN_CACHE_BYTES) must be more than 0, e.g. 16MiB")
		}
		return nil
	}
}

// sizeUnits are the suffixes parseSize knows: GOMEMLIMIT's binary ones and decimal ones.
var sizeUnits = map[string]int64{
	"": 1, "B": 1,
	"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30, "TiB": 1 << 40,
	"KB": 1e3, "MB": 1e6, "GB": 1e9, "TB": 1e12,
}

// parseSize reads a byte count such as 100MiB, 64MB or 1048576; empty is def.
func parseSize(s string, def int64) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return def, nil
	}
	i := strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(s)
	}
	unit, ok := sizeUnits[strings.TrimSpace(s[i:])]
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if i == 0 || !ok || err != nil || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("must be a size such as 100MiB, 64MB or 0, got %q", s)
	}
	return n * unit, nil
}

// caches applies the memory limit and returns the caches' bounds: what the
// flags say, else the defaults, at most a quarter (sealed reminders) and an
// eighth (plans) of the limit in effect. It returns the limit in effect
// (math.MaxInt64: none).
func (m memoryConfig) caches() (limit, sealBytes, planBytes int64) {
	if m.Limit > 0 {
		debug.SetMemoryLimit(m.Limit)
	}
	limit = debug.SetMemoryLimit(-1) // what GOMEMLIMIT or the flag set
	sealBytes, planBytes = m.SealCacheBytes, m.PlanCacheBytes
	if sealBytes < 0 {
		sealBytes = min(push.DefaultSealCacheBytes, limit/4)
	}
	if planBytes < 0 {
		planBytes = min(store.DefaultCacheBytes, limit/8)
	}
	return limit, sealBytes, planBytes
}
