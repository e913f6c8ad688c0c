// Package httperr maps the forum's error codes to HTTP statuses: the one
// place where they are mapped, for the JSON API and the web pages alike.
package httperr

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"

	"parley/internal/forum"
)

var statusOf = map[forum.Code]int{
	forum.CodeInvalid:      http.StatusBadRequest,
	forum.CodeUnauthorized: http.StatusUnauthorized,
	forum.CodeForbidden:    http.StatusForbidden,
	forum.CodeNotFound:     http.StatusNotFound,
	forum.CodeConflict:     http.StatusConflict,
	forum.CodeTooLarge:     http.StatusRequestEntityTooLarge,
	forum.CodeRateLimited:  http.StatusTooManyRequests,
	forum.CodeUnavailable:  http.StatusServiceUnavailable,
	forum.CodeInternal:     http.StatusInternalServerError,
}

// Status returns the code of err and the HTTP status that answers it. An
// error without a known code is internal.
func Status(err error) (forum.Code, int) {
	code := forum.ErrorCode(err)
	if status, ok := statusOf[code]; ok {
		return code, status
	}
	return forum.CodeInternal, http.StatusInternalServerError
}

// Recover, deferred by a handler, turns a panic into a logged stack and a
// call to answer, which tells the client of an internal error: a bug costs
// one request rather than its connection. http.ErrAbortHandler, the
// deliberate way to drop a connection, passes on.
func Recover(log *slog.Logger, r *http.Request, answer func()) {
	v := recover()
	if v == nil {
		return
	}
	if v == http.ErrAbortHandler {
		panic(v)
	}
	log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path,
		"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
	answer()
}
