package main_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	durableBoard = "durable"
	posters      = 8
	// postsPerClient bounds each client; the interruption normally comes
	// first.
	postsPerClient = 5000
)

// MustPostingForum prepares a database with a member and a board through
// the CLI and returns the member's name and password.
func MustPostingForum(t *testing.T, db string) (name, password string) {
	t.Helper()
	name, password = "poster", "posting all day"
	MustAddUser(t, db, name, password, "member")
	r := parley(t, "", nil, "board", "add", durableBoard, "--title", "Durability", "--by", name, "--db", db)
	if r.code != 0 {
		t.Fatalf("board add: exit %d: %s", r.code, r.stderr)
	}
	return name, password
}

// TestDurability is invariant 2: a message acknowledged with 201 survives
// kill -9 of the server, with the body it was acknowledged with, and
// numbering stays gap-free across crashes.
func TestDurability(t *testing.T) {
	db := filepath.Join(t.TempDir(), "durable.db")
	name, password := MustPostingForum(t, db)

	acked := map[int64]string{} // every acknowledged message, all cycles
	sent := map[string]bool{}   // every body ever sent, acknowledged or not
	var token string
	const cycles = 3
	for cycle := 1; cycle <= cycles; cycle++ {
		s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
		if cycle > 1 {
			n := MustVerifyBoard(t, s, acked, sent)
			t.Logf("cycle %d: after kill -9, %d messages, %d acknowledged, all present, numbers 1..%d", cycle-1, n, len(acked), n)
		}
		if token == "" {
			token = MustSignIn(t, s, name, password)
		}
		acks, bodies := postConcurrently(t, s, token, fmt.Sprintf("cycle %d", cycle), s.Kill)
		for n, body := range acks {
			if old, ok := acked[n]; ok {
				t.Fatalf("number %d acknowledged twice: %q and %q", n, old, body)
			}
			acked[n] = body
		}
		for _, b := range bodies {
			sent[b] = true
		}
	}
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	n := MustVerifyBoard(t, s, acked, sent)
	t.Logf("cycle %d: after kill -9, %d messages, %d acknowledged, all present, numbers 1..%d", cycles, n, len(acked), n)
	if code := s.Stop(); code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", code)
	}
}

// TestGracefulShutdown: SIGTERM while clients post lets the posts in flight
// finish, exits 0, and loses nothing acknowledged.
func TestGracefulShutdown(t *testing.T) {
	db := filepath.Join(t.TempDir(), "graceful.db")
	name, password := MustPostingForum(t, db)
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	token := MustSignIn(t, s, name, password)

	var code int
	acks, bodies := postConcurrently(t, s, token, "graceful", func() { code = s.Stop() })
	if code != 0 {
		t.Errorf("exit status after SIGTERM = %d, want 0", code)
	}
	if !strings.Contains(s.Log(), "msg=stopped") {
		t.Errorf("no stopped line in the log:\n%s", s.Log())
	}
	sent := map[string]bool{}
	for _, b := range bodies {
		sent[b] = true
	}
	again := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db)
	n := MustVerifyBoard(t, again, acks, sent)
	// Unlike kill -9, a graceful stop lets every post in flight finish and
	// answer: nothing is stored that its client was not told of.
	if n != int64(len(acks)) {
		t.Errorf("after SIGTERM the board holds %d messages, but %d were acknowledged", n, len(acks))
	}
	t.Logf("after SIGTERM: %d messages, %d acknowledged, all present", n, len(acks))
}

// postConcurrently has posters clients post unique messages until the
// first is acknowledged and then 0.5–1 s more, calls interrupt while they
// are still posting, and returns every acknowledged message by number and
// every body sent.
func postConcurrently(t *testing.T, s *server, token, label string, interrupt func()) (acks map[int64]string, sent []string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	var (
		interrupted atomic.Bool
		firstAck    = make(chan struct{})
		once        sync.Once
		mu          sync.Mutex
		wg          sync.WaitGroup
	)
	acks = map[int64]string{}
	endpoint := s.URL + "/api/v1/boards/" + durableBoard + "/messages"
	for c := range posters {
		wg.Go(func() {
			for i := range postsPerClient {
				if interrupted.Load() {
					return
				}
				body := fmt.Sprintf("%s client %d message %d %s", label, c, i, rand.Text())
				mu.Lock()
				sent = append(sent, body)
				mu.Unlock()
				var m message
				code, err := call(ctx, "POST", endpoint, token, map[string]string{"body": body}, &m)
				switch {
				case code == http.StatusCreated && err == nil:
					// An acknowledgement counts even if it raced the
					// interruption: it must survive all the same.
					if m.Body != body || m.Number < 1 {
						t.Errorf("POST answered number %d, body %q; sent %q", m.Number, m.Body, body)
						return
					}
					mu.Lock()
					acks[m.Number] = body
					mu.Unlock()
					once.Do(func() { close(firstAck) })
				case interrupted.Load():
					return // the server is going or gone
				case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
					time.Sleep(10 * time.Millisecond)
				default:
					t.Errorf("client %d: POST before the interruption: status %d, %v", c, code, err)
					return
				}
			}
		})
	}

	finished := make(chan struct{})
	go func() {
		wg.Wait()
		close(finished)
	}()
	select {
	case <-firstAck:
		select {
		case <-time.After(500*time.Millisecond + randomDuration(500*time.Millisecond)):
		case <-finished:
		}
	case <-finished:
	case <-ctx.Done():
	}
	interrupted.Store(true)
	interrupt()
	<-finished
	if len(acks) == 0 {
		// Not Fatal: callers may run this on a goroutine of their own.
		t.Errorf("%s: no post was acknowledged (%v)", label, context.Cause(ctx))
	}
	return acks, sent
}

