package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/site"
	"parley/internal/store/teststore"
)

// event is one Server-Sent Event as a client parses it.
type event struct {
	id, name string
	data     []string // one entry per data: line
}

// eventStream reads events from GET /b/{slug}/events.
type eventStream struct {
	resp   *http.Response
	r      *bufio.Reader
	events chan event
	err    chan error
}

// openEvents opens the event stream at path (and query), sending lastID as
// Last-Event-ID unless empty.
func openEvents(t *testing.T, s *testServer, path, lastID string) *eventStream {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), "GET", s.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		body, _ := io.ReadAll(resp.Body)
		t.Fatalf("events: %d %s: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	es := &eventStream{resp: resp, r: bufio.NewReader(resp.Body), events: make(chan event, 1000), err: make(chan error, 1)}
	go es.read()
	return es
}

func (es *eventStream) read() {
	var ev event
	for {
		line, err := es.r.ReadString('\n')
		if err != nil {
			es.err <- err
			close(es.events)
			return
		}
		line = strings.TrimSuffix(line, "\n")
		switch {
		case line == "":
			if ev.name != "" || ev.data != nil {
				es.events <- ev
			}
			ev = event{}
		case strings.HasPrefix(line, ":"): // a comment
		case strings.HasPrefix(line, "id: "):
			ev.id = line[len("id: "):]
		case strings.HasPrefix(line, "event: "):
			ev.name = line[len("event: "):]
		case strings.HasPrefix(line, "data: "):
			ev.data = append(ev.data, line[len("data: "):])
		}
	}
}

// next returns the next message event, failing after a few seconds.
func (es *eventStream) next(t *testing.T) message {
	t.Helper()
	select {
	case ev, ok := <-es.events:
		if !ok {
			t.Fatalf("the stream ended: %v", <-es.err)
		}
		if ev.name != "message" || len(ev.data) != 1 {
			t.Fatalf("event %q with %d data lines, want one message line", ev.name, len(ev.data))
		}
		var m message
		if err := json.Unmarshal([]byte(ev.data[0]), &m); err != nil {
			t.Fatalf("data is not a message: %v: %s", err, ev.data[0])
		}
		if ev.id != fmt.Sprint(m.Number) {
			t.Errorf("event id %q for message %d", ev.id, m.Number)
		}
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return message{}
}

func TestEvents(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		_, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "live")
		mustBoard(t, s, token, "other")
		mustPost(t, s, token, "live", "before the stream", 0)

		es := openEvents(t, s, "/b/live/events", "")
		mustPost(t, s, token, "other", "another board", 0)
		posted := mustPost(t, s, token, "live", "line one\nline <two>", 1)
		got := es.next(t)
		if got.Number != 2 || got.Board != "live" || got.Author != "alice" || got.Body != posted.Body ||
			got.HTML != posted.HTML || got.ReplyTo == nil || got.ReplyTo.Number != 1 || got.ReplyTo.Author != "alice" {
			t.Errorf("event %+v, want the message as posted %+v", got, posted)
		}

		t.Run("OutlivesTimeouts", func(t *testing.T) {
			time.Sleep(2500 * time.Millisecond) // past the server's 1 s read and write timeouts
			mustPost(t, s, token, "live", "later", 0)
			if m := es.next(t); m.Number != 3 {
				t.Fatalf("after the timeouts: message %d, want 3", m.Number)
			}
		})
		t.Run("LastEventID", func(t *testing.T) {
			mustPost(t, s, token, "live", "fourth", 0)
			again := openEvents(t, s, "/b/live/events", "1")
			for want := int64(2); want <= 4; want++ {
				if m := again.next(t); m.Number != want {
					t.Fatalf("caught up with %d, want %d", m.Number, want)
				}
			}
		})
		t.Run("After", func(t *testing.T) {
			after := openEvents(t, s, "/b/live/events?after=2", "")
			for want := int64(3); want <= 4; want++ {
				if m := after.next(t); m.Number != want {
					t.Fatalf("after=2 gave %d, want %d", m.Number, want)
				}
			}
		})
		t.Run("Errors", func(t *testing.T) {
			a := call(t, s, "GET", "/b/nope/events", "", nil)
			mustError(t, a, http.StatusNotFound, "not_found")
			a = call(t, s, "GET", "/b/live/events?after=x", "", nil)
			mustError(t, a, http.StatusBadRequest, "invalid")
			req, _ := http.NewRequestWithContext(t.Context(), "GET", s.URL+"/b/live/events", nil)
			req.Header.Set("Last-Event-ID", "x")
			mustError(t, send(t, req), http.StatusBadRequest, "invalid")
		})
		t.Run("EndStreams", func(t *testing.T) {
			ending := openEvents(t, s, "/b/other/events", "")
			s.site.EndStreams()
			select {
			case <-ending.err:
			case <-time.After(5 * time.Second):
				t.Fatal("the stream outlived EndStreams")
			}
		})
	})
}

