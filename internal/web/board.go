package web

import (
	"fmt"
	"net/http"
	"net/url"

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
	keep := true
	for name := range q {
		keep = keep && (name == "from" || name == "before" || name == "limit")
	}
	return s.boardPage(w, r, b, keep, func() (templ.Component, error) {
		win, err := s.window(r, b, q)
		if err != nil {
			return nil, err
		}
		return view.BoardPage(s.page(r, b.Title, b), win), nil
	})
}

// window reads the window of board b that a board page's query asks for.
func (s *server) window(r *http.Request, b *forum.Board, q url.Values) (*view.Window, error) {
	from, limit, err := params.Window(q, view.DefaultWindow, maxPageWindow)
	if err != nil {
		return nil, err
	}
	before, err := params.Number(q, "before")
	if err != nil {
		return nil, err
	}
	// Unlike the API, which answers an empty window there, a page says
	// that nothing is where the reader went.
	if before == 1 {
		return nil, forum.Errorf(forum.CodeNotFound, "no message comes before message 1")
	}
	p, err := s.svc.MessagesOn(r.Context(), b, forum.Window{From: from, Before: before, Limit: limit})
	if err != nil {
		return nil, err
	}
	if from > b.LastNumber && from > 1 {
		return nil, forum.Errorf(forum.CodeNotFound, "board %s has no message %d yet; its newest is %d", b.Slug, from, b.LastNumber)
	}
	win := &view.Window{Page: p}
	if _, ok := q["limit"]; ok {
		win.Limit = limit
	}
	return win, nil
}

// goTo answers the "go to message #" box: the message's page, or the
// board with a word on what went wrong.
func (s *server) goTo(w http.ResponseWriter, r *http.Request, b *forum.Board, q url.Values) error {
	n, err := params.Number(q, "go")
	if err == nil && n <= b.LastNumber {
		return redirect(w, r, view.MessageURL(b.Slug, n))
	}
	win, werr := s.window(r, b, url.Values{})
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
	win, err := s.window(r, b, url.Values{})
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
	if readerOf(r.Context()) == nil {
		return forum.Errorf(forum.CodeUnauthorized, "sign in to open a board")
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