func randomDuration(upTo time.Duration) time.Duration {
	n, err := rand.Int(rand.Reader, big.NewInt(int64(upTo)))
	if err != nil {
		panic(err)
	}
	return time.Duration(n.Int64())
}

type message struct {
	Board  string `json:"board"`
	Number int64  `json:"number"`
	Body   string `json:"body"`
}

// MustVerifyBoard reads the whole durable board window by window and
// checks that its numbers run 1..message_count without a gap, that every
// acknowledged message is there with the body acknowledged, and that
// every message is one a client sent, once. It returns the message count.
func MustVerifyBoard(t *testing.T, s *server, acked map[int64]string, sent map[string]bool) int64 {
	t.Helper()
	var board struct {
		MessageCount int64 `json:"message_count"`
	}
	MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/boards/"+durableBoard, "", nil, &board)

	seen := map[string]int64{}
	var last int64
	for from := int64(1); from > 0; {
		if from > board.MessageCount+1 {
			t.Fatalf("windows go past message_count %d (from=%d)", board.MessageCount, from)
		}
		var page struct {
			Messages []message `json:"messages"`
			Next     *int64    `json:"next"`
		}
		q := url.Values{"from": {fmt.Sprint(from)}, "limit": {"200"}}
		MustCall(t, http.StatusOK, "GET", s.URL+"/api/v1/boards/"+durableBoard+"/messages?"+q.Encode(), "", nil, &page)
		for _, m := range page.Messages {
			if m.Number != last+1 {
				t.Fatalf("message %d follows %d: numbers have a gap or repeat", m.Number, last)
			}
			last = m.Number
			if !sent[m.Body] {
				t.Errorf("message %d has a body no client sent: %q", m.Number, m.Body)
			}
			if other, ok := seen[m.Body]; ok {
				t.Errorf("messages %d and %d have the same body %q", other, m.Number, m.Body)
			}
			seen[m.Body] = m.Number
			if want, ok := acked[m.Number]; ok && m.Body != want {
				t.Errorf("message %d: body %q, acknowledged as %q", m.Number, m.Body, want)
			}
		}
		switch {
		case page.Next == nil:
			from = 0
		case len(page.Messages) == 0 || *page.Next != last+1:
			t.Fatalf("window from %d: next = %d after message %d", from, *page.Next, last)
		default:
			from = *page.Next
		}
	}
	if last != board.MessageCount {
		t.Errorf("the last message is %d, message_count is %d", last, board.MessageCount)
	}
	for n := range acked {
		if n > last {
			t.Errorf("acknowledged message %d is missing: the board ends at %d", n, last)
		}
	}
	return last
}

// TestShutdownSlowUpload: a client that sends its request slowly, or not
// at all, cannot keep the server from stopping: at the shutdown timeout
// its connection is closed, and the server exits 0.
func TestShutdownSlowUpload(t *testing.T) {
	db := filepath.Join(t.TempDir(), "slow.db")
	name, password := MustPostingForum(t, db)
	s := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", db, "--shutdown-timeout", "1s")
	token := MustSignIn(t, s, name, password)
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers promising a body, and the first bytes of it: the server
	// reads the rest, which never comes.
	fmt.Fprintf(conn, "POST /api/v1/boards/%s/messages HTTP/1.1\r\nHost: parley\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"body\":\"slow", durableBoard, token)
	// Once a post made after it is answered, the server is reading the
	// slow one's body.
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/boards/"+durableBoard+"/messages", token, map[string]string{"body": "quick"}, nil)
	if code := s.Stop(); code != 0 {
		t.Errorf("exit status after SIGTERM with a slow upload open = %d, want 0", code)
	}
	for _, want := range []string{"closing the connections still busy", "msg=stopped"} {
		if !strings.Contains(s.Log(), want) {
			t.Errorf("the log does not say %q:\n%s", want, s.Log())
		}
	}
}
