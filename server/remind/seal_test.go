package remind

import (
	"context"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aftercare/aftercare/server/internal/fakeclock"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
	"github.com/aftercare/aftercare/server/pushtest"
	"github.com/aftercare/aftercare/server/store"
	"github.com/aftercare/aftercare/server/store/storetest"
)

// sealEnv is one run of a story: a plan with two devices at the decrypting
// test push service, its scheduler sealing ahead or not.
type sealEnv struct {
	t      *testing.T
	db     *store.DB
	dir    string
	s      *Scheduler
	svc    *pushtest.Service
	sender *countingSealer
	clk    *fakeclock.Clock
	p      model.Plan
	devs   []model.Subscription
	seal   bool
	log    []string // what each tick did, for the comparison
}

func newSealEnv(t *testing.T, seal bool, p model.Plan, scheduleAt time.Time) *sealEnv {
	t.Helper()
	e := &sealEnv{t: t, dir: t.TempDir(), clk: fakeclock.New(scheduleAt), p: p, seal: seal}
	e.db = storetest.OpenDir(t, e.dir)
	var sender *push.Sender
	sender, e.svc = loopbackSender(t)
	e.sender = &countingSealer{Sender: sender}
	e.s = e.newScheduler()
	if err := e.db.CreatePlan(p); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		ep, k, a := e.svc.NewSubscription()
		addDevice(t, e.db, p.Token, ep, k, a)
		e.devs = append(e.devs, model.Subscription{Endpoint: ep, P256dh: k, Auth: a})
	}
	if err := e.s.Schedule(p); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *sealEnv) newScheduler() *Scheduler {
	bytes := int64(-1)
	if e.seal {
		bytes = 0 // the default bound
	}
	return New(Config{DB: e.db, Sender: e.sender, Now: e.clk.Now, BaseURL: testBaseURL, SealCacheBytes: bytes})
}

// countingSealer is the real sender, counting the sealed messages handed to it.
type countingSealer struct {
	*push.Sender
	sealed atomic.Int64
}

func (c *countingSealer) SendAllSealed(ctx context.Context, msgs []push.Sealed) []push.Result {
	c.sealed.Add(int64(len(msgs)))
	return c.Sender.SendAllSealed(ctx, msgs)
}

// sealAt is the pass after the tick of the minute at: it seals what falls
// due within WarmAhead (runTick's startSealing, run to its end).
func (e *sealEnv) sealAt(at time.Time) {
	e.clk.Set(at)
	if e.s.sealed != nil {
		e.s.sealAhead(context.Background(), at)
	}
}

// tickAt ticks at at without sealing anything first.
func (e *sealEnv) tickAt(at time.Time) TickStats {
	e.t.Helper()
	e.clk.Set(at)
	e.s.ticking.Lock()
	st, err := e.s.tick(context.Background())
	e.s.ticking.Unlock()
	if err != nil {
		e.t.Fatal(err)
	}
	e.log = append(e.log, fmt.Sprintf("%s due=%d sent=%d pushes=%d delivered=%d failed=%d gone=%d late=%d done=%d deferred=%d dropped=%d stale=%d nodev=%d retrying=%d requeued=%d retries=%d/%d/%d",
		at.UTC().Format(time.RFC3339), st.Due, st.Sent, st.Pushes, st.Delivered, st.Failed, st.Gone, st.Late, st.Done, st.Deferred,
		st.Dropped, st.Stale, st.NoDevices, st.Retrying, st.Requeued, st.Retries, st.RetriesDelivered, st.RetriesDropped))
	return st
}

// everyMinute seals and ticks at each minute in [from, to), as runTick does.
func (e *sealEnv) everyMinute(from, to time.Time) {
	for at := from; at.Before(to); at = at.Add(time.Minute) {
		e.tickAt(at)
		e.sealAt(at)
	}
}

// received is what each device got, device by device, each in order:
// everything the client sees.
func (e *sealEnv) received() []string {
	idx := map[string]int{}
	for i, d := range e.devs {
		idx[d.Endpoint] = i
	}
	var out []string
	for _, r := range e.svc.Received() {
		out = append(out, fmt.Sprintf("device %d: %s TTL=%d urgency=%s topic=%s", idx[r.Endpoint], r.Payload, r.TTL, r.Urgency, r.Topic))
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i][:9] < out[j][:9] })
	return out
}

