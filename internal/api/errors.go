package api

import (
	"net/http"

	"parley/internal/forum"
	"parley/internal/httperr"
)

// Codes of answers that come from HTTP itself rather than from the forum.
const (
	codeMethodNotAllowed     = "method_not_allowed"
	codeUnsupportedMediaType = "unsupported_media_type"
)

// statusError is an answer that comes from HTTP itself rather than from
// the forum: its own status and code.
type statusError struct {
	status        int
	code, message string
}

func (e *statusError) Error() string { return e.message }

// errorBody is the JSON of every error answer.
type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// fail answers err. Users see only forum.ErrorMessage(err); the cause of
// an internal or unavailable error, which may hold paths, SQL or secrets, is
// logged instead.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if se, ok := err.(*statusError); ok {
		s.writeError(w, r, se.status, se.code, se.message)
		return
	}
	if httperr.ClientGone(r, err) {
		s.log.DebugContext(r.Context(), "api: client gone", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	code, status := httperr.Status(err)
	switch code {
	case forum.CodeInternal:
		s.log.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case forum.CodeUnavailable:
		// The database failing is the operator's to know; the forum's own
		// refusals (a search stopped at its timeout, streams at their
		// bound) keep no cause and are the reader's.
		if forum.ErrorCause(err) != nil {
			s.log.WarnContext(r.Context(), "api: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		}
	case forum.CodeUnauthorized:
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	httperr.SetRetryAfter(w, err)
	s.writeError(w, r, status, string(code), forum.ErrorMessage(err))
}

// writeError writes an error answer.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	s.writeJSON(w, r, status, errorBody{errorJSON{Code: code, Message: message}})
}
