package push

import (
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry timing.
const (
	// maxRetryAfter is the longest Retry-After the sender waits out inside
	// Send; a longer one ends the attempt and is reported in Result.RetryAfter
	// so the caller can reschedule instead of holding a worker.
	maxRetryAfter = 60 * time.Second
	backoffBase   = time.Second
	backoffMax    = 30 * time.Second
)

// parseRetryAfter reads a Retry-After value in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, 1<<30)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// backoff returns the wait before retry number attempt (1-based): exponential
// with jitter, so many subscriptions failing together do not retry in step.
func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt-1, 10)
	d = min(d, backoffMax)
	return d/2 + rand.N(d/2+1)
}

// retryableTransportError reports whether a failed round trip is worth repeating.
func retryableTransportError(ctx context.Context, err error) bool {
	if ctx.Err() != nil || errors.Is(err, ErrDialRefused) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) && dnsErr.IsNotFound {
		return false
	}
	var certErr *tls.CertificateVerificationError
	return !errors.As(err, &certErr)
}

// sleepContext waits for d or until ctx is done.
func sleepContext(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
