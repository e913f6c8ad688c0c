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
	"parley/internal/route"
)

// server is the API: thin handlers over the Service.
type server struct {
	svc *forum.Service
	log *slog.Logger
	// streamsDone ends every event stream when it is closed.
	streamsDone chan struct{}
	streams     streamCount
	endStreams  sync.Once
	// crossOrigin tells requests that browsers sent from other sites'
	// pages.
	crossOrigin *http.CrossOriginProtection
}

// Endpoints is the JSON API under /api/v1/ and the boards' event streams at
// /b/{slug}/events, as a route.Transport for the site to mount.
type Endpoints struct{ s *server }

// DefaultMaxStreams is how many event streams the API holds open at once
// when New is given no bound.
const DefaultMaxStreams = 10_000

// New returns the API, holding at most maxStreams event streams open at
// once (DefaultMaxStreams when not positive).
func New(svc *forum.Service, log *slog.Logger, maxStreams int) *Endpoints {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if maxStreams <= 0 {
		maxStreams = DefaultMaxStreams
	}
	return &Endpoints{&server{svc: svc, log: log, streamsDone: make(chan struct{}),
		crossOrigin: http.NewCrossOriginProtection(), streams: streamCount{max: maxStreams}}}
}

// EndStreams ends the event streams, which would otherwise keep a
// graceful shutdown waiting for ever. Clients reconnect elsewhere.
func (h *Endpoints) EndStreams() {
	h.s.endStreams.Do(func() { close(h.s.streamsDone) })
}

// Routes lists every endpoint.
func (h *Endpoints) Routes() []route.Route {
	s := h.s
	return []route.Route{
		s.route("POST", "/api/v1/users", route.Anyone, s.register),

		s.route("POST", "/api/v1/tokens", route.Credentials, s.createToken),
		s.route("GET", "/api/v1/tokens", route.Member, s.authed(s.listTokens)),
		s.route("DELETE", "/api/v1/tokens/{id}", route.Member, s.authed(s.revokeToken)),

		s.route("GET", "/api/v1/boards", route.Anyone, s.listBoards),
		s.route("POST", "/api/v1/boards", route.Member, s.authed(s.createBoard)),
		s.route("GET", "/api/v1/boards/{slug}", route.Anyone, s.getBoard),

		s.route("GET", "/api/v1/boards/{slug}/messages", route.Anyone, s.listMessages),
		s.route("POST", "/api/v1/boards/{slug}/messages", route.Member, s.authed(s.postMessage)),
		s.route("GET", "/api/v1/boards/{slug}/messages/{n}", route.Anyone, s.getMessage),
		s.route("DELETE", "/api/v1/boards/{slug}/messages/{n}", route.Member, s.authed(s.removeMessage)),
		s.route("GET", "/api/v1/boards/{slug}/messages/{n}/replies", route.Anyone, s.listReplies),

		s.route("GET", "/api/v1/search", route.Anyone, s.search),

		s.route("GET", eventsPath, route.Anyone, s.events),
	}
}

// eventsPath is the route of the boards' event streams.
const eventsPath = "/b/{slug}/events"

// Unrouted answers a request no endpoint takes, in JSON.
func (h *Endpoints) Unrouted(w http.ResponseWriter, r *http.Request, status int) {
	noStore(w, r)
	if status == http.StatusMethodNotAllowed {
		h.s.writeError(w, r, status, codeMethodNotAllowed, fmt.Sprintf("method %s is not allowed on %s; allowed: %s",
			r.Method, r.URL.Path, w.Header().Get("Allow")))
		return
	}
	h.s.writeError(w, r, status, string(forum.CodeNotFound), fmt.Sprintf("no API endpoint %s", r.URL.Path))
}

// Fail answers an error that no handler returned (a panic) as internal.
func (h *Endpoints) Fail(w http.ResponseWriter, r *http.Request, err error) {
	noStore(w, r)
	h.s.writeError(w, r, http.StatusInternalServerError, string(forum.CodeInternal), "internal error")
}

// noStore keeps answers to a member, or that change something, from a
// browser's or a proxy's cache.
func noStore(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead || len(r.Header.Values("Authorization")) > 0 {
		w.Header().Set("Cache-Control", "no-store")
	}
}

// handlerFunc is an API handler: it writes its answer on success and
// returns the error otherwise, for s.fail to answer.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// route is the route of an API handler: no-store where it must, the
// refusal of what other sites' pages send, and the JSON error for what h
// returns.
func (s *server) route(method, path string, access route.Access, h handlerFunc) route.Route {
	kind := route.API
	if path == eventsPath {
		kind = route.Stream
	}
	return route.Route{Method: method, Path: path, Access: access, Kind: kind,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			noStore(w, r)
			if err := s.admit(r, kind); err != nil {
				s.fail(w, r, err)
				return
			}
			if err := h(w, r); err != nil {
				s.fail(w, r, err)
			}
		})}
}

// admit refuses what a browser sends from another site's page: the API
// authenticates by bearer token, which such a page cannot send, but it
// could register accounts, make its visitors' browsers guess passwords,
// or hold event streams open in their name. A request that changes
// something is refused when the browser says it comes from elsewhere
// (Sec-Fetch-Site, or an Origin other than the host), and must say it is
// JSON, which no HTML form can send; clients other than browsers send
// neither header and pass. An event stream is refused from elsewhere too.
func (s *server) admit(r *http.Request, kind route.Kind) error {
	check := r
	if kind == route.Stream {
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
