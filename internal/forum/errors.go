package forum

import (
	"errors"
	"fmt"
	"time"
)

// Code classifies an error so that every transport can answer it the same
// way: the HTTP API and pages map codes to status, the CLI to exit messages.
type Code string

// The error codes. Each transport maps them in one place.
const (
	CodeInvalid      Code = "invalid"
	CodeNotFound     Code = "not_found"
	CodeConflict     Code = "conflict"
	CodeUnauthorized Code = "unauthorized"
	CodeForbidden    Code = "forbidden"
	CodeTooLarge     Code = "too_large"
	CodeRateLimited  Code = "rate_limited"
	CodeUnavailable  Code = "unavailable"
	CodeInternal     Code = "internal"
)

// Error is the one error type of Parley. Message is safe to show to users;
// Err, when set, is the underlying cause and is only ever logged.
type Error struct {
	Code    Code
	Message string
	Err     error
	// Field names the input the error is about (name, password, slug,
	// title, description, body), so that a form can show it beside that
	// field; empty when the error is about no one input.
	Field string
	// RetryAfter, for CodeRateLimited or CodeUnavailable, is how long until
	// a retry may pass; 0 when the error does not say.
	RetryAfter time.Duration
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %v", e.Message, e.Err)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an *Error with a user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// fieldError returns an *Error about one input.
func fieldError(code Code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// onField returns err marked as being about field, when it is an *Error.
func onField(err error, field string) error {
	if e, ok := errors.AsType[*Error](err); ok {
		marked := *e
		marked.Field = field
		return &marked
	}
	return err
}

// ErrorField returns the input err is about, "" when none.
func ErrorField(err error) string {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Field
	}
	return ""
}

// WrapError returns an *Error that keeps err as its cause, for adapters that
// translate a driver's error into a domain code.
func WrapError(code Code, err error, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Err: err}
}

// ErrorCode returns the code of the first *Error in err's chain; any other
// non-nil error is internal.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Code
	}
	return CodeInternal
}

// ErrorCause returns the cause an *Error in err's chain keeps (a driver's
// error, say), nil when it keeps none: a refusal the forum decided on
// itself, such as a search stopped at its timeout.
func ErrorCause(err error) error {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Err
	}
	return nil
}

// ErrorMessage returns the text a user may see for err. Internal errors are
// never described: their cause may hold paths, SQL or secrets.
func ErrorMessage(err error) string {
	if e, ok := errors.AsType[*Error](err); ok && e.Code != CodeInternal {
		return e.Message
	}
	return "internal error"
}

// RetryAfter returns how long a caller refused for now should wait, 0 when
// err does not say.
func RetryAfter(err error) time.Duration {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.RetryAfter
	}
	return 0
}