// TestSealingAheadChangesNothingSent runs each story twice, sealing ahead
// and not, and requires the same messages at every device (payload, TTL,
// urgency, topic) and the same tick outcomes: the stories of the tests of
// what is sent (DST, quiet hours, skip when done, erase, end, retry within
// grace, crash between send and commit) and changes made after sealing.
// Where a story sends at all, the sealed run must have sent sealed bytes.
func TestSealingAheadChangesNothingSent(t *testing.T) {
	loc := mustLoc(t, "Europe/Berlin")
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, loc) }
	stretch := func(token string) model.Plan { return stretchOnly(t, token) }
	followUp := func(token string) model.Plan {
		p := testPlan(t, token)
		p.Prefs.Disabled = []string{model.KindHydration, model.KindCheckIn, model.KindStretch, model.KindTip}
		return p
	}
	night := func(zone, day, clock string) (model.Plan, time.Time) {
		z := mustLoc(t, zone)
		d, _ := time.ParseInLocation("2006-01-02", day, z)
		return model.Plan{Token: "dst" + day, ClientName: "Sam", TimeZone: zone, StretchTime: clock, Days: 3,
			SessionAt: d.Add(-12 * time.Hour), Prefs: nightStretchPrefs()}, d
	}
	update := func(e *sealEnv, fn func(*model.Plan)) {
		e.t.Helper()
		p, err := e.db.UpdatePlan(e.p.Token, func(p *model.Plan) error { fn(p); return nil })
		if err != nil {
			e.t.Fatal(err)
		}
		if err := e.s.Schedule(p); err != nil {
			e.t.Fatal(err)
		}
	}
	schedAt := at(2026, 11, 26, 10, 5)

	stories := []struct {
		name       string
		plan       func() (model.Plan, time.Time) // the plan and when it is scheduled
		story      func(e *sealEnv)
		wantSent   int    // messages delivered, in either run
		wantSealed int    // of which the sealed run handed over as sealed bytes
		want       string // in every payload delivered, if set
	}{
		{"stretch at its time", func() (model.Plan, time.Time) { return stretch("plain"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 2, 2, `"body":"Sam, a few gentle minutes now.`},
		{"DST spring gap", func() (model.Plan, time.Time) {
			p, d := night("Europe/Berlin", "2026-03-29", "02:30")
			return p, d.Add(-12 * time.Hour)
		},
			func(e *sealEnv) {
				d, _ := time.ParseInLocation("2006-01-02", "2026-03-29", loc)
				e.everyMinute(d, d.Add(6*time.Hour))
			}, 2, 2, ""},
		{"DST autumn repeat", func() (model.Plan, time.Time) {
			p, d := night("America/New_York", "2026-11-01", "01:30")
			return p, d.Add(-12 * time.Hour)
		}, func(e *sealEnv) {
			d, _ := time.ParseInLocation("2006-01-02", "2026-11-01", mustLoc(t, "America/New_York"))
			e.everyMinute(d, d.Add(6*time.Hour))
		}, 2, 2, ""},
		{"quiet hours move the stretch", func() (model.Plan, time.Time) {
			p := stretch("quiet")
			p.StretchTime = "21:30"
			p.Prefs.QuietStart, p.Prefs.QuietEnd = "21:00", "07:00"
			return p, schedAt
		}, func(e *sealEnv) { e.everyMinute(at(2026, 11, 26, 20, 40), at(2026, 11, 26, 21, 40)) }, 2, 2, ""},
		{"quiet hours changed after sealing", func() (model.Plan, time.Time) {
			p := stretch("quietlater")
			p.StretchTime = "07:30"
			p.Prefs.QuietStart, p.Prefs.QuietEnd = "22:00", "07:00"
			return p, schedAt
		}, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 27, 7, 28))
			// Quiet until 08:00 now: the 07:30 stretch goes at 08:00, not at 07:30.
			update(e, func(p *model.Plan) { p.Prefs.QuietEnd = "08:00" })
			e.everyMinute(at(2026, 11, 27, 7, 29), at(2026, 11, 27, 8, 5))
		}, 2, 2, ""},
		{"stretch switched off after sealing", func() (model.Plan, time.Time) { return stretch("off"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			update(e, func(p *model.Plan) { p.Prefs.Disabled = append(p.Prefs.Disabled, model.KindStretch) })
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 0, 0, ""},
		{"done today after sealing", func() (model.Plan, time.Time) { return stretch("done"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			if _, err := e.db.AddCompletion(e.p.Token, model.Completion{ID: "c1", At: at(2026, 11, 26, 18, 30), Done: 3}); err != nil {
				e.t.Fatal(err)
			}
			e.tickAt(at(2026, 11, 26, 19, 0))
			e.sealAt(at(2026, 11, 27, 18, 58)) // the next day's goes
			e.tickAt(at(2026, 11, 27, 19, 0))
		}, 2, 2, ""},
		{"erased after sealing", func() (model.Plan, time.Time) { return stretch("erased"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			if err := e.db.DeletePlan(e.p.Token); err != nil {
				e.t.Fatal(err)
			}
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 0, 0, ""},
		{"ended after sealing", func() (model.Plan, time.Time) { return stretch("ended"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			if _, err := e.db.UpdatePlan(e.p.Token, func(p *model.Plan) error {
				end := at(2026, 11, 26, 18, 59)
				p.EndedAt = &end
				return nil
			}); err != nil {
				e.t.Fatal(err)
			}
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 0, 0, ""},
		{"a device unsubscribed after sealing", func() (model.Plan, time.Time) { return stretch("unsub"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			if err := e.db.DeleteSubscription(e.p.Token, e.devs[1].Endpoint); err != nil {
				e.t.Fatal(err)
			}
			e.sealAt(at(2026, 11, 26, 18, 59)) // the plan's messages were dropped: sealed again
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 1, 1, ""},
		{"client renamed after sealing", func() (model.Plan, time.Time) { return stretch("renamed"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			if _, err := e.db.UpdatePlan(e.p.Token, func(p *model.Plan) error { p.ClientName = "Alex Other"; return nil }); err != nil {
				e.t.Fatal(err)
			}
			e.sealAt(at(2026, 11, 26, 18, 59)) // sealed again from the changed plan
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 2, 2, `"body":"Alex, a few gentle minutes now.`},
		{"client renamed after sealing, nothing dropped", func() (model.Plan, time.Time) { return stretch("nodrop"), schedAt }, func(e *sealEnv) {
			e.db.OnPlanChange(nil) // only Matches stands between the stale bytes and the client
			e.sealAt(at(2026, 11, 26, 18, 58))
			if _, err := e.db.UpdatePlan(e.p.Token, func(p *model.Plan) error { p.ClientName = "Alex Other"; return nil }); err != nil {
				e.t.Fatal(err)
			}
			e.tickAt(at(2026, 11, 26, 19, 0))
		}, 2, 0, `"body":"Alex, a few gentle minutes now.`},
		{"next session moved after sealing", func() (model.Plan, time.Time) { return followUp("moved"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 12, 2, 17, 58)) // the 18:00 eve reminder: "see you tomorrow at 10:00"
			update(e, func(p *model.Plan) { next := at(2026, 12, 3, 15, 0); p.NextSessionAt = &next })
			e.tickAt(at(2026, 12, 2, 18, 0))
		}, 2, 0, "see you tomorrow at 15:00."},
		{"retry within grace", func() (model.Plan, time.Time) { return stretch("retry"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			e.svc.Behave(e.devs[0].Endpoint, pushtest.Behavior{Status: 503, Times: push.DefaultMaxAttempts})
			e.svc.Behave(e.devs[1].Endpoint, pushtest.Behavior{Status: 503, Times: push.DefaultMaxAttempts})
			e.everyMinute(at(2026, 11, 26, 19, 0), at(2026, 11, 26, 19, 3))
		}, 2, 2, ""},
		{"one device retried within grace", func() (model.Plan, time.Time) { return stretch("retryone"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			e.svc.Behave(e.devs[1].Endpoint, pushtest.Behavior{Status: 503, Times: push.DefaultMaxAttempts})
			e.everyMinute(at(2026, 11, 26, 19, 0), at(2026, 11, 26, 19, 4))
		}, 2, 2, ""},
		{"crash between send and commit", func() (model.Plan, time.Time) { return stretch("crash"), schedAt }, func(e *sealEnv) {
			e.sealAt(at(2026, 11, 26, 18, 58))
			e.s.afterSend = func() { panic("crash after send") }
			func() {
				defer func() {
					if r := recover(); r == nil {
						e.t.Fatal("hook did not run")
					}
				}()
				e.tickAt(at(2026, 11, 26, 19, 0))
			}()
			e.s.ticking.Unlock() // the crashed tick's lock; the process is gone
			if err := e.db.Close(); err != nil {
				e.t.Fatal(err)
			}
			e.db = storetest.OpenDir(e.t, e.dir) // restart: nothing sealed survives it
			e.s = e.newScheduler()
			e.everyMinute(at(2026, 11, 26, 19, 1), at(2026, 11, 26, 19, 3))
		}, 4, 2, ""}, // the original and at most one repeat, per device
	}
	for _, c := range stories {
		t.Run(c.name, func(t *testing.T) {
			var runs [2]*sealEnv
			for i, seal := range []bool{false, true} {
				p, schedule := c.plan()
				e := newSealEnv(t, seal, p, schedule)
				c.story(e)
				runs[i] = e
			}
			plain, sealed := runs[0], runs[1]
			if got, want := sealed.received(), plain.received(); !reflect.DeepEqual(got, want) {
				t.Errorf("sealing ahead changed what devices got:\nsealed: %q\nplain:  %q", got, want)
			}
			if !reflect.DeepEqual(sealed.log, plain.log) {
				t.Errorf("sealing ahead changed the ticks:\nsealed: %q\nplain:  %q", sealed.log, plain.log)
			}
			if got := plain.received(); len(got) != c.wantSent {
				t.Errorf("%d messages delivered, want %d: %q", len(got), c.wantSent, got)
			}
			for _, r := range sealed.received() {
				if !strings.Contains(r, c.want) {
					t.Errorf("delivered %s, want it to say %q", r, c.want)
				}
			}
			if n := sealed.sender.sealed.Load(); n != int64(c.wantSealed) {
				t.Errorf("the sealed run handed over %d sealed messages, want %d", n, c.wantSealed)
			}
			if n := plain.sender.sealed.Load(); n != 0 {
				t.Errorf("the run without sealing sent %d sealed", n)
			}
		})
	}
}
