// Package api serves Parley's JSON API v1 under /api/v1/. Handlers only
// parse a request, call the forum.Service and encode its answer: every rule
// lives in the Service, and every error is answered by errors.go.
package api

import (
	"fmt"
	"log/slog"
	"mime"
	"net/http"
	"sync"

	"parley/internal/forum"
	"parley/internal/httperr"
)

// server is the API: a ServeMux of thin handlers over the Service.
type server struct {
	svc *forum.Service
	log *slog.Logger
	mux *http.ServeMux
	// streamsDone ends every event stream when it is closed.
	streamsDone chan struct{}
	streams     streamCount
	endStreams  sync.Once
	// crossOrigin tells requests that browsers sent from other sites'
	// pages.
	crossOrigin *http.CrossOriginProtection
}

// Handler serves the JSON API under /api/v1/ and the boards' event streams
// at /b/{slug}/events.
type Handler struct{ s *server }

// DefaultMaxStreams is how many event streams the API holds open at once
// when New is given no bound.
const DefaultMaxStreams = 10_000

// New returns the API's handler, holding at most maxStreams event streams
// open at once (DefaultMaxStreams when not positive).
func New(svc *forum.Service, log *slog.Logger, maxStreams int) *Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if maxStreams <= 0 {
		maxStreams = DefaultMaxStreams
	}
	s := &server{svc: svc, log: log, mux: http.NewServeMux(), streamsDone: make(chan struct{}),
		crossOrigin: http.NewCrossOriginProtection(), streams: streamCount{max: maxStreams}}
	s.routes()
	return &Handler{s}
}

func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) { h.s.ServeHTTP(w, r) }

// EndStreams ends the event streams, which would otherwise keep a
// graceful shutdown waiting for ever. Clients reconnect elsewhere.
func (h *Handler) EndStreams() {
	h.s.endStreams.Do(func() { close(h.s.streamsDone) })
}

func (s *server) routes() {
	s.handle("POST /api/v1/users", s.register)

	s.handle("POST /api/v1/tokens", s.createToken)
	s.handle("GET /api/v1/tokens", s.authed(s.listTokens))
	s.handle("DELETE /api/v1/tokens/{id}", s.authed(s.revokeToken))

	s.handle("GET /api/v1/boards", s.listBoards)
	s.handle("POST /api/v1/boards", s.authed(s.createBoard))
	s.handle("GET /api/v1/boards/{slug}", s.getBoard)

	s.handle("GET /api/v1/boards/{slug}/messages", s.listMessages)
	s.handle("POST /api/v1/boards/{slug}/messages", s.authed(s.postMessage))
	s.handle("GET /api/v1/boards/{slug}/messages/{n}", s.getMessage)
	s.handle("DELETE /api/v1/boards/{slug}/messages/{n}", s.authed(s.removeMessage))
	s.handle("GET /api/v1/boards/{slug}/messages/{n}/replies", s.listReplies)

	s.handle("GET /api/v1/search", s.search)

	s.handle(eventsPattern, s.events)
}

// eventsPattern is the route of the boards' event streams.
const eventsPattern = "GET /b/{slug}/events"

// handlerFunc is an API handler: it writes its answer on success and
// returns the error otherwise, for s.fail to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *server) handle(pattern string, h handlerFunc) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Answers to a member, or that change something, must not be kept by
	// a browser or a proxy.
	if r.Method != http.MethodGet && r.Method != http.MethodHead || len(r.Header.Values("Authorization")) > 0 {
		w.Header().Set("Cache-Control", "no-store")
	}
	defer httperr.Recover(s.log, r, func() {
		s.writeError(w, r, http.StatusInternalServerError, string(forum.CodeInternal), "internal error")
	})

	// ServeMux answers an unknown path or method itself, in plain text;
	// the API answers everything in JSON.
	h, pattern := s.mux.Handler(r)
	if pattern == "" {
		httperr.Unrouted(w, r, h, func(status int) {
			if status == http.StatusMethodNotAllowed {
				s.writeError(w, r, status, codeMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; allowed: %s",
					r.Method, r.URL.Path, w.Header().Get("Allow")))
				return
			}
			s.writeError(w, r, status, string(forum.CodeNotFound), fmt.Sprintf("no API endpoint %s", r.URL.Path))
		})
		return
	}
	if err := s.admit(r, pattern); err != nil {
		s.fail(w, r, err)
		return
	}
	s.mux.ServeHTTP(w, r)
}

// admit refuses what a browser sends from another site's page: the API
// authenticates by bearer token, which such a page cannot send, but it
// could register accounts, make its visitors' browsers guess passwords,
// or hold event streams open in their name. A request that changes
// something is refused when the browser says it comes from elsewhere
// (Sec-Fetch-Site, or an Origin other than the host), and must say it is
// JSON, which no HTML form can send; clients other than browsers send
// neither header and pass. An event stream is refused from elsewhere too.
func (s *server) admit(r *http.Request, pattern string) error {
	check := r
	if pattern == eventsPattern {
		// The same test as for a change: CrossOriginProtection passes
		// every GET.
		check = r.WithContext(r.Context())
		check.Method = http.MethodPost
	}
	if s.crossOrigin.Check(check) != nil {
		return forum.Errorf(forum.CodeForbidden, "this request came from another site's page: the forum takes changes and event streams only from its own pages and from clients that are not browsers")
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch:
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return &statusError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMediaType,
				message: fmt.Sprintf("a %s request must send its body as Content-Type: application/json", r.Method)}
		}
	}
	return nil
}
