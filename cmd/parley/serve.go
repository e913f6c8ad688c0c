package main

import (
	"context"
	"errors"
	"fmt"
	"go/version"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"time"

	"parley/internal/forum"
	"parley/internal/site"
)

// serveConfig is the configuration of `parley serve`.
type serveConfig struct {
	DB                 string
	Addr               string
	RegistrationClosed bool
	// SecureCookies is set when the address readers use (--base-url) is
	// https.
	SecureCookies bool
	// TrustedProxies are the load balancers whose X-Forwarded-For is
	// believed.
	TrustedProxies []netip.Prefix
	// ShutdownTimeout bounds how long requests in flight may take to
	// finish once a shutdown has begun.
	ShutdownTimeout time.Duration
	// MaxStreams bounds the event streams open at once.
	MaxStreams int
	// SearchTimeout bounds one search.
	SearchTimeout time.Duration
}

const serveSynopsis = "parley serve [--addr 127.0.0.1:8080] [--db FILE|URL] [--registration open|closed] [--base-url URL] [--trusted-proxies CIDR,…] [--shutdown-timeout 10s] [--max-streams N] [--search-timeout 500ms]"

func parseServe(args []string, getenv env) (serveConfig, error) {
	var cfg serveConfig
	fs := newFlagSet("serve")
	fs.StringVar(&cfg.Addr, "addr", "127.0.0.1:8080", "the `host:port` to listen on; port 0 picks a free port (see the log)")
	registration := "open"
	fs.StringVar(&registration, "registration", registration, "whether anyone may sign up through the API: `open` or closed")
	var baseURL string
	fs.StringVar(&baseURL, "base-url", "", "the `URL` readers reach the forum at, such as https://forum.example.com; https marks the session cookie Secure")
	var proxies string
	fs.StringVar(&proxies, "trusted-proxies", "", "comma-separated `addresses` or CIDR ranges of the reverse proxies in front of the forum, such as 127.0.0.1 or 10.0.0.0/8; their X-Forwarded-For names the client")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 10*time.Second,
		"how long requests in flight may take to finish after SIGTERM; connections still busy then (a slow upload) are closed")
	fs.IntVar(&cfg.MaxStreams, "max-streams", 0,
		"the most event streams (live updates of open pages) held open at once; 0 sizes it from memory: a quarter of it at 64 KiB a stream")
	fs.DurationVar(&cfg.SearchTimeout, "search-timeout", forum.DefaultSearchTimeout,
		"how long one search may take, waiting for its turn included, before it is stopped and answered 503")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, serveSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if len(cl.args) > 0 {
		return cfg, usageErrorf("serve: unexpected argument %q", cl.args[0])
	}
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return cfg, usageErrorf("serve: %s must be host:port, such as 127.0.0.1:8080, not %q", cl.origin("addr"), cfg.Addr)
	}
	if baseURL != "" {
		u, err := url.Parse(baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return cfg, usageErrorf("serve: %s must be an http or https URL such as https://forum.example.com, not %q", cl.origin("base-url"), baseURL)
		}
		cfg.SecureCookies = u.Scheme == "https" // url.Parse lowercases it
	}
	switch {
	case cfg.MaxStreams < 0:
		return cfg, usageErrorf("serve: %s must be 0 (sized from memory) or more, not %d", cl.origin("max-streams"), cfg.MaxStreams)
	case cfg.MaxStreams == 0:
		cfg.MaxStreams = defaultMaxStreams()
	}
	if cfg.SearchTimeout <= 0 {
		return cfg, usageErrorf("serve: %s must be a positive duration such as 500ms, not %v", cl.origin("search-timeout"), cfg.SearchTimeout)
	}
	if cfg.ShutdownTimeout <= 0 {
		return cfg, usageErrorf("serve: %s must be a positive duration such as 10s, not %v", cl.origin("shutdown-timeout"), cfg.ShutdownTimeout)
	}
	if cfg.TrustedProxies, err = parsePrefixes(proxies); err != nil {
		return cfg, usageErrorf("serve: %s: %v", cl.origin("trusted-proxies"), err)
	}
	switch registration {
	case "open":
	case "closed":
		cfg.RegistrationClosed = true
	default:
		return cfg, usageErrorf("serve: %s must be open or closed, not %q", cl.origin("registration"), registration)
	}
	return cfg, checkDB(cl, cfg.DB)
}

// safeGo is the oldest Go release whose standard library has none of the
// vulnerabilities that govulncheck finds reachable from Parley: go.mod's
// toolchain line (TestSafeGo keeps the two equal).
const safeGo = "go1.27.3"

