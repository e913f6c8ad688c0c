package api

import (
	"net/http"

	"parley/internal/forum"
)

// Codes of answers that come from HTTP itself rather than from the forum.
const (
	codeMethodNotAllowed = "method_not_allowed"
	codeNotImplemented   = "not_implemented"
)

// statusOf is the HTTP status of each forum.Code: the one place the API maps
// them.
var statusOf = map[forum.Code]int{
	forum.CodeInvalid:      http.StatusBadRequest,
	forum.CodeUnauthorized: http.StatusUnauthorized,
	forum.CodeForbidden:    http.StatusForbidden,
	forum.CodeNotFound:     http.StatusNotFound,
	forum.CodeConflict:     http.StatusConflict,
	forum.CodeTooLarge:     http.StatusRequestEntityTooLarge,
	forum.CodeUnavailable:  http.StatusServiceUnavailable,
	forum.CodeInternal:     http.StatusInternalServerError,
}

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
	code := forum.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		code, status = forum.CodeInternal, http.StatusInternalServerError
	}
	switch code {
	case forum.CodeInternal:
		s.log.ErrorContext(r.Context(), "api: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	case forum.CodeUnavailable:
		s.log.WarnContext(r.Context(), "api: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
	case forum.CodeUnauthorized:
		w.Header().Set("WWW-Authenticate", "Bearer")
	}
	s.writeError(w, r, status, string(code), forum.ErrorMessage(err))
}

// writeError writes an error answer.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	s.writeJSON(w, r, status, errorBody{errorJSON{Code: code, Message: message}})
}
