// Package site puts Parley's handlers together at their addresses: the
// pages, the JSON API, the boards' event streams and the health check, in
// one route table on one ServeMux. The binary serves it, and tests mount
// it, so that both route alike.
package site

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"

	"parley/internal/api"
	"parley/internal/forum"
	"parley/internal/httperr"
	"parley/internal/route"
	"parley/internal/web"
)

// Site is every route of the forum behind one ServeMux.
type Site struct {
	handler http.Handler
	mux     *http.ServeMux
	log     *slog.Logger
	api     *api.Endpoints
	pages   *web.Pages
	routes  []route.Route
	// byPattern holds each route with its transport, which answers its
	// panics.
	byPattern map[string]mounted
}

type mounted struct {
	route.Route
	transport route.Transport
}

// Options say how the site is reached.
type Options struct {
	// SecureCookies marks the session cookie Secure (the forum is reached
	// over https).
	SecureCookies bool
	// TrustedProxies are the addresses of the load balancers or reverse
	// proxies in front of the forum, whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// MaxStreams bounds the event streams open at once
	// (api.DefaultMaxStreams when 0).
	MaxStreams int
}

// New returns the site of the forum svc serves.
func New(svc *forum.Service, log *slog.Logger, opt Options) *Site {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Site{
		mux:       http.NewServeMux(),
		log:       log,
		api:       api.New(svc, log, opt.MaxStreams),
		pages:     web.New(svc, web.Options{SecureCookies: opt.SecureCookies, Log: log}),
		byPattern: map[string]mounted{},
	}
	for _, t := range []route.Transport{s.pages, s.api} {
		for _, rt := range t.Routes() {
			s.add(rt, t)
		}
	}
	s.add(route.Route{Method: "GET", Path: "/healthz", Access: route.Anyone, Kind: route.Health,
		Handler: http.HandlerFunc(healthz)}, s.pages)
	s.handler = behindProxies(opt.TrustedProxies, http.HandlerFunc(s.serve))
	return s
}

// add registers rt, answered by t when it panics. ServeMux panics on a
// pattern registered twice: the table holds each route once.
func (s *Site) add(rt route.Route, t route.Transport) {
	s.mux.Handle(rt.Pattern(), rt.Handler)
	s.routes = append(s.routes, rt)
	s.byPattern[rt.Pattern()] = mounted{rt, t}
}

// Routes is the route table: every route the site serves, once.
func (s *Site) Routes() []route.Route { return slices.Clone(s.routes) }

// Match returns the route that serves r, if any.
func (s *Site) Match(r *http.Request) (route.Route, bool) {
	m, _, ok := s.lookup(r)
	return m.Route, ok
}

// lookup finds the route of r, with the handler the ServeMux gives for it
// (which answers an address no route takes).
func (s *Site) lookup(r *http.Request) (mounted, http.Handler, bool) {
	h, pattern := s.mux.Handler(r)
	m, ok := s.byPattern[pattern]
	return m, h, ok
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// serve is the one chain every request takes: a panic is answered as an
// internal error, a request no route takes as its transport answers them
// (JSON under /api/v1/, a page elsewhere), and the rest by their route.
func (s *Site) serve(w http.ResponseWriter, r *http.Request) {
	m, h, ok := s.lookup(r)
	t := m.transport
	if !ok {
		t = s.pages
		if r.URL.Path == "/api/v1" || strings.HasPrefix(r.URL.Path, "/api/v1/") {
			t = s.api
		}
	}
	defer httperr.Recover(s.log, r, func() { t.Fail(w, r, errors.New("panic")) })
	if !ok {
		httperr.Unrouted(w, r, h, func(status int) { t.Unrouted(w, r, status) })
		return
	}
	s.mux.ServeHTTP(w, r)
}

// EndStreams ends the event streams, which would otherwise hold a
// graceful shutdown for ever; register it with http.Server.RegisterOnShutdown.
func (s *Site) EndStreams() { s.api.EndStreams() }

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}
