package web

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/a-h/templ"

	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/params"
	"parley/internal/web/view"
)

// maxPageWindow is the largest window a board page shows; the API allows
// more, but a page of more than 100 full messages helps no reader.
const maxPageWindow = 100

// home is GET /: the boards.
func (s *server) home(w http.ResponseWriter, r *http.Request) error {
	boards, err := s.svc.Boards(r.Context())
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, view.Home(s.page(r, "", nil), boards))
}

// board is GET /b/{slug}: a window of the board, the newest by default;
// ?go=N jumps to message N.
func (s *server) board(w http.ResponseWriter, r *http.Request) error {
	q, err := params.Query(r.URL.RawQuery)
	if err != nil {
		return err
	}
	b, err := s.svc.Board(r.Context(), r.PathValue("slug"))
	if err != nil {
		return err
	}
	if _, ok := q["go"]; ok {
		return s.goTo(w, r, b, q)
	}
	pq, err := readPageQuery(q)
	if err != nil {
		return err
	}
	keep, query := onlyParams(q, "from", "before", "limit"), r.URL.RawQuery
	if keep {
		query = pq.encode()
	}
	if canonical(w, r, view.BoardURL(b.Slug), query) {
		return nil
	}
	return s.boardPage(w, r, b, keep, func() (templ.Component, error) {
		win, err := s.window(r, b, pq)
		if err != nil {
			return nil, err
		}
		return view.BoardPage(s.page(r, b.Title, b), win), nil
	})
}

// pageQuery is what a board page's query asks for: the window from or
// before a number, and its size when the reader chose one (0: the
// default).
type pageQuery struct {
	from, before int64
	limit        int
}

func readPageQuery(q url.Values) (pageQuery, error) {
	from, limit, err := params.Window(q, 0, maxPageWindow)
	if err != nil {
		return pageQuery{}, err
	}
	before, err := params.Number(q, "before")
	if err != nil {
		return pageQuery{}, err
	}
	pq := pageQuery{from: from, before: before, limit: limit}
	return pq, forum.CheckWindow(forum.Window{From: from, Before: before, Limit: max(limit, 1)})
}

// encode is the query as Parley writes it (view.WindowURL).
func (pq pageQuery) encode() string {
	q := url.Values{}
	if pq.from > 0 {
		q.Set("from", strconv.FormatInt(pq.from, 10))
	}
	if pq.before > 0 {
		q.Set("before", strconv.FormatInt(pq.before, 10))
	}
	if pq.limit > 0 {
		q.Set("limit", strconv.Itoa(pq.limit))
	}
	return q.Encode()
}

// window reads the window of board b that a board page's query asks for.
func (s *server) window(r *http.Request, b *forum.Board, pq pageQuery) (*view.Window, error) {
	limit := pq.limit
	if limit == 0 {
		limit = view.DefaultWindow
	}
	// Unlike the API, which answers an empty window there, a page says
	// that nothing is where the reader went.
	if pq.before == 1 {
		return nil, forum.Errorf(forum.CodeNotFound, "no message comes before message 1")
	}
	p, err := s.svc.MessagesOn(r.Context(), readerOf(r.Context()), b, forum.Window{From: pq.from, Before: pq.before, Limit: limit})
	if err != nil {
		return nil, err
	}
	if pq.from > b.LastNumber && pq.from > 1 {
		return nil, forum.Errorf(forum.CodeNotFound, "board %s has no message %d yet; its newest is %d", b.Slug, pq.from, b.LastNumber)
	}
	return &view.Window{Listing: p, Limit: pq.limit}, nil
}

// onlyParams reports whether q holds no parameter but those named.
func onlyParams(q url.Values, names ...string) bool {
	for name := range q {
		if !slices.Contains(names, name) {
			return false
		}
	}
	return true
}

// canonical answers a GET of a page at an address other than the one
// Parley writes for it — a number with leading zeros (/b/x/0001,
// ?from=001), an escaped slug, parameters in another order — with a
// permanent redirect to that one, and reports whether it did. Each page
// then has one address: one entry in the page cache, which anyone could
// otherwise flush with made-up spellings of the pages readers read.
func canonical(w http.ResponseWriter, r *http.Request, path, query string) bool {
	want := path
	if query != "" {
		want += "?" + query
	}
	if r.URL.RequestURI() == want {
		return false
	}
	http.Redirect(w, r, want, http.StatusMovedPermanently)
	return true
}

