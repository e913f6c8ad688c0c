// Package site puts Parley's handlers together at their addresses: the
// pages, the JSON API, the boards' event streams and the health check. The
// binary serves it, and tests mount it, so that both route alike.
package site

import (
	"io"
	"log/slog"
	"net/http"
	"net/netip"

	"parley/internal/api"
	"parley/internal/forum"
	"parley/internal/web"
)

// Site is every handler of the forum behind one ServeMux.
type Site struct {
	handler http.Handler
	api     *api.Handler
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
	mux := http.NewServeMux()
	s := &Site{handler: behindProxies(opt.TrustedProxies, mux), api: api.New(svc, log, opt.MaxStreams)}
	mux.Handle("/api/v1/", s.api)
	mux.Handle("GET /b/{slug}/events", s.api)
	mux.HandleFunc("GET /healthz", healthz)
	mux.Handle("/", web.New(svc, web.Options{SecureCookies: opt.SecureCookies, Log: log}))
	return s
}

func (s *Site) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// EndStreams ends the event streams, which would otherwise hold a
// graceful shutdown for ever; register it with http.Server.RegisterOnShutdown.
func (s *Site) EndStreams() { s.api.EndStreams() }

func healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}
