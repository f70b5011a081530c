package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/aftercare/aftercare/server/store"
)

// releaseMappedAfter is when in each minute the server takes the database
// file's pages out of its resident set (store.DB.ReleaseMapped): a few
// seconds after the reminder tick on the minute, so what a minute's work
// touched counts only until the next one.
const releaseMappedAfter = 5 * time.Second

// releaseMapped calls db.ReleaseMapped once a minute until ctx ends.
func releaseMapped(ctx context.Context, db *store.DB, logger *slog.Logger, done chan<- struct{}) {
	defer close(done)
	for {
		now := time.Now()
		next := now.Truncate(time.Minute).Add(releaseMappedAfter)
		if !next.After(now) {
			next = next.Add(time.Minute)
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
			if err := db.ReleaseMapped(); err != nil {
				logger.Warn("release mapped database pages", "err", err)
			}
		}
	}
}
