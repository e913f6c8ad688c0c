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
	"parley/internal/route"
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
	secure bool
	static *statics
	// csrf refuses state-changing requests sent by other sites' pages.
	csrf  *http.CrossOriginProtection
	cache *pageCache
	// release sets this build's pages apart in ETags, and started in
	// Last-Modified: a new binary may render a board that did not change
	// differently.
	release string
	started time.Time
}

// Pages is every page, as a route.Transport for the site to mount.
type Pages struct{ s *server }

// New returns the pages.
func New(svc *forum.Service, opt Options) *Pages {
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	return &Pages{&server{
		svc:     svc,
		log:     opt.Log,
		secure:  opt.SecureCookies,
		static:  loadStatics(),
		csrf:    http.NewCrossOriginProtection(),
		cache:   newPageCache(cacheBytes),
		release: release(),
		started: time.Now(),
	}}
}

// Routes lists every page.
func (p *Pages) Routes() []route.Route {
	s := p.s
	return []route.Route{
		s.pageRoute("GET", "/{$}", route.Anyone, s.home),
		s.pageRoute("GET", "/b/{slug}", route.Anyone, s.board),
		s.pageRoute("POST", "/b/{slug}", route.Member, s.post),
		s.pageRoute("GET", "/b/{slug}/{n}", route.Anyone, s.message),
		s.pageRoute("GET", "/b/{slug}/{n}/replies", route.Anyone, s.replies),
		s.pageRoute("GET", "/b/{slug}/{n}/thread", route.Anyone, s.thread),
		s.pageRoute("GET", "/b/{slug}/{n}/reply", route.Member, s.replyForm),
		s.pageRoute("POST", "/b/{slug}/{n}/reply", route.Member, s.reply),
		s.pageRoute("GET", "/boards/new", route.Member, s.newBoardForm),
		s.pageRoute("POST", "/boards/new", route.Member, s.newBoard),
		s.pageRoute("POST", "/preview", route.Member, s.preview),
		s.pageRoute("GET", "/u/{name}", route.Anyone, s.profile),
		s.pageRoute("GET", "/search", route.Anyone, s.search),

		s.pageRoute("GET", "/signin", route.Anyone, s.signInForm),
		s.pageRoute("POST", "/signin", route.Credentials, s.signIn),
		s.pageRoute("POST", "/signout", route.Anyone, s.signOut),
		s.pageRoute("GET", "/register", route.Anyone, s.registerForm),
		s.pageRoute("POST", "/register", route.Anyone, s.register),

		{Method: "GET", Path: "/static/{file}", Access: route.Anyone, Kind: route.Asset,
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				setSecurityHeaders(w.Header())
				s.static.ServeHTTP(w, r)
			})},
	}
}

// Unrouted answers a request no page takes with an error page.
func (p *Pages) Unrouted(w http.ResponseWriter, r *http.Request, status int) {
	s := p.s
	setSecurityHeaders(w.Header())
	if !strings.HasPrefix(r.URL.Path, "/static/") { // the same for every reader
		r = s.withReader(w, r)
	}
	if status == http.StatusMethodNotAllowed {
		s.fail(w, r, &statusError{status: status})
		return
	}
	s.fail(w, r, forum.Errorf(forum.CodeNotFound, "there is no page at this address"))
}

// Fail answers err with an error page.
func (p *Pages) Fail(w http.ResponseWriter, r *http.Request, err error) {
	setSecurityHeaders(w.Header())
	p.s.fail(w, r, err)
}

// handlerFunc is a page handler: it writes the page, or returns the error
// for s.fail to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// pageRoute is the route of a page handler: the security headers, the reader
// signed in, the refusal of other sites' forms, the form read, and the
// error page for what h returns.
func (s *server) pageRoute(method, path string, access route.Access, h handlerFunc) route.Route {
	return route.Route{Method: method, Path: path, Access: access, Kind: route.Page,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			setSecurityHeaders(w.Header())
			r = s.withReader(w, r)
			if s.csrf.Check(r) != nil {
				s.fail(w, r, forum.Errorf(forum.CodeForbidden, "this form was sent from another site; go back, reload the page and try again"))
				return
			}
			err := readForm(w, r)
			if err == nil {
				err = h(w, r)
			}
			if err != nil {
				s.fail(w, r, err)
			}
		})}
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
