package web

import (
	"io"
	"net/http"

	"parley/internal/forum"
	"parley/internal/httperr"
)

// preview is POST /preview: a draft's body rendered as it would be shown,
// for the live preview of the script. Readers without the script preview
// through the form's own Preview button.
func (s *server) preview(w http.ResponseWriter, r *http.Request) error {
	html, err := s.svc.Preview(readerOf(r.Context()), r.PostForm.Get("body"))
	if err != nil {
		// The script shows the sentence where the preview would be.
		code, status := httperr.Status(err)
		if code == forum.CodeInternal {
			return err
		}
		httperr.SetRetryAfter(w, err)
		http.Error(w, capitalize(forum.ErrorMessage(err)), status)
		return nil
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, err = io.WriteString(w, html)
	return err
}
