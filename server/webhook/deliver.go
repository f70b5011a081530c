package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/netguard"
)

// UserAgent names the sender to receivers.
const UserAgent = "aftercare-webhook/1"

// result is how one attempt went.
type result struct {
	status     int           // the receiver's status; 0 when it did not answer
	retryAfter time.Duration // its Retry-After, if any
	timeout    bool
	reason     string // why no answer, in words that carry no URL
}

func (r result) ok() bool { return r.status >= 200 && r.status <= 299 }

// failure says what went wrong, for logs and the owner's status line.
func (r result) failure() string {
	switch {
	case r.status >= 300 && r.status <= 399:
		return fmt.Sprintf("answered %d: redirects are not followed, set the final URL", r.status)
	case r.status != 0:
		return fmt.Sprintf("answered %d", r.status)
	}
	return r.reason
}

// post sends one signed attempt of event id with body to w's URL.
func (s *Service) post(ctx context.Context, w model.Webhook, id string, body []byte) result {
	if err := CheckURL(w.URL, s.allow); err != nil {
		return result{reason: "the URL is no longer allowed: " + err.Error()}
	}
	now := s.now()
	ts := now.Unix()
	sig, err := Sign(w.Secrets(now), id, ts, body)
	if err != nil {
		return result{reason: err.Error()}
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return result{reason: "the URL cannot be requested"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", UserAgent)
	req.Header.Set(HeaderID, id)
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	req.Header.Set(HeaderSignature, sig)
	resp, err := s.client.Do(req)
	if err != nil {
		return transportFailure(err)
	}
	// Read a little of the answer so the connection can be reused; its content is never kept.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	r := result{status: resp.StatusCode}
	if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), s.now()); ok {
		r.retryAfter = d
	}
	return r
}

// transportFailure names a failure without quoting the URL (url.Error does:
// a receiver's URL may hold a secret of its own).
func transportFailure(err error) result {
	var ne net.Error
	var dns *net.DNSError
	var cert *tls.CertificateVerificationError
	switch {
	case errors.Is(err, netguard.ErrDialRefused):
		return result{reason: "refused: the host resolves to a loopback, private or other non-public address"}
	case errors.As(err, &dns):
		return result{reason: "the host name does not resolve"}
	case errors.Is(err, syscall.ECONNREFUSED):
		return result{reason: "the receiver refused the connection"}
	case errors.As(err, &cert):
		return result{reason: "the receiver's TLS certificate is not valid"}
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return result{timeout: true, reason: fmt.Sprintf("no answer within %v", Timeout)}
	case strings.Contains(err.Error(), "tls:"):
		return result{reason: "the TLS handshake failed"}
	}
	return result{reason: "the connection failed"}
}

// parseRetryAfter reads delay-seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		return time.Duration(min(n, int64(maxRetryAfter/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
