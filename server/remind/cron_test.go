package remind

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestPanicRecovered: a panicking tick is recovered by the cron chain and
// logged; the scheduler still stops cleanly.
func TestPanicRecovered(t *testing.T) {
	var buf syncBuffer
	s := New(Config{Logger: slog.New(slog.NewTextHandler(&buf, nil))})
	cron.NewChain(s.chain()...).Then(cron.FuncJob(func() { panic("boom") })).Run()
	if !strings.Contains(buf.String(), "boom") {
		t.Fatalf("log: %s", buf.String())
	}

	// The same through Start: the catch-up tick's sender panics.
	db := storetest.Open(t)
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	var buf2 syncBuffer
	s = New(Config{DB: db, Now: clk.Now, Logger: slog.New(slog.NewTextHandler(&buf2, nil)),
		Sender: senderFunc(func([]push.Job) []push.Result { panic("sender exploded") })})
	p := stretchOnly(t, "panic")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)
	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	s.Start()
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(buf2.String(), "sender exploded") && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	s.Stop()
	if !strings.Contains(buf2.String(), "sender exploded") {
		t.Fatalf("panic not logged: %s", buf2.String())
	}
	// Not committed: the reminder is still due for the next tick.
	if n, _ := db.CountDue(clk.Now()); n != 1 {
		t.Fatalf("due after panic = %d", n)
	}
}
