package web

import (
	"net/http"

	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/web/view"
)

// statusError is an answer that comes from HTTP itself rather than from
// the forum, such as a method a page does not take.
type statusError struct{ status int }

func (e *statusError) Error() string { return http.StatusText(e.status) }

// headings are what an error page says first, by status.
var headings = map[int]string{
	http.StatusBadRequest:            "That request was not understood",
	http.StatusUnauthorized:          "Please sign in",
	http.StatusForbidden:             "Not allowed",
	http.StatusNotFound:              "Page not found",
	http.StatusMethodNotAllowed:      "Not here",
	http.StatusConflict:              "That is taken",
	http.StatusRequestEntityTooLarge: "Too large",
	http.StatusTooManyRequests:       "Too many attempts",
	http.StatusServiceUnavailable:    "Busy, please retry",
	http.StatusInternalServerError:   "Something went wrong",
}

// fail answers err with an error page. Readers see only
// forum.ErrorMessage(err); the cause of an internal error is logged.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if httperr.ClientGone(r, err) {
		s.log.DebugContext(r.Context(), "web: client gone", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	var code forum.Code
	var status int
	if se, ok := err.(*statusError); ok {
		code, status = "", se.status
	} else {
		code, status = httperr.Status(err)
	}
	message := forum.ErrorMessage(err)
	switch code {
	case forum.CodeInternal:
		s.log.ErrorContext(r.Context(), "web: internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		message = "The forum could not answer this request. It has been logged; please try again in a moment."
	case forum.CodeUnavailable:
		if forum.ErrorCause(err) != nil { // as the API's fail says
			s.log.WarnContext(r.Context(), "web: unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		w.Header().Set("Retry-After", "1")
	case forum.CodeUnauthorized:
		if r.Method == http.MethodGet || r.Method == http.MethodHead {
			// A page for members only: sign in and come back.
			http.Redirect(w, r, view.SignInURL(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
	case "":
		message = "This address does not take a " + r.Method + " request."
	}
	httperr.SetRetryAfter(w, err) // when the error says, over the default above
	heading := headings[status]
	if heading == "" {
		heading = http.StatusText(status)
	}
	page := s.page(r, heading, nil)
	if err := s.render(w, r, status, view.ErrorPage(page, status, heading, capitalize(message))); err != nil {
		s.log.ErrorContext(r.Context(), "web: render error page", "err", err)
		http.Error(w, heading, status)
	}
}

// capitalize starts a sentence: the forum's messages start lower-case,
// fit to follow "error:" in a log or a CLI.
func capitalize(s string) string {
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		return string(s[0]-'a'+'A') + s[1:]
	}
	return s
}

// placeError puts an error a writer can correct beside the field it is
// about (or, when it is about none, returns it as the form's error); any
// other error is returned for an error page.
func placeError(err error, fields map[string]*view.Field) (formError string, _ error) {
	switch forum.ErrorCode(err) {
	case forum.CodeInvalid, forum.CodeTooLarge, forum.CodeConflict, forum.CodeForbidden:
	default:
		return "", err
	}
	message := capitalize(forum.ErrorMessage(err))
	if f, ok := fields[forum.ErrorField(err)]; ok {
		f.Error = message
		return "", nil
	}
	return message, nil
}
