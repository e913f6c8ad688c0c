// Package web serves Parley's HTML pages. Handlers parse a request, call
// the forum.Service and render a page from package view; every rule lives
// in the Service, and every error is answered by errors.go. The pages work
// without JavaScript; the small script in static/ makes them quicker.
package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/a-h/templ"

	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/web/view"
)

// Options configure the pages.
type Options struct {
	// SecureCookies marks the session cookie Secure; set it whenever the
	// forum is reached over https.
	SecureCookies bool
	Log           *slog.Logger
}

type server struct {
	svc    *forum.Service
	log    *slog.Logger
	mux    *http.ServeMux
	secure bool
	static *statics
	// routed is the mux behind the check that refuses state-changing
	// requests sent by other sites' pages.
	routed http.Handler
	cache  *pageCache
	// release sets this build's pages apart in ETags, and started in
	// Last-Modified: a new binary may render a board that did not change
	// differently.
	release string
	started time.Time
}

// New returns the handler of every page.
func New(svc *forum.Service, opt Options) http.Handler {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	s := &server{
		svc:     svc,
		log:     opt.Log,
		mux:     http.NewServeMux(),
		secure:  opt.SecureCookies,
		static:  loadStatics(),
		cache:   newPageCache(cacheBytes),
		release: release(),
		started: time.Now(),
	}
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fail(w, r, forum.Errorf(forum.CodeForbidden, "this form was sent from another site; go back, reload the page and try again"))
	}))
	s.routes()
	s.routed = csrf.Handler(s.mux)
	return s
}

func (s *server) routes() {
	s.handle("GET /{$}", s.home)
	s.handle("GET /b/{slug}", s.board)
	s.handle("POST /b/{slug}", s.post)
	s.handle("GET /b/{slug}/{n}", s.message)
	s.handle("GET /b/{slug}/{n}/replies", s.replies)
	s.handle("GET /b/{slug}/{n}/thread", s.thread)
	s.handle("GET /b/{slug}/{n}/reply", s.replyForm)
	s.handle("POST /b/{slug}/{n}/reply", s.reply)
	s.handle("GET /boards/new", s.newBoardForm)
	s.handle("POST /boards/new", s.newBoard)
	s.handle("POST /preview", s.preview)
	s.handle("GET /u/{name}", s.profile)
	s.handle("GET /search", s.search)

	s.handle("GET /signin", s.signInForm)
	s.handle("POST /signin", s.signIn)
	s.handle("POST /signout", s.signOut)
	s.handle("GET /register", s.registerForm)
	s.handle("POST /register", s.register)

	s.mux.Handle("GET /static/{file}", s.static)
}

// handlerFunc is a page handler: it writes the page, or returns the error
// for s.fail to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		err := readForm(w, r)
		if err == nil {
			err = h(w, r)
		}
		if err != nil {
			s.fail(w, r, err)
		}
	})
}

// maxForm bounds a form post: a message's 64 KiB of Markdown, escaped
// for the form, with room to spare.
const maxForm = 1 << 20

// readForm parses a posted form into r.PostForm, refusing one too large.
// Handlers read r.PostForm only: r.FormValue would also take multipart
// bodies, buffering up to 32 MiB.
func readForm(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodPost {
		return nil
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	if err := r.ParseForm(); err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return forum.Errorf(forum.CodeTooLarge, "the form is larger than %d KiB", maxForm>>10)
		}
		return forum.Errorf(forum.CodeInvalid, "the form could not be read")
	}
	return nil
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setSecurityHeaders(w.Header())
	defer httperr.Recover(s.log, r, func() { s.fail(w, r, errors.New("panic")) })
	if !strings.HasPrefix(r.URL.Path, "/static/") { // the same for every reader
		r = s.withReader(w, r)
	}
	// ServeMux answers an unknown path or method in plain text; readers
	// get a page.
	if h, pattern := s.mux.Handler(r); pattern == "" {
		httperr.Unrouted(w, r, h, func(status int) {
			if status == http.StatusMethodNotAllowed {
				s.fail(w, r, &statusError{status: status})
				return
			}
			s.fail(w, r, forum.Errorf(forum.CodeNotFound, "there is no page at this address"))
		})
		return
	}
	s.routed.ServeHTTP(w, r)
}

// setSecurityHeaders keeps pages from running any script but Parley's own
// file, from loading anything foreign, and from being framed.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "+
		"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; object-src 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
}

// page returns the frame of a page for this request.
func (s *server) page(r *http.Request, title string, b *forum.Board) view.Page {
	return view.Page{
		Title:  title,
		User:   readerOf(r.Context()),
		Board:  b,
		Path:   r.URL.RequestURI(),
		Assets: s.static.assets,
	}
}

var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// render writes a page whole: rendered into a buffer first, so that an
// error while rendering becomes an error page, not half a page.
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			buffers.Put(buf)
		}
	}()
	if err := c.Render(r.Context(), buf); err != nil {
		return fmt.Errorf("render %s: %w", r.URL.Path, err)
	}
	s.send(w, r, status, buf.Bytes())
	return nil
}

// send writes a rendered page. Pages are never stored by browsers or
// proxies without asking again; a signed-in reader's are theirs alone.
func (s *server) send(w http.ResponseWriter, r *http.Request, status int, page []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if readerOf(r.Context()) != nil {
		h.Set("Cache-Control", "private, no-cache")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	w.WriteHeader(status)
	if _, err := w.Write(page); err != nil {
		// The client went away; nothing more can be said to it.
		s.log.DebugContext(r.Context(), "web: write", "path", r.URL.Path, "err", err)
	}
}

// redirect answers a form post with the page to see next (post/redirect/get).
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// readerKey holds the signed-in reader in a request's context.
type readerKey struct{}

func readerOf(ctx context.Context) *forum.User {
	u, _ := ctx.Value(readerKey{}).(*forum.User)
	return u
}