// goTo answers the "go to message #" box: the message's page, or the
// board with a word on what went wrong.
func (s *server) goTo(w http.ResponseWriter, r *http.Request, b *forum.Board, q url.Values) error {
	n, err := params.Number(q, "go")
	if err == nil && n <= b.LastNumber {
		return redirect(w, r, view.MessageURL(b.Slug, n))
	}
	win, werr := s.window(r, b, pageQuery{})
	if werr != nil {
		return werr
	}
	switch {
	case b.LastNumber == 0:
		win.GoError = "This board has no messages yet."
	default:
		win.GoError = fmt.Sprintf("There is no message %s here: this board has messages 1 to %d.", q.Get("go"), b.LastNumber)
	}
	return s.render(w, r, http.StatusNotFound, view.BoardPage(s.page(r, b.Title, b), win))
}

// post is POST /b/{slug}: a new message, or its preview.
func (s *server) post(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	form := view.Compose{Body: r.PostForm.Get("body")}
	if err := s.compose(r, &form); err != nil {
		return err
	}
	if form.Preview == "" && form.Error == "" {
		m, err := s.svc.Post(r.Context(), readerOf(r.Context()), slug, forum.NewMessage{Body: form.Body})
		if err == nil {
			return redirect(w, r, view.MessageURL(slug, m.Number))
		}
		if err = formError(err, &form); err != nil {
			return err
		}
	}
	b, err := s.svc.Board(r.Context(), slug)
	if err != nil {
		return err
	}
	win, err := s.window(r, b, pageQuery{})
	if err != nil {
		return err
	}
	win.Form = form
	return s.render(w, r, formStatus(form), view.BoardPage(s.page(r, win.Board.Title, win.Board), win))
}

// compose fills in the preview when the form asked for one.
func (s *server) compose(r *http.Request, form *view.Compose) error {
	if r.PostForm.Get("preview") == "" {
		return nil
	}
	html, err := s.svc.Preview(readerOf(r.Context()), form.Body)
	if err != nil {
		return formError(err, form)
	}
	form.Preview = html
	return nil
}

// formError puts what was wrong with a message beside its field, keeping
// the text: also when the writer's session ended while they wrote. Errors
// the writer cannot fix by editing are returned.
func formError(err error, form *view.Compose) error {
	if forum.ErrorCode(err) == forum.CodeUnauthorized {
		form.Error = "You are signed out, so this was not posted. Sign in (in another tab), then post it again: your text is kept here."
		form.SignedOut = true
		return nil
	}
	field := view.Field{}
	message, err := placeError(err, map[string]*view.Field{"body": &field})
	form.Error = field.Error + message
	return err
}

// formStatus is the status of a form page: 200, or the error's.
func formStatus(form view.Compose) int {
	switch {
	case form.SignedOut:
		return http.StatusUnauthorized
	case form.Error != "":
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// newBoardForm is GET /boards/new.
func (s *server) newBoardForm(w http.ResponseWriter, r *http.Request) error {
	if err := forum.Can(readerOf(r.Context()), forum.OpenBoard, forum.Target{}); err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, view.NewBoard(s.page(r, "Open a board", nil), view.Field{}, view.Field{}, view.Field{}, ""))
}

// newBoard is POST /boards/new.
func (s *server) newBoard(w http.ResponseWriter, r *http.Request) error {
	in := forum.NewBoard{Slug: r.PostForm.Get("slug"), Title: r.PostForm.Get("title"), Description: r.PostForm.Get("description")}
	b, err := s.svc.CreateBoard(r.Context(), readerOf(r.Context()), in)
	if err == nil {
		return redirect(w, r, view.BoardURL(b.Slug))
	}
	slug, title, desc := view.Field{Value: in.Slug}, view.Field{Value: in.Title}, view.Field{Value: in.Description}
	_, status := httperr.Status(err)
	formError, err := placeError(err, map[string]*view.Field{"slug": &slug, "title": &title, "description": &desc})
	if err != nil {
		return err
	}
	return s.render(w, r, status, view.NewBoard(s.page(r, "Open a board", nil), slug, title, desc, formError))
}
