package web

import (
	"net/http"

	"github.com/a-h/templ"

	"parley/internal/forum"
	"parley/internal/params"
	"parley/internal/web/view"
)

// repliesShown is how many replies a message page lists under it.
const repliesShown = 25

// message is GET /b/{slug}/{n}: one message with its header, previous and
// next, and its first replies.
func (s *server) message(w http.ResponseWriter, r *http.Request) error {
	b, n, err := s.messageBoard(r)
	if err != nil {
		return err
	}
	if canonical(w, r, view.MessageURL(b.Slug, n), r.URL.RawQuery) {
		return nil
	}
	return s.boardPage(w, r, b, r.URL.RawQuery == "", func() (templ.Component, error) {
		m, err := s.svc.MessageOn(r.Context(), readerOf(r.Context()), b, n)
		if err != nil {
			return nil, err
		}
		mp := &view.MessagePage{Board: b, Message: m}
		if m.ReplyCount > 0 {
			var next int64
			if mp.Replies, next, err = s.svc.RepliesOn(r.Context(), readerOf(r.Context()), b, m.Number, 0, repliesShown); err != nil {
				return nil, err
			}
			mp.More = next > 0
		}
		return view.Message(s.page(r, messageTitle(b, m), b), mp), nil
	})
}

// messageNumber is the message number a path names; anything else names
// no message.
func messageNumber(r *http.Request) (int64, error) {
	n, err := params.Positive("message number", r.PathValue("n"))
	if err != nil {
		return 0, forum.Errorf(forum.CodeNotFound, "there is no message %q", r.PathValue("n"))
	}
	return n, nil
}

// messageBoard reads the board a path names, and the message number it
// names there.
func (s *server) messageBoard(r *http.Request) (*forum.Board, int64, error) {
	n, err := messageNumber(r)
	if err != nil {
		return nil, 0, err
	}
	b, err := s.svc.Board(r.Context(), r.PathValue("slug"))
	return b, n, err
}

// boardMessage reads the board and the message a path names, the board
// once.
func (s *server) boardMessage(r *http.Request) (*forum.Board, *forum.Message, error) {
	b, n, err := s.messageBoard(r)
	if err != nil {
		return nil, nil, err
	}
	m, err := s.svc.MessageOn(r.Context(), readerOf(r.Context()), b, n)
	if err != nil {
		return nil, nil, err
	}
	return b, m, nil
}

func messageTitle(b *forum.Board, m *forum.Message) string {
	return b.Title + " — " + view.Num(m.Number) + " by " + m.Author
}

// replies is GET /b/{slug}/{n}/replies: the direct replies, in full.
func (s *server) replies(w http.ResponseWriter, r *http.Request) error {
	b, m, err := s.boardMessage(r)
	if err != nil {
		return err
	}
	q, err := params.Query(r.URL.RawQuery)
	if err != nil {
		return err
	}
	from, limit, err := params.Window(q, view.DefaultWindow, maxPageWindow)
	if err != nil {
		return err
	}
	query := r.URL.RawQuery
	if onlyParams(q, "from", "limit") {
		pq := pageQuery{from: from}
		if _, given := q["limit"]; given {
			pq.limit = limit
		}
		query = pq.encode()
	}
	if canonical(w, r, view.RepliesURL(b.Slug, m.Number), query) {
		return nil
	}
	msgs, next, err := s.svc.RepliesOn(r.Context(), readerOf(r.Context()), b, m.Number, from, limit)
	if err != nil {
		return err
	}
	rp := &view.RepliesPage{Board: b, Message: m, Replies: msgs, Next: next}
	return s.render(w, r, http.StatusOK, view.Replies(s.page(r, "Replies to "+view.Num(m.Number), b), rp))
}

// thread is GET /b/{slug}/{n}/thread: the reply tree holding n.
func (s *server) thread(w http.ResponseWriter, r *http.Request) error {
	n, err := messageNumber(r)
	if err != nil {
		return err
	}
	slug := r.PathValue("slug")
	if forum.ValidateSlug(slug) == nil && canonical(w, r, view.ThreadURL(slug, n), r.URL.RawQuery) {
		return nil
	}
	t, err := s.svc.Thread(r.Context(), readerOf(r.Context()), slug, n)
	if err != nil {
		return err
	}
	return s.render(w, r, http.StatusOK, view.ThreadPage(s.page(r, "Thread of "+view.Num(n), t.Board), t))
}

// replyForm is GET /b/{slug}/{n}/reply; ?quote=1 starts the reply with
// the message quoted, for readers without JavaScript.
func (s *server) replyForm(w http.ResponseWriter, r *http.Request) error {
	if err := forum.Can(readerOf(r.Context()), forum.ReplyMessage, forum.Target{}); err != nil {
		return err
	}
	b, m, err := s.boardMessage(r)
	if err != nil {
		return err
	}
	if canonical(w, r, view.ReplyURL(b.Slug, m.Number), r.URL.RawQuery) {
		return nil
	}
	rp := &view.ReplyPage{Board: b, Message: m}
	if r.URL.Query().Get("quote") != "" && m.Removed == forum.NotRemoved {
		rp.Form.Body = view.Quote(m)
	}
	return s.render(w, r, http.StatusOK, view.Reply(s.page(r, "Reply to "+view.Num(m.Number), b), rp))
}

// reply is POST /b/{slug}/{n}/reply: post the reply and show it, or show
// its preview or what was wrong with it. Posting reads the board itself;
// the page around the form is read only when it is shown.
func (s *server) reply(w http.ResponseWriter, r *http.Request) error {
	n, err := messageNumber(r)
	if err != nil {
		return err
	}
	form := view.Compose{Body: r.PostForm.Get("body")}
	if err := s.compose(r, &form); err != nil {
		return err
	}
	var postErr error
	if form.Preview == "" && form.Error == "" {
		slug := r.PathValue("slug")
		posted, err := s.svc.Post(r.Context(), readerOf(r.Context()), slug, forum.NewMessage{Body: form.Body, ReplyTo: n})
		if err == nil {
			return redirect(w, r, view.MessageURL(slug, posted.Number))
		}
		postErr = err
	}
	// A missing board or message is the page's error, not the form's.
	b, m, err := s.boardMessage(r)
	if err != nil {
		return err
	}
	if postErr != nil {
		if err := formError(postErr, &form); err != nil {
			return err
		}
	}
	rp := &view.ReplyPage{Board: b, Message: m, Form: form}
	return s.render(w, r, formStatus(rp.Form), view.Reply(s.page(r, "Reply to "+view.Num(m.Number), b), rp))
}