// TestEventsInOrder: concurrent posts commit together and wake their
// posters in any order, yet a stream delivers every number once, in order.
func TestEventsInOrder(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		alice, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "busy")
		es := openEvents(t, s, "/b/busy/events", "")
		const posters, each = 8, 10
		var wg sync.WaitGroup
		for range posters {
			wg.Go(func() {
				for range each {
					// Not mustPost: a test may fail only from its own goroutine.
					if _, err := s.svc.Post(t.Context(), alice, "busy", forum.NewMessage{Body: "busy"}); err != nil {
						t.Error(err)
						return
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		for want := int64(1); want <= posters*each; want++ {
			if m := es.next(t); m.Number != want {
				t.Fatalf("event for %d, want %d", m.Number, want)
			}
		}
	})
}

// TestEventsBounded: one request cannot make the server send a whole
// board, nor one address hold streams without end.
func TestEventsBounded(t *testing.T) {
	eachServer(t, forum.Config{}, func(t *testing.T, s *testServer) {
		alice, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "long")
		for range 1010 {
			if _, err := s.svc.Post(t.Context(), alice, "long", forum.NewMessage{Body: "m"}); err != nil {
				t.Fatal(err)
			}
		}
		es := openEvents(t, s, "/b/long/events?after=0", "")
		for want := int64(11); want <= 1010; want++ { // the newest 1,000
			if m := es.next(t); m.Number != want {
				t.Fatalf("catching up from 0: event %d, want %d (the newest 1000, 11..1010)", m.Number, want)
			}
		}

		for i := 1; i < 32; i++ { // es is the first
			openEvents(t, s, "/b/long/events", "")
		}
		a := call(t, s, "GET", "/b/long/events", "", nil)
		mustError(t, a, http.StatusTooManyRequests, "rate_limited")
		if a.header.Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
		// A stream that ends gives its place back.
		es.resp.Body.Close()
		mustReopen(t, s, "/b/long/events")
	})
}

// mustReopen waits until a stream at path opens again, after one was closed
// by its client.
func mustReopen(t *testing.T, s *testServer, path string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		ctx, cancel := context.WithCancel(t.Context())
		req, _ := http.NewRequestWithContext(ctx, "GET", s.URL+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		cancel()
		if resp.StatusCode == http.StatusOK {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("a stream closed by its client still counts: status %d", resp.StatusCode)
		}
	}
}

// TestEventsServerBound: however many addresses ask, the server holds at
// most MaxStreams streams; the next is refused with 503 and Retry-After
// until one ends.
func TestEventsServerBound(t *testing.T) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		s := newTestServerWith(t, open(t), forum.Config{}, site.Options{MaxStreams: 3})
		_, token := mustMember(t, s, "alice", forum.RoleMember)
		mustBoard(t, s, token, "b")
		first := openEvents(t, s, "/b/b/events", "")
		openEvents(t, s, "/b/b/events", "")
		openEvents(t, s, "/b/b/events", "")
		a := call(t, s, "GET", "/b/b/events", "", nil)
		if msg := mustError(t, a, http.StatusServiceUnavailable, "unavailable"); !strings.Contains(msg, "(3)") {
			t.Errorf("message %q does not say how many streams the server holds", msg)
		}
		if a.header.Get("Retry-After") == "" {
			t.Error("503 without Retry-After")
		}
		first.resp.Body.Close()
		mustReopen(t, s, "/b/b/events")
	})
}
