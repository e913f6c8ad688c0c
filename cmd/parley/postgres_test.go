package main_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/store/postgres/pgtest"
)

// TestTwoServers runs two `parley serve` processes on one PostgreSQL
// database, as behind a load balancer: a token issued by one is accepted
// by the other, a message posted through one arrives on the other's event
// stream, and when one is killed with kill -9 while both take posts, the
// other keeps serving and every acknowledged message is there, numbered
// without a gap.
func TestTwoServers(t *testing.T) {
	dsn := pgtest.DSN(t)
	name, password := MustPostingForum(t, dsn)
	a := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn)
	b := MustServe(t, nil, "--addr", "127.0.0.1:0", "--db", dsn)
	token := MustSignIn(t, a, name, password)

	// The token a issued, used on b.
	var tokens struct {
		Tokens []struct {
			ID int64 `json:"id"`
		} `json:"tokens"`
	}
	MustCall(t, http.StatusOK, "GET", b.URL+"/api/v1/tokens", token, nil, &tokens)
	if len(tokens.Tokens) != 1 {
		t.Fatalf("b lists %d tokens for the member, want the 1 that a issued", len(tokens.Tokens))
	}

	// A message posted through a, on b's stream.
	events := MustStream(t, b, durableBoard)
	var m message
	MustCall(t, http.StatusCreated, "POST", a.URL+"/api/v1/boards/"+durableBoard+"/messages", token,
		map[string]string{"body": "posted through a, read on b"}, &m)
	start := time.Now()
	if got := events.Next(t); got.Number != m.Number || got.Body != m.Body {
		t.Fatalf("b's stream sent %d %q, want %d %q", got.Number, got.Body, m.Number, m.Body)
	}
	t.Logf("message %d posted through a arrived on b's stream in %v", m.Number, time.Since(start))

	// Both take posts; a dies mid-load; b serves on.
	aKilled := make(chan struct{})
	var (
		acksA       map[int64]string
		sentA       []string
		interrupted sync.WaitGroup
	)
	interrupted.Go(func() {
		acksA, sentA = postConcurrently(t, a, token, "through a", func() { a.Kill(); close(aKilled) })
	})
	acksB, sentB := postConcurrently(t, b, token, "through b", func() {
		<-aKilled
		time.Sleep(500 * time.Millisecond) // b, alone now, keeps answering
	})
	interrupted.Wait()
	acked := map[int64]string{m.Number: m.Body}
	sent := map[string]bool{m.Body: true}
	for _, acks := range []map[int64]string{acksA, acksB} {
		for n, body := range acks {
			if old, ok := acked[n]; ok {
				t.Fatalf("number %d acknowledged twice: %q and %q", n, old, body)
			}
			acked[n] = body
		}
	}
	for _, s := range append(sentA, sentB...) {
		sent[s] = true
	}
	n := MustVerifyBoard(t, b, acked, sent)
	t.Logf("a killed under load: %d messages (%d through a, %d through b), all acknowledged present, numbers 1..%d",
		n, len(acksA), len(acksB), n)
}

// stream reads a board's event stream.
type stream struct {
	header http.Header
	sc     *bufio.Scanner
	cancel context.CancelFunc
}

// MustStream opens the event stream of a board and reads its first line,
// so that the server watches the board when it returns.
func MustStream(t *testing.T, s *server, slug string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, "GET", s.URL+"/b/"+slug+"/events", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d", req.URL, resp.StatusCode)
	}
	st := &stream{header: resp.Header, sc: bufio.NewScanner(resp.Body), cancel: cancel}
	if !st.sc.Scan() {
		t.Fatalf("the stream ended at once: %v", st.sc.Err())
	}
	return st
}

// Next returns the next message event, failing after 30 s without one.
func (st *stream) Next(t *testing.T) message {
	t.Helper()
	got := make(chan message, 1)
	go func() {
		var m message
		for st.sc.Scan() {
			line := st.sc.Text()
			if data, ok := strings.CutPrefix(line, "data: "); ok {
				if err := json.Unmarshal([]byte(data), &m); err != nil {
					t.Errorf("event data %q: %v", data, err)
				}
				got <- m
				return
			}
		}
		close(got)
	}()
	select {
	case m, ok := <-got:
		if !ok {
			t.Fatalf("the stream ended: %v", st.sc.Err())
		}
		return m
	case <-time.After(30 * time.Second):
		st.cancel()
		t.Fatal("no event within 30 s")
		return message{}
	}
}
