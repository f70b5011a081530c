package care

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
)

// TestPushRefusalsAreCoded: whatever a push service answered a test push
// comes back as a coded error (a 5xx the app can explain, never a bare
// internal error), with the push service's answer kept as its cause.
func TestPushRefusalsAreCoded(t *testing.T) {
	for _, tc := range []struct {
		err  error
		code model.Code
	}{
		{&push.StatusError{Status: 403, Reason: `{"reason":"BadJwtToken"}`}, model.BadGateway},
		{&push.StatusError{Status: 401}, model.BadGateway},
		{&push.StatusError{Status: 400, Reason: "VapidPkHashMismatch"}, model.BadGateway},
		{&push.StatusError{Status: 413}, model.BadGateway},
		{&push.StatusError{Status: 429}, model.Unavailable},
		{&push.StatusError{Status: 500}, model.BadGateway},
		{&push.TransportError{Host: "fcm.googleapis.com", Err: errors.New("connection reset")}, model.Timeout},
		{fmt.Errorf("send: %w", context.DeadlineExceeded), model.Timeout},
		{fmt.Errorf("%w: unknown host", push.ErrEndpointNotAllowed), model.BadGateway},
	} {
		var coded *model.Error
		got := pushRefusal(tc.err)
		if !errors.As(got, &coded) || coded.Code != tc.code || coded.Message == "" {
			t.Errorf("%v: %#v, want code %d", tc.err, got, tc.code)
		}
		if !errors.Is(got, tc.err) {
			t.Errorf("%v: the push service's answer is not kept as the cause", tc.err)
		}
	}
	other := errors.New("disk on fire")
	if got := pushRefusal(other); got != other {
		t.Errorf("an error of ours changed: %v", got)
	}
	if pushRefusal(nil) != nil {
		t.Error("nil became an error")
	}
}
