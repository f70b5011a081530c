package remind

import (
	"context"
	"log/slog"
	"time"

	"github.com/robfig/cron/v3"
)

// Start ticks every minute on the minute (UTC), after one catch-up tick right
// away for whatever came due while the server was down; before that tick it
// repairs plans stored without a schedule (see repair) and reads the plans
// due by then and in the next WarmAhead into the store's cache.
func (s *Scheduler) Start() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cron != nil {
		return
	}
	s.stopped = false
	if s.alertsCtx.Err() != nil { // cancelled by an earlier Stop's grace period
		s.alertsCtx, s.cancelAlerts = context.WithCancel(context.Background())
	}
	ctx, cancel := context.WithCancel(context.Background())
	chain := s.chain()
	c := cron.New(cron.WithLocation(time.UTC), cron.WithChain(chain...))
	if _, err := c.AddFunc("* * * * *", func() { s.runTick(ctx) }); err != nil {
		panic(err) // a constant spec
	}
	s.cron, s.cancel = c, cancel
	s.catchUp.Add(1)
	go func() {
		defer s.catchUp.Done()
		cron.NewChain(chain...).Then(cron.FuncJob(func() {
			s.repair()
			// The plans of what is due now and soon, read before the first
			// tick rather than by it: it runs as warm as the ones after it.
			s.warmStart(s.now())
			s.runTick(ctx)
		})).Run()
	}()
	c.Start()
}

// Stop ends ticking and waits for a running tick (its round in flight is
// committed first) and for therapist alerts in flight (each bounded by
// AlertTimeout); close the database only after it returns.
func (s *Scheduler) Stop() {
	s.mu.Lock()
	c, cancel := s.cron, s.cancel
	s.cron, s.cancel = nil, nil
	s.stopped = true
	cancelAlerts := s.cancelAlerts
	// What is gathered goes now, rather than being lost with the process.
	gathered := s.takeDigests(s.now(), true)
	s.alerts.Add(len(gathered))
	alertsCtx := s.alertsCtx
	s.mu.Unlock()
	s.launchDigests(alertsCtx, gathered)
	if c != nil {
		cancel()
		<-c.Stop().Done()
		s.catchUp.Wait()
	}
	s.stopSealing()
	done := make(chan struct{})
	go func() { s.alerts.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(AlertShutdownGrace):
		s.log.Warn("stopping: cancelling therapist alerts still waiting on a push service")
		cancelAlerts()
		<-done
	}
}

// chain recovers a panicking tick: robfig/cron does not by default, and one
// bad plan must not take the server down.
func (s *Scheduler) chain() []cron.JobWrapper {
	return []cron.JobWrapper{cron.Recover(cronLogger{s.log})}
}

func (s *Scheduler) runTick(ctx context.Context) {
	if !s.ticking.TryLock() {
		s.log.Warn("reminder tick skipped: the previous one is still running")
		return
	}
	defer s.ticking.Unlock()
	s.stopSealing() // the due minute has the cores to itself
	now := s.now()
	st, err := s.tick(ctx)
	if err != nil {
		s.log.Error("reminder tick", "err", err)
	}
	if ctx.Err() == nil {
		s.warm(now)
		if s.sealed != nil {
			s.sealed.Expire(now)
			s.startSealing(now)
		}
	}
	if st.Due > 0 {
		s.log.Info("reminder tick", "due", st.Due, "sent", st.Sent, "pushes", st.Pushes, "delivered", st.Delivered,
			"failed", st.Failed, "gone", st.Gone, "late", st.Late, "done", st.Done, "deferred", st.Deferred,
			"dropped", st.Dropped, "noDevices", st.NoDevices, "retrying", st.Retrying, "requeued", st.Requeued, "sealed", st.Sealed,
			"ms", st.Duration.Milliseconds())
	}
	if st.Retries > 0 {
		s.log.Info("reminder retries", "taken", st.Retries, "delivered", st.RetriesDelivered, "dropped", st.RetriesDropped)
	}
}

// cronLogger adapts slog to robfig/cron's Logger.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }

func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append([]any{"err", err}, kv...)...)
}
