package web

import (
	"net/http"
	"net/url"
	"strings"

	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/params"
	"parley/internal/web/view"
)

// search is GET /search: the form, and with q (or a filter) the results.
// The form's filter fields are the operators of the query language, added
// to the words; a query that cannot run is answered 400 with the form and
// the reason, so that the reader can mend it.
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Query(r.URL.RawQuery)
	if err != nil {
		return err
	}
	var form view.SearchForm
	var cursor string
	for name, dst := range map[string]*string{"q": &form.Q, "board": &form.Board, "author": &form.Author,
		"after": &form.After, "before": &form.Before, "sort": &form.Sort, "cursor": &cursor} {
		if *dst, _, err = params.Single(q, name); err != nil {
			return err
		}
	}
	v := view.SearchView{Form: form}
	var scope *forum.Board
	if form.Board != "" {
		scope = &forum.Board{Slug: form.Board}
	}
	title := "Search"
	if form.Q != "" {
		title = "Search: " + form.Q
	}
	query := searchQuery(form)
	if strings.TrimSpace(query) == "" {
		return s.render(w, r, http.StatusOK, view.SearchPage(s.page(r, title, scope), v))
	}
	res, err := s.svc.Search(r.Context(), readerOf(r.Context()), forum.SearchRequest{Query: query, Sort: forum.SearchSort(form.Sort), Cursor: cursor})
	// A query the forum cannot run, or stopped (no cause: its own
	// refusal, not a failing database), is shown with the form, so that
	// the reader can mend or narrow it.
	code, status := httperr.Status(err)
	if code == forum.CodeInvalid || code == forum.CodeUnavailable && forum.ErrorCause(err) == nil {
		httperr.SetRetryAfter(w, err)
		v.Error = forum.ErrorMessage(err)
		return s.render(w, r, status, view.SearchPage(s.page(r, title, scope), v))
	}
	if err != nil {
		return err
	}
	v.Result = res
	if res.Next != "" {
		v.NextURL = searchURL(form, res.Next)
	}
	if form.Board != "" {
		wide := form
		wide.Board = ""
		v.AllBoardsURL = searchURL(wide, "")
	}
	return s.render(w, r, http.StatusOK, view.SearchPage(s.page(r, title, scope), v))
}

// searchQuery is the query the form asks: its words, then an operator for
// each filter field set, as the reader could have typed them.
func searchQuery(f view.SearchForm) string {
	parts := []string{f.Q}
	for _, filter := range []struct{ op, value string }{
		{"board", f.Board}, {"author", f.Author}, {"after", f.After}, {"before", f.Before},
	} {
		if v := strings.TrimSpace(filter.value); v != "" {
			parts = append(parts, filter.op+":"+v)
		}
	}
	return strings.Join(parts, " ")
}

// searchURL is the search page for the form, at cursor.
func searchURL(f view.SearchForm, cursor string) string {
	q := url.Values{}
	for name, v := range map[string]string{"q": f.Q, "board": f.Board, "author": f.Author,
		"after": f.After, "before": f.Before, "sort": f.Sort, "cursor": cursor} {
		if v != "" {
			q.Set(name, v)
		}
	}
	return "/search?" + q.Encode()
}
