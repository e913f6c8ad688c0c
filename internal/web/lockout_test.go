package web_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/site"
	"parley/internal/store/sqlite/sqlitetest"
)

// fromAddress is a client whose connections come from ip, one of the
// loopback addresses 127.0.0.0/8 gives, with its own cookies, following
// no redirects.
func fromAddress(t *testing.T, ip string) *http.Client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	dialer := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	return &http.Client{
		Jar:           jar,
		Transport:     &http.Transport{DialContext: dialer.DialContext},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// signInFrom posts the sign-in form as the forum's own page would, and
// returns the status.
func signInFrom(t *testing.T, c *http.Client, base, name, pw string) int {
	req, err := http.NewRequestWithContext(t.Context(), "POST", base+"/signin",
		strings.NewReader(url.Values{"name": {name}, "password": {pw}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := c.Do(req)
	if err != nil {
		if t.Context().Err() != nil {
			return 0
		}
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestLockoutFromManyAddresses: forty addresses guessing a member's
// password, as fast as they are answered, hold her name for browsers the
// forum does not know (the backstop against guessing from everywhere) —
// but the browser she signed in on before signs in every time, and so do
// a crowd of her own sign-ins at once: correct passwords take nothing.
// On the real clock, through real connections from 40 loopback
// addresses.
func TestLockoutFromManyAddresses(t *testing.T) {
	st := sqlitetest.Open(t)
	svc, err := forum.NewService(st, forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.New(svc, slog.New(slog.DiscardHandler), site.Options{}))
	defer srv.Close()
	if _, err := svc.AddUser(t.Context(), "alice", "password of alice", forum.RoleMember); err != nil {
		t.Fatal(err)
	}
	hers := fromAddress(t, "127.0.0.2")
	if status := signInFrom(t, hers, srv.URL, "alice", "password of alice"); status != http.StatusSeeOther {
		t.Fatalf("alice's first sign-in: %d", status)
	}
	var device *http.Cookie
	for _, c := range hers.Jar.Cookies(mustURL(t, srv.URL+"/signin")) {
		if c.Name == "parley_device" {
			device = c
		}
	}
	if device == nil {
		t.Fatal("signing in gave the browser no device cookie")
	}
	if cs := hers.Jar.Cookies(mustURL(t, srv.URL+"/")); len(cs) != 1 || cs[0].Name != "parley_session" {
		t.Errorf("cookies sent to every page: %v, want the session's alone", cs)
	}

	ctx, stop := context.WithCancel(t.Context())
	var attackers sync.WaitGroup
	defer func() { stop(); attackers.Wait() }()
	var mu sync.Mutex
	refused := map[int]int{}
	for i := range 40 {
		c := fromAddress(t, fmt.Sprintf("127.0.1.%d", 10+i))
		attackers.Go(func() {
			for ctx.Err() == nil {
				req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/signin",
					strings.NewReader(url.Values{"name": {"alice"}, "password": {"a guess"}}.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				resp, err := c.Do(req)
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("an attacker: %v", err)
					}
					return
				}
				resp.Body.Close()
				mu.Lock()
				refused[resp.StatusCode]++
				mu.Unlock()
				time.Sleep(5 * time.Millisecond)
			}
		})
	}
	// The guesses have drained alice's name for everyone but her browser.
	stranger := fromAddress(t, "127.0.2.1")
	stranger.Jar = nil // a browser new to the forum at every try
	for deadline := time.Now().Add(30 * time.Second); signInFrom(t, stranger, srv.URL, "alice", "password of alice") != http.StatusTooManyRequests; time.Sleep(50 * time.Millisecond) {
		if time.Now().After(deadline) {
			mu.Lock()
			t.Logf("answers: %v", refused)
			mu.Unlock()
			t.Fatal("forty addresses guessing for 30 s did not hold alice's name for a browser without her device cookie")
		}
	}
	for i := range 18 {
		if status := signInFrom(t, hers, srv.URL, "alice", "password of alice"); status != http.StatusSeeOther {
			t.Fatalf("alice's own browser, sign-in %d of 18 during the attack: %d, want 303", i+1, status)
		}
	}
	var own sync.WaitGroup
	statuses := make(chan int, 64)
	for range 64 {
		own.Go(func() {
			c := fromAddress(t, "127.0.0.2")
			c.Jar.SetCookies(mustURL(t, srv.URL+"/signin"), []*http.Cookie{device})
			statuses <- signInFrom(t, c, srv.URL, "alice", "password of alice")
		})
	}
	own.Wait()
	close(statuses)
	for status := range statuses {
		if status != http.StatusSeeOther {
			t.Fatalf("one of 64 sign-ins at once from alice's browser: %d, want 303", status)
		}
	}
	mu.Lock()
	t.Logf("the attackers' answers: %v", refused)
	mu.Unlock()
}
