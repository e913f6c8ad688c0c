package main_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"parley/internal/store/postgres/pgtest"
)

// TestNginx runs docs/nginx.conf in front of two `parley serve` processes
// on one PostgreSQL database: pages, posts and event streams pass through
// it, and the sign-in limit counts each client by the address nginx
// forwards, across both instances. It needs PARLEY_TEST_NGINX (the nginx
// binary) as well as PostgreSQL.
func TestNginx(t *testing.T) {
	nginx := os.Getenv("PARLEY_TEST_NGINX")
	if nginx == "" {
		t.Skip("PARLEY_TEST_NGINX is not set: set it to the nginx binary to test docs/nginx.conf")
	}
	dsn := pgtest.DSN(t)
	name, password := MustPostingForum(t, dsn)
	a := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--trusted-proxies", "127.0.0.1")
	b := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--trusted-proxies", "127.0.0.1")
	front := MustNginx(t, nginx, strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://"))

	if code, err := call(t.Context(), "GET", front+"/", "", nil, nil); err != nil || code != http.StatusOK {
		t.Fatalf("GET / through nginx: %d, %v", code, err)
	}
	token := MustSignIn(t, &server{URL: front}, name, password)

	// Posts through nginx land on both instances in turn; an event stream
	// through nginx hears every one, whichever instance took it.
	events := MustStream(t, &server{URL: front}, durableBoard)
	for i := range 4 {
		var m message
		MustCall(t, http.StatusCreated, "POST", front+"/api/v1/boards/"+durableBoard+"/messages", token,
			map[string]string{"body": fmt.Sprintf("through nginx %d", i)}, &m)
		if got := events.Next(t); got.Number != m.Number || got.Body != m.Body {
			t.Fatalf("the stream through nginx sent %d %q, want %d %q", got.Number, got.Body, m.Number, m.Body)
		}
	}

	// Thirty failed sign-ins from one client, spread over both instances,
	// hold that client, and only that client.
	signIn := func(client string) int {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), "POST", front+"/api/v1/tokens",
			strings.NewReader(fmt.Sprintf(`{"name":%q,"password":"wrong guess"}`, name)))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", client)
		resp, err := client_.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for i := range 10 {
		if code := signIn("203.0.113.5"); code != http.StatusUnauthorized {
			t.Fatalf("failed sign-in %d: status %d, want 401", i+1, code)
		}
	}
	if code := signIn("203.0.113.5"); code != http.StatusTooManyRequests {
		t.Fatalf("the eleventh failed sign-in of one client and name: status %d, want 429", code)
	}
	if code := signIn("203.0.113.6"); code != http.StatusUnauthorized {
		t.Fatalf("another client: status %d, want 401", code)
	}
}

var client_ = &http.Client{Timeout: 30 * time.Second}

// MustNginx runs nginx with docs/nginx.conf, its upstreams pointed at
// first and second, on a free port, and returns its URL.
func MustNginx(t *testing.T, nginx, first, second string) string {
	t.Helper()
	conf, err := os.ReadFile(filepath.Join("..", "..", "docs", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	site := string(conf)
	for old, new := range map[string]string{
		"127.0.0.1:8081": first,
		"127.0.0.1:8082": second,
		"listen 80;":     "listen " + addr + ";",
	} {
		if !strings.Contains(site, old) {
			t.Fatalf("docs/nginx.conf no longer holds %q", old)
		}
		site = strings.ReplaceAll(site, old, new)
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers must reach the temporary directory
	}
	main := fmt.Sprintf(`%s
daemon off;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log;
events {}
http {
	access_log off;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	include %[2]s/parley.conf;
}
`, user, dir)
	for name, text := range map[string]string{"parley.conf": site, "nginx.conf": main} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	logPath := filepath.Join(dir, "error.log")
	cmd := exec.Command(nginx, "-p", dir, "-e", logPath, "-c", filepath.Join(dir, "nginx.conf"))
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	log := func() string {
		b, _ := os.ReadFile(logPath)
		return string(b)
	}
	t.Cleanup(func() {
		// SIGTERM, not SIGKILL: the master stops its workers only if it
		// lives to.
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
		if t.Failed() {
			t.Logf("nginx's log:\n%s", log())
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return "http://" + addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s:\n%s", addr, log())
		}
	}
}
