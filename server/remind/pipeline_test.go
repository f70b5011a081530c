package remind

import (
	"fmt"
	"sync"
	"testing"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// TestTickRoundsPipelined: with rounds of one entry (the next read and
// decided while the last is committed), every due reminder goes out once,
// and a device found gone in one round gets nothing in the next, although
// that round was loaded before the device was deleted.
func TestTickRoundsPipelined(t *testing.T) {
	db := storetest.Open(t)
	const gone = "https://fcm.googleapis.com/fcm/send/gone"
	var mu sync.Mutex
	sent := map[string]int{}
	sender := senderFunc(func(jobs []push.Job) []push.Result {
		mu.Lock()
		defer mu.Unlock()
		out := make([]push.Result, len(jobs))
		for i, j := range jobs {
			sent[j.Sub.Endpoint]++
			out[i] = push.Result{Status: 201, Attempts: 1}
			if j.Sub.Endpoint == gone {
				out[i] = push.Result{Status: 410, Gone: true, Attempts: 1}
			}
		}
		return out
	})
	clk := fakeclock.New(berlin(t, 2026, 11, 26, 10, 5))
	s := New(Config{DB: db, Sender: sender, Now: clk.Now, BatchLimit: 1})
	for i := range 4 {
		p := testPlan(t, fmt.Sprintf("pipe%d", i))
		if i > 0 { // a day later: the gone device's two reminders are rounds 1 and 2 of the first tick
			p.SessionAt = p.SessionAt.AddDate(0, 0, 1)
		}
		if err := db.CreatePlan(p); err != nil {
			t.Fatal(err)
		}
		ep := fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d", i)
		if i == 0 {
			ep = gone
		}
		addDevice(t, db, p.Token, ep, "k", "a")
		if err := s.Schedule(p); err != nil {
			t.Fatal(err)
		}
	}
	// 13:00: the 12:00 hydration and the 13:00 tip of the plan with the gone device.
	clk.Set(berlin(t, 2026, 11, 26, 13, 0))
	if st := tick(t, s); st.Due != 2 || st.Sent != 1 || st.NoDevices != 1 || st.Gone != 1 {
		t.Fatalf("tick: %+v", st)
	}
	if sent[gone] != 1 {
		t.Fatalf("gone device pushed %d times", sent[gone])
	}
	// A day later the same for the other three plans (and the first plan's
	// next reminders, for no device now): a round each.
	clk.Set(berlin(t, 2026, 11, 27, 13, 0))
	if st := tick(t, s); st.Sent != 6 || sent[gone] != 1 {
		t.Fatalf("tick: %+v", st)
	}
	for i := 1; i < 4; i++ {
		if n := sent[fmt.Sprintf("https://fcm.googleapis.com/fcm/send/%d", i)]; n != 2 {
			t.Fatalf("device %d got %d pushes, want 2", i, n)
		}
	}
	if st := tick(t, s); st.Due != 0 {
		t.Fatalf("second tick: %+v", st)
	}
	if subs, _ := db.Subscriptions("pipe0"); len(subs) != 0 {
		t.Fatalf("gone device kept: %+v", subs)
	}
}