// serve runs the server until ctx is cancelled (SIGINT, SIGTERM), then
// stops taking requests, lets those in flight finish (closing at the
// shutdown timeout the connections of those that do not) and closes the
// store, which commits the posts still waiting.
func serve(ctx context.Context, args []string, getenv env, stderr io.Writer) error {
	cfg, err := parseServe(args, getenv)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	err = withForum(ctx, cfg.DB, forum.Config{RegistrationClosed: cfg.RegistrationClosed, SearchTimeout: cfg.SearchTimeout}, log, func(svc *forum.Service) error {
		return serveForum(ctx, cfg, svc, log)
	})
	if err != nil {
		return err
	}
	log.Info("stopped")
	return nil
}

func serveForum(ctx context.Context, cfg serveConfig, svc *forum.Service, log *slog.Logger) error {
	// Listen first: were the address taken after the first admin was
	// created, its password would never be shown.
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", cfg.Addr)
	if err != nil {
		return err
	}
	defer ln.Close()
	// Before the first request: a reader watching a board must hear of
	// posts made through other processes sharing the database. Relaying
	// ends with this function, before the store closes.
	relayCtx, stopRelaying := context.WithCancel(ctx)
	defer stopRelaying()
	if err := svc.Relay(relayCtx); err != nil {
		return fmt.Errorf("relay events: %w", err)
	}
	// Before the first request too: search must find every message.
	if err := svc.IndexBacklog(ctx); err != nil {
		return err
	}
	adminPassword, created, err := svc.EnsureAdmin(ctx)
	if err != nil {
		return fmt.Errorf("create the first admin: %w", err)
	}
	addr := ln.Addr().String()
	if created {
		log.Warn("created the first admin; sign in with this password, shown only this once",
			"name", forum.FirstAdminName,
			"password", adminPassword,
			"curl", fmt.Sprintf(`curl -X POST http://%s/api/v1/tokens -H 'Content-Type: application/json' -d '{"name":"%s","password":"%s"}'`,
				reachable(addr), forum.FirstAdminName, adminPassword))
	}
	if version.Compare(runtime.Version(), safeGo) < 0 {
		log.Warn("this binary was built with a Go release whose standard library has known vulnerabilities; build it with "+safeGo+" or later (export GOTOOLCHAIN="+safeGo+")",
			"go", runtime.Version())
	}
	// Last of the start-up lines, so that whoever waits for it has read
	// the others.
	log.Info("listening", "addr", addr, "db", shownDB(cfg.DB), "registration_closed", cfg.RegistrationClosed, "max_streams", cfg.MaxStreams)

	var handlers sync.WaitGroup
	srv := newServer(svc, log, site.Options{
		SecureCookies:  cfg.SecureCookies,
		TrustedProxies: cfg.TrustedProxies,
		MaxStreams:     cfg.MaxStreams,
	}, &handlers)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}

	log.Info("shutting down", "cause", context.Cause(ctx))
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		// A client still sending its request, or not reading its answer,
		// has had its time: its connection is closed, which ends what its
		// handler was waiting for. A post the handler had queued commits
		// all the same, and is answered (or the answer is lost with the
		// connection) before the store closes.
		log.Warn("closing the connections still busy at the shutdown timeout", "timeout", cfg.ShutdownTimeout)
		srv.Close()
	}
	handlers.Wait()
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// newServer returns the HTTP server of the forum. Its limits keep a slow or
// hostile client from holding a connection or memory for long; event
// streams lift the write limit for themselves. handlers counts the
// requests being handled: Close does not wait for them.
func newServer(svc *forum.Service, log *slog.Logger, opt site.Options, handlers *sync.WaitGroup) *http.Server {
	handler := site.New(svc, log, opt)
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			handlers.Add(1)
			defer handlers.Done()
			handler.ServeHTTP(w, r)
		}),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	srv.RegisterOnShutdown(handler.EndStreams)
	return srv
}

// parsePrefixes reads a comma-separated list of CIDR ranges; a bare
// address is a range of one.
func parsePrefixes(list string) ([]netip.Prefix, error) {
	var ps []netip.Prefix
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if a, err := netip.ParseAddr(s); err == nil {
			ps = append(ps, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address nor a CIDR range such as 10.0.0.0/8", s)
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

// reachable turns a listening address into one a client on this machine
// can connect to: a server listening on every interface (":8080") is
// reached on the loopback address.
func reachable(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
