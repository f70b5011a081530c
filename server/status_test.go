package server

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/aftercare/aftercare/server/account"
	"github.com/aftercare/aftercare/server/auth"
	"github.com/aftercare/aftercare/server/calendar"
	"github.com/aftercare/aftercare/server/care"
	"github.com/aftercare/aftercare/server/model"
	"github.com/aftercare/aftercare/server/store"
)

// answer is what a client sees of an error a handler returned.
type answer struct {
	Status     int
	Body       string
	RetryAfter string
	Limit      string
}

// answerOf returns err from a bare route behind the app's error handler: no
// handler code between the error and the status, as on every route.
func answerOf(t *testing.T, err error) answer {
	t.Helper()
	app := fiber.New(fiber.Config{ErrorHandler: errorHandler(slog.New(slog.NewTextHandler(io.Discard, nil)))})
	app.Get("/", func(*fiber.Ctx) error { return err })
	res, rerr := app.Test(httptest.NewRequest("GET", "/", nil), -1)
	if rerr != nil {
		t.Fatal(rerr)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, string(body), res.Header.Get(fiber.HeaderRetryAfter), res.Header.Get(LimitHeader)}
}

// TestStatusOfIsTheOneMapper: every error the domain packages return answers
// its status, message and headers straight from the error handler, with no
// handler translating it first (a forgotten translation used to answer 500).
func TestStatusOfIsTheOneMapper(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		status int
		body   string // a part of the {"error": ...} body
	}{
		{"store not found", store.ErrNotFound, 404, `"not found"`},
		{"wrapped not found", fmt.Errorf("read plan: %w", store.ErrNotFound), 404, `"not found"`},
		{"input error", &model.InputError{Field: "email", Message: "is required"}, 400, `"email: is required"`},
		{"wrapped input error", fmt.Errorf("decode: %w", &model.InputError{Field: "days", Message: "too many"}), 400, `"days: too many"`},
		{"bad credentials", auth.ErrBadCredentials, 401, "wrong e-mail address or password"},
		{"no session", auth.ErrNoSession, 401, "log in again"},
		{"invite used", store.ErrInviteUsed, 410, "expired or was already used"},
		{"email taken", account.ErrEmailTaken, 409, `"email: an account with this e-mail address already exists"`},
		{"disable oneself", account.ErrSelf, 400, "cannot disable your own account"},
		{"another therapist's plan", care.ErrForbidden, 404, `"not found"`},
		{"plan ended", care.ErrGone, 410, "this plan has ended"},
		{"no devices", care.ErrNoDevices, 409, "no device has reminders turned on"},
		{"check-in id reused", care.ErrCheckInIDReused, 409, "different check-in"},
		{"completion id reused", care.ErrCompletionIDReused, 409, "different completion"},
		{"no next session", calendar.ErrNoSession, 404, "no next session is booked"},
		{"fiber error", fiber.NewError(fiber.StatusUnsupportedMediaType, "send JSON"), 415, "send JSON"},
		{"anything else", errors.New("disk on fire"), 500, `"internal error"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := answerOf(t, tc.err)
			if a.Status != tc.status || !strings.Contains(a.Body, tc.body) {
				t.Fatalf("%v: %d %s, want %d with %q", tc.err, a.Status, a.Body, tc.status, tc.body)
			}
			if a.RetryAfter != "" || a.Limit != "" {
				t.Fatalf("%v: Retry-After %q, %s %q, want neither", tc.err, a.RetryAfter, LimitHeader, a.Limit)
			}
			if st, _ := statusOf(tc.err); st != tc.status {
				t.Fatalf("statusOf(%v) = %d, the error handler answered %d", tc.err, st, tc.status)
			}
		})
	}
}

// TestThrottledLoginAnswers429FromAnyRoute: the login throttle's refusal, as
// the auth service returns it, answers 429 with Retry-After by itself.
func TestThrottledLoginAnswers429FromAnyRoute(t *testing.T) {
	ls := newLoginServer(t, 4)
	var err error
	for range auth.AccountFailures + 1 {
		_, err = ls.Auth.Login(victimEmail, "wrong password!", "127.0.0.9")
	}
	a := answerOf(t, err)
	if a.Status != 429 || a.RetryAfter != "900" || !strings.Contains(a.Body, "too many failed logins") {
		t.Fatalf("throttled: %d Retry-After %q %s, want 429, 900 s (the throttle window)", a.Status, a.RetryAfter, a.Body)
	}
	ls.Clock.Advance(10 * time.Minute)
	_, err = ls.Auth.Login(victimEmail, "wrong password!", "127.0.0.9")
	if a := answerOf(t, err); a.Status != 429 || a.RetryAfter != "300" {
		t.Fatalf("10 min later: %d Retry-After %q, want 429, 300", a.Status, a.RetryAfter)
	}
}

// TestEveryCodeAnswersItsStatus: the table covers every code, and a coded
// error's RetryAfter (rounded up to whole seconds) and Limit become the
// Retry-After and X-Aftercare-Limit headers, however deeply it is wrapped.
func TestEveryCodeAnswersItsStatus(t *testing.T) {
	want := map[model.Code]int{
		model.Invalid: 400, model.Unauthorized: 401, model.Forbidden: 403, model.NotFound: 404, model.Conflict: 409,
		model.Gone: 410, model.TooMany: 429, model.BadGateway: 502, model.Unavailable: 503, model.Timeout: 504,
		model.TooLarge: 413, model.UnsupportedType: 415, model.Unprocessable: 422,
	}
	for code := model.Invalid; code <= model.LastCode; code++ {
		err := fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", &model.Error{Code: code, Field: "f", Message: "says why"}))
		a := answerOf(t, err)
		if a.Status != want[code] || !strings.Contains(a.Body, `"f: says why"`) || a.RetryAfter != "" || a.Limit != "" {
			t.Errorf("code %d: %d %s Retry-After %q limit %q, want %d", code, a.Status, a.Body, a.RetryAfter, a.Limit, want[code])
		}
	}
	daily := &model.Error{Code: model.TooMany, Message: "come back tomorrow", RetryAfter: 1200 * time.Millisecond, Limit: "check-ins-per-day"}
	if a := answerOf(t, fmt.Errorf("record: %w", daily)); a.Status != 429 || a.RetryAfter != "2" || a.Limit != "check-ins-per-day" {
		t.Errorf("daily limit: %d Retry-After %q limit %q, want 429, 2, check-ins-per-day", a.Status, a.RetryAfter, a.Limit)
	}
	total := &model.Error{Code: model.Conflict, Message: "full", Limit: "completions-per-plan"}
	if a := answerOf(t, total); a.Status != 409 || a.RetryAfter != "" || a.Limit != "completions-per-plan" {
		t.Errorf("total limit: %d Retry-After %q limit %q, want 409, none, completions-per-plan", a.Status, a.RetryAfter, a.Limit)
	}
	if a := answerOf(t, &model.Error{Code: model.LastCode + 1, Message: "a code nobody mapped"}); a.Status != 500 {
		t.Errorf("an unmapped code: %d, want 500", a.Status)
	}
}
