// Package site puts Parley's handlers together at their addresses: the
// pages, the JSON API, the boards' event streams and the health check. The
// binary serves it, and tests mount it, so that both route alike.
package site

import (
	"io"
	"log/slog"
	"net/http"

	"parley/internal/api"
	"parley/internal/forum"
	"parley/internal/web"
)

// Site is every handler of the forum behind one ServeMux.
type Site struct {
	mux *http.ServeMux
	api *api.Handler
}

// New returns the site of the forum svc serves. secureCookies marks the
// session cookie Secure (the forum is reached over https).
func New(svc *forum.Service, log *slog.Logger, secureCookies bool) *Site {
	s := &Site{mux: http.NewServeMux(), api: api.New(svc, log)}
	s.mux.Handle("/api/v1/", s.api)
	s.mux.Handle("GET /b/{slug}/events", s.api)
	s.mux.HandleFunc("GET /healthz", healthz)
	s.mux.Handle("/", web.New(svc, web.Options{SecureCookies: secureCookies, Log: log}))
	return s
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// EndStreams ends the event streams, which would otherwise hold a
// graceful shutdown for ever; register it with http.Server.RegisterOnShutdown.
func (s *Site) EndStreams() { s.api.EndStreams() }

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}
