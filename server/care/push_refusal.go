package care

import (
	"context"
	"errors"
	"net/http"

	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/push"
)

// pushRefusal turns what a push service answered a test notification (the
// client waits for it) into what the app can tell the person holding the
// phone; other errors pass unchanged. The push error stays the cause.
func pushRefusal(err error) error {
	var se *push.StatusError
	var te *push.TransportError
	refused := func(code model.Code, msg string) error { return &model.Error{Code: code, Message: msg, Err: err} }
	switch {
	case err == nil:
		return nil
	case errors.As(err, &se) && se.CredentialsRefused():
		return refused(model.BadGateway, "the push service refused this server's credentials: "+
			"the studio's operator must set a real contact address with -vapid-subject")
	case errors.As(err, &se) && se.DeviceRefused():
		return refused(model.BadGateway, "your phone's push service refused this device: turn reminders off and on again")
	case errors.As(err, &se) && se.Status == http.StatusRequestEntityTooLarge:
		return refused(model.BadGateway, "the push service refused the message as too large")
	case errors.As(err, &se) && se.Status == http.StatusTooManyRequests:
		return refused(model.Unavailable, "the push service asks us to slow down: try again in a few minutes")
	case errors.As(err, &se):
		return refused(model.BadGateway, "the push service did not take the message: try again in a few minutes")
	case errors.As(err, &te), errors.Is(err, context.DeadlineExceeded):
		return refused(model.Timeout, "the push service did not answer in time: try again in a few minutes")
	case errors.Is(err, push.ErrEndpointNotAllowed):
		return refused(model.BadGateway, "this server no longer sends to this device's push service: turn reminders off and on again")
	}
	return err
}
