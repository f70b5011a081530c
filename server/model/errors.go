package model

import "time"

// Code classifies a domain error by what the caller can do about it; the HTTP
// layer maps each code to one status (server.statusOf), nothing else does.
type Code int

// The codes. The zero Code is Invalid, so an Error written as a literal
// without one (as &InputError{Field, Message} always was) is the request's fault.
const (
	// Invalid: the request is wrong (400); Field names the part at fault.
	Invalid Code = iota
	// Unauthorized: no valid credentials (401).
	Unauthorized
	// Forbidden: the caller is known but may not do this (403).
	Forbidden
	// NotFound: nothing is addressed by this token or id (404).
	NotFound
	// Conflict: the request contradicts what is stored (409).
	Conflict
	// Gone: it existed and is over (410): an ended plan, a used invitation.
	Gone
	// TooMany: a rate or count limit (429); RetryAfter says when to try again.
	TooMany
	// BadGateway: a service we pass the request to refused it (502).
	BadGateway
	// Unavailable: a service we pass the request to asks us to wait (503).
	Unavailable
	// Timeout: a service we pass the request to did not answer in time (504).
	Timeout
	// TooLarge: the request's content is larger than allowed (413).
	TooLarge
	// UnsupportedType: the content is not of a kind accepted here (415).
	UnsupportedType
	// Unprocessable: the content is of the right kind but cannot be used (422): a damaged picture, too many pixels.
	Unprocessable
)

// LastCode is the highest code; the HTTP layer's table covers every one up to it.
const LastCode = Unprocessable

// Error is a domain error: its Code says which kind, Message what to tell the
// person (with Field, which part of the request is wrong). Compare sentinels
// with errors.Is (identity), read the code with errors.As.
type Error struct {
	Code    Code
	Field   string
	Message string
	// RetryAfter, when set, is how long until trying again can succeed (Retry-After).
	RetryAfter time.Duration
	// Limit names the plan limit that refused, e.g. "check-ins-per-day" (X-Aftercare-Limit).
	Limit string
	// Err is the cause, kept for logs and errors.Is/As; it is never shown.
	Err error
}

func (e *Error) Error() string {
	if e.Field == "" {
		return e.Message
	}
	return e.Field + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// InputError is an Invalid Error naming the field at fault; the name the
// decoders, their fuzzers and their callers use.
type InputError = Error

// InvalidField is an Invalid error: field ("" for the whole request) is wrong, message says how.
func InvalidField(field, message string) *Error {
	return &Error{Code: Invalid, Field: field, Message: message}
}

// NotFoundError is a NotFound error saying message.
func NotFoundError(message string) *Error { return &Error{Code: NotFound, Message: message} }

// ConflictError is a Conflict error saying message.
func ConflictError(message string) *Error { return &Error{Code: Conflict, Message: message} }

// GoneError is a Gone error saying message.
func GoneError(message string) *Error { return &Error{Code: Gone, Message: message} }

// UnauthorizedError is an Unauthorized error saying message.
func UnauthorizedError(message string) *Error { return &Error{Code: Unauthorized, Message: message} }

// ForbiddenError is a Forbidden error saying message.
func ForbiddenError(message string) *Error { return &Error{Code: Forbidden, Message: message} }

// TooManyError is a TooMany error saying message; retryAfter may be 0 (waiting does not help).
func TooManyError(message string, retryAfter time.Duration) *Error {
	return &Error{Code: TooMany, Message: message, RetryAfter: retryAfter}
}
