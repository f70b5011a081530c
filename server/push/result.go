package push

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Result describes one Send: its final status and what the caller should do.
type Result struct {
	Status   int  // last HTTP status, 0 if no response
	Gone     bool // 404 or 410: delete the subscription
	Attempts int  // HTTP attempts made
	Err      error
	Bytes    int // encrypted body size of the last attempt
	// RetryAfter is the push service's last Retry-After hint, if any. When it
	// exceeds what Send waits out (60 s), Send stops and the caller may reschedule.
	RetryAfter time.Duration
}

// Delivered reports whether the push service accepted the message.
func (r Result) Delivered() bool { return r.Err == nil && r.Status >= 200 && r.Status < 300 }

// StatusError is Result.Err when the push service answered with a non-2xx status.
type StatusError struct {
	Status int
	Reason string // start of the response body, e.g. Apple's {"reason":"BadJwtToken"}
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("push service answered %d %s", e.Status, http.StatusText(e.Status))
	if e.Reason != "" {
		msg += ": " + e.Reason
	}
	return msg
}

// DeviceRefused reports whether the push service refused the subscription
// itself (400 or 403: Apple's VapidPkHashMismatch, FCM's 403 for a
// subscription made with another server key). No retry helps: the phone
// has to subscribe again.
func (e *StatusError) DeviceRefused() bool {
	return (e.Status == http.StatusBadRequest || e.Status == http.StatusForbidden) && !e.CredentialsRefused()
}

// CredentialsRefused reports whether the push service refused this server's
// VAPID JWT (401, or a JWT reason such as Apple's BadJwtToken, which it gives
// for a contact it will not accept): the operator's settings, not the phone.
func (e *StatusError) CredentialsRefused() bool {
	if e.Status == http.StatusUnauthorized {
		return true
	}
	for _, r := range []string{"BadJwtToken", "ExpiredProviderToken", "InvalidProviderToken"} {
		if strings.Contains(e.Reason, r) {
			return true
		}
	}
	return false
}

// DeviceRefused reports whether the push service refused the subscription
// (see StatusError.DeviceRefused).
func (r Result) DeviceRefused() bool {
	var se *StatusError
	return errors.As(r.Err, &se) && se.DeviceRefused()
}

// readReason returns the start of a response body for logs, drains a little
// more so the connection can be reused, and always closes the body.
func readReason(body io.ReadCloser) string {
	defer body.Close()
	buf := make([]byte, 200)
	n, _ := io.ReadFull(body, buf)
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(string(buf[:n]), ""))
}

// drain reads what is left of a response body (a little, so the connection
// can be reused) and closes it.
func drain(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 4096))
	body.Close()
}

// endpointHost returns the host for logs; the full endpoint is a bearer capability.
func endpointHost(endpoint string) string {
	if u, err := url.Parse(endpoint); err == nil {
		return u.Hostname()
	}
	return "?"
}

// TransportError is Result.Err when no HTTP response arrived. Unlike the
// *url.Error it replaces, its text names only the host: the full endpoint is
// a bearer capability and must not reach logs.
type TransportError struct {
	Host string
	Err  error
}

func (e *TransportError) Error() string { return "push to " + e.Host + ": " + e.Err.Error() }

func (e *TransportError) Unwrap() error { return e.Err }

// Timeout reports whether the request timed out.
func (e *TransportError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.As(e.Err, &t) && t.Timeout()
}

// redactURLError replaces a *url.Error (which quotes the endpoint) by a TransportError.
func redactURLError(err error, host string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &TransportError{Host: host, Err: ue.Err}
	}
	return err
}
