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
// it — a post that nginx sends to one instance reaches a stream it holds on
// the other — and the sign-in limit counts each client by the address nginx
// forwards, whichever instance it reaches. It needs PARLEY_TEST_NGINX (the
// nginx binary) as well as PostgreSQL.
func TestNginx(t *testing.T) {
	nginx := os.Getenv("PARLEY_TEST_NGINX")
	if nginx == "" {
		t.Skip("PARLEY_TEST_NGINX is not set: set it to the nginx binary to test docs/nginx.conf")
	}
	dsn := pgtest.DSN(t)
	name, password := MustPostingForum(t, dsn)
	a := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--trusted-proxies", "127.0.0.1")
	b := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn, "--trusted-proxies", "127.0.0.1")
	front := &server{URL: MustNginx(t, nginx, strings.TrimPrefix(a.URL, "http://"), strings.TrimPrefix(b.URL, "http://"))}

	if home := get(t, front.URL+"/"); !strings.Contains(home, "Durability") {
		t.Fatalf("the home page through nginx does not list the board:\n%s", home)
	}
	token := MustSignIn(t, front, name, password)

	// The stream holds one instance, so least_conn sends the posts to the
	// other; each must arrive on the stream all the same.
	events := MustStream(t, front, durableBoard)
	streamedBy := events.header.Get(upstreamHeader)
	crossed := 0
	for i := range 4 {
		body := fmt.Sprintf("through nginx %d", i)
		req := request(t, "POST", front.URL+"/api/v1/boards/"+durableBoard+"/messages", fmt.Sprintf(`{"body":%q}`, body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp := send(t, req, http.StatusCreated)
		if resp.Header.Get(upstreamHeader) != streamedBy {
			crossed++
		}
		if got := events.Next(t); got.Body != body {
			t.Fatalf("the stream through nginx sent %d %q, want %q", got.Number, got.Body, body)
		}
	}
	if crossed == 0 {
		t.Fatalf("every post went to the instance holding the stream (%s): nothing crossed instances", streamedBy)
	}

	// Ten failed sign-ins of one client, five through each instance, hold
	// that client for that name on both; another client is free.
	signIn := func(via *server, from *http.Client, forwardedFor string, want int) {
		t.Helper()
		req := request(t, "POST", via.URL+"/api/v1/tokens", fmt.Sprintf(`{"name":%q,"password":"wrong guess"}`, name))
		if forwardedFor != "" {
			req.Header.Set("X-Forwarded-For", forwardedFor)
		}
		sendFrom(t, from, req, want)
	}
	for i := range 10 {
		signIn([]*server{a, b}[i%2], client, "203.0.113.5", http.StatusUnauthorized)
	}
	signIn(a, client, "203.0.113.5", http.StatusTooManyRequests)
	signIn(b, client, "203.0.113.5", http.StatusTooManyRequests)
	signIn(a, client, "203.0.113.6", http.StatusUnauthorized)

	// Through nginx the clients send no X-Forwarded-For of their own: the
	// instances, which trust 127.0.0.1 (nginx) only, learn each client's
	// address from the header nginx sets. Two clients on other loopback
	// addresses: ten failures of the first hold it, through nginx and at
	// either instance, and leave the second free. Were nginx not to
	// forward the address, both would count as nginx's own, 127.0.0.1,
	// and the second would be held too.
	first, second := clientFrom(t, "127.0.0.2"), clientFrom(t, "127.0.0.3")
	for range 10 {
		signIn(front, first, "", http.StatusUnauthorized)
	}
	signIn(front, first, "", http.StatusTooManyRequests)
	signIn(a, client, "127.0.0.2", http.StatusTooManyRequests)
	signIn(b, client, "127.0.0.2", http.StatusTooManyRequests)
	signIn(front, second, "", http.StatusUnauthorized)
	// An address the client writes itself is not believed: nginx adds
	// the one it sees to the right of it.
	signIn(front, second, "127.0.0.2", http.StatusUnauthorized)
}

// clientFrom returns a client whose connections leave from the loopback
// address ip (Linux answers on all of 127.0.0.0/8).
func clientFrom(t *testing.T, ip string) *http.Client {
	t.Helper()
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 10 * time.Second}
	transport := &http.Transport{DialContext: dialer.DialContext}
	t.Cleanup(transport.CloseIdleConnections)
	return &http.Client{Timeout: 30 * time.Second, Transport: transport}
}

// upstreamHeader names, in the test's nginx, the instance that answered.
const upstreamHeader = "X-Test-Upstream"

func request(t *testing.T, method, url, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req
}

// send sends req and fails unless it is answered with status want.
func send(t *testing.T, req *http.Request, want int) *http.Response {
	t.Helper()
	return sendFrom(t, client, req, want)
}

// sendFrom is send through the client from.
func sendFrom(t *testing.T, from *http.Client, req *http.Request, want int) *http.Response {
	t.Helper()
	resp, err := from.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d", req.Method, req.URL, resp.StatusCode, want)
	}
	return resp
}

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
	add_header %[3]s $upstream_addr always;
	client_body_temp_path %[2]s/body;
	proxy_temp_path %[2]s/proxy;
	fastcgi_temp_path %[2]s/fastcgi;
	uwsgi_temp_path %[2]s/uwsgi;
	scgi_temp_path %[2]s/scgi;
	include %[2]s/parley.conf;
}
`, user, dir, upstreamHeader)
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
