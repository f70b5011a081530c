package remind

import (
	"context"
	"testing"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestCatchUp: after downtime, a reminder missed by less than its grace goes
// out late, once; one missed by more is skipped and the next one scheduled.
func TestCatchUp(t *testing.T) {
	db := storetest.Open(t)
	rec := &recorder{}
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: rec, Now: clk.Now})
	p := stretchOnly(t, "catchup")
	_ = db.CreatePlan(p)
	addDevice(t, db, p.Token, "https://fcm.googleapis.com/fcm/send/x", "k", "a")
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 20, 0)) // 1 h late, grace 3 h
	if st := tick(t, s); st.Sent != 1 || st.Late != 0 {
		t.Fatalf("1 h late: %+v", st)
	}
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("again: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-26T19:00" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}

	clk.Set(berlin(t, 2026, 11, 28, 0, 0)) // the 27th's 19:00 is 5 h late
	if st := tick(t, s); st.Sent != 0 || st.Late != 1 {
		t.Fatalf("5 h late: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.NextLocal != "2026-11-28T19:00" {
		t.Fatalf("next after skip: %+v", rs)
	}

	// Down for two days: the latest firing still within grace goes, once.
	clk.Set(berlin(t, 2026, 11, 30, 20, 30))
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("two days down: %+v", st)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-30T19:00" || rs.NextLocal != "2026-12-01T19:00" {
		t.Fatalf("state %+v", rs)
	}
	if n := len(rec.kinds()); n != 2 {
		t.Fatalf("%d pushes, want 2", n)
	}
}

// TestCrashBetweenSendAndCommit: the process dies after the pushes went out
// and before the commit. After a restart the reminder repeats at most once,
// and the tick after that sends nothing.
func TestCrashBetweenSendAndCommit(t *testing.T) {
	dir := t.TempDir()
	db := storetest.OpenDir(t, dir)
	sender, svc := loopbackSender(t)
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	p := stretchOnly(t, "crash")
	_ = db.CreatePlan(p)
	ep, k, a := svc.NewSubscription()
	addDevice(t, db, p.Token, ep, k, a)
	s := New(Config{DB: db, Sender: sender, Now: clk.Now})
	_ = s.Schedule(p)

	clk.Set(berlin(t, 2026, 11, 26, 19, 0))
	s.afterSend = func() { panic("crash after send") }
	func() {
		defer func() {
			if r := recover(); r == nil {
				t.Fatal("hook did not run")
			}
		}()
		_, _ = s.Tick(context.Background())
	}()
	if n := len(svc.Received()); n != 1 {
		t.Fatalf("received %d before the crash", n)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db = storetest.OpenDir(t, dir) // restart
	clk.Set(berlin(t, 2026, 11, 26, 19, 1))
	s = New(Config{DB: db, Sender: sender, Now: clk.Now})
	if st := tick(t, s); st.Sent != 1 {
		t.Fatalf("after restart: %+v", st)
	}
	clk.Set(berlin(t, 2026, 11, 26, 19, 2))
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("third tick: %+v", st)
	}
	if n := len(svc.Received()); n != 2 {
		t.Fatalf("received %d, want the original and at most one repeat", n)
	}
	if rs := stretchState(t, db, p.Token); rs.LastSentLocal != "2026-11-26T19:00" || rs.NextLocal != "2026-11-27T19:00" {
		t.Fatalf("state %+v", rs)
	}
}
