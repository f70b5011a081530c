package push

import (
	"context"
	"errors"
	"time"
)

// ErrSealExpired is Result.Err when a sealed message is sent at or after its Expires.
var ErrSealExpired = errors.New("sealed push message expired")

// errNotSealed is Result.Err for a Sealed value that Seal did not fill.
var errNotSealed = errors.New("push message was not sealed")

// SendSealed sends a message sealed ahead of time: only the stored bytes, with
// the push service's current VAPID token, under the same allowlist check,
// per-host bound, retries and Retry-After handling as Send.
func (s *Sender) SendSealed(ctx context.Context, m Sealed) Result {
	start := time.Now()
	res := s.sendSealed(ctx, m)
	s.finish(m.Kind, res, time.Since(start))
	return res
}

func (s *Sender) sendSealed(ctx context.Context, m Sealed) Result {
	if err := ctx.Err(); err != nil {
		return Result{Err: err}
	}
	if !m.Expires.IsZero() && !s.now().Before(m.Expires) {
		return Result{Err: ErrSealExpired}
	}
	// Checked again at send time: the value may have been built by another
	// sender, changed after sealing, or kept past a change of the allowlist.
	// One parse serves the check and every attempt.
	u, err := s.allow.parseChecked(m.Endpoint)
	if err != nil {
		return Result{Err: err}
	}
	if len(m.Body) == 0 || m.ContentEncoding == "" || m.TTL == "" {
		return Result{Err: errNotSealed}
	}
	return s.deliver(ctx, m, u)
}
