// Package httperr maps the forum's error codes to HTTP statuses: the one
// place where they are mapped, for the JSON API and the web pages alike.
package httperr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"

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

// SetRetryAfter tells a client refused for now (a rate limit) when to
// come back, when err says.
func SetRetryAfter(w http.ResponseWriter, err error) {
	if d := forum.RetryAfter(err); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
	}
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

// ClientGone reports whether err comes only of the client going away, which
// ends its request's context: there is no one to answer, and nothing went
// wrong that an operator should read of above the debug level.
func ClientGone(r *http.Request, err error) bool {
	return r.Context().Err() != nil && errors.Is(err, context.Canceled)
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

// Unrouted answers a request that a ServeMux has no pattern for, given the
// handler mux.Handler returned for it. ServeMux would answer in plain
// text; here a redirect to the clean path passes on as ServeMux makes it,
// while a 404, or a 405 with its Allow header set, is left to answer,
// which writes it in the caller's format.
func Unrouted(w http.ResponseWriter, r *http.Request, h http.Handler, answer func(status int)) {
	probe := &probe{header: http.Header{}}
	h.ServeHTTP(probe, r)
	switch probe.status {
	case http.StatusMethodNotAllowed:
		w.Header().Set("Allow", probe.header.Get("Allow"))
		answer(http.StatusMethodNotAllowed)
	case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		http.Redirect(w, r, probe.header.Get("Location"), probe.status)
	default:
		answer(http.StatusNotFound)
	}
}

// probe records what a handler answers, without writing it.
type probe struct {
	header http.Header
	status int
}

func (p *probe) Header() http.Header         { return p.header }
func (p *probe) Write(b []byte) (int, error) { return len(b), nil }
func (p *probe) WriteHeader(status int)      { p.status = status }
