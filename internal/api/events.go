package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"parley/internal/forum"
	"parley/internal/params"
	"parley/internal/ratelimit"
)

// heartbeat is how often an idle event stream sends a comment, so that
// proxies keep it open and a vanished client is noticed.
const heartbeat = 25 * time.Second

// catchUpWindow is how many messages a stream reads at once while it
// catches up with a board; maxCatchUp is the most it sends on catching up.
// A client further behind gets the newest maxCatchUp (the ids show the
// gap) and reads the rest from the board's windows: one request must not
// be able to make the server read a whole board.
const (
	catchUpWindow = 100
	maxCatchUp    = 1000
)

// streamWriteTimeout bounds each write to a stream: a client that stops
// reading is dropped rather than held with its buffered messages for ever.
const streamWriteTimeout = 30 * time.Second

// maxStreamsPerAddr bounds the streams one client address holds open.
const maxStreamsPerAddr = 32

// events is GET /b/{slug}/events: a Server-Sent Events stream of the
// board's new messages, each as `event: message` with its API JSON as data
// and its number as id. A client that reconnects with Last-Event-ID (or
// connects with ?after=N) gets every message after that number first, so a
// dropped connection loses nothing.
func (s *server) events(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	last, err := lastEventID(r)
	if err != nil {
		return err
	}
	release, err := s.streams.open(ratelimit.AddrKey(r.RemoteAddr))
	if err != nil {
		return err
	}
	defer release()
	// Watch before reading the board, so that no message falls between.
	viewer := s.viewer(r)
	b, watch, err := s.svc.Watch(r.Context(), viewer, slug)
	if err != nil {
		return err
	}
	defer watch.Close()
	if last < 0 || last > b.LastNumber {
		last = b.LastNumber // from now on
	}

	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	st := &stream{w: w, rc: rc, sent: last}
	if err := st.comment("board " + b.Slug); err != nil {
		return nil
	}
	if err := s.catchUp(r, viewer, st, b, b.LastNumber); err != nil {
		return nil
	}

	ping := time.NewTicker(heartbeat)
	defer ping.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-s.streamsDone:
			return nil
		case <-ping.C:
			if st.comment("ping") != nil {
				return nil
			}
		case m, ok := <-watch.C:
			if !ok {
				return nil // fell behind; the client reconnects and catches up
			}
			if m.Number == st.sent+1 {
				err = st.send(watch.Shown(m))
			} else {
				// Concurrent posts can arrive out of order: read the gap.
				err = s.catchUp(r, viewer, st, b, m.Number)
			}
			if err != nil {
				return nil
			}
		}
	}
}

// catchUp sends board b's messages after the last sent, up to through, as
// viewer may see them.
func (s *server) catchUp(r *http.Request, viewer *forum.User, st *stream, b *forum.Board, through int64) error {
	st.sent = max(st.sent, through-maxCatchUp)
	for st.sent < through {
		p, err := s.svc.MessagesOn(r.Context(), viewer, b, forum.Window{From: st.sent + 1, Limit: catchUpWindow})
		if err != nil {
			s.log.WarnContext(r.Context(), "api: events: catch up", "board", b.Slug, "err", err)
			return err
		}
		if len(p.Messages) == 0 {
			return nil
		}
		for i := range p.Messages {
			if err := st.send(&p.Messages[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// lastEventID is the number of the last message the client has: from
// Last-Event-ID when it reconnects, else from ?after=N, which a page sets
// to its newest message so that none posted since it loaded is missed;
// -1 when the client has none and wants what comes from now on.
func lastEventID(r *http.Request) (int64, error) {
	if v := r.Header.Get("Last-Event-ID"); v != "" {
		return params.Natural("Last-Event-ID", strings.TrimSpace(v))
	}
	q, err := query(r)
	if err != nil {
		return 0, err
	}
	after, ok, err := params.Single(q, "after")
	if !ok || err != nil {
		return -1, err
	}
	return params.Natural("after", after)
}

// streamCount counts the open streams, in all and of each client address.
type streamCount struct {
	max    int // in all
	mu     sync.Mutex
	total  int
	byAddr map[string]int
}

// open counts a stream for addr, refusing one over maxStreamsPerAddr or
// over c.max in all; the caller calls release when the stream ends.
func (c *streamCount) open(addr string) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byAddr[addr] >= maxStreamsPerAddr {
		return nil, &forum.Error{Code: forum.CodeRateLimited, RetryAfter: 10 * time.Second,
			Message: fmt.Sprintf("at most %d event streams may be open from one address", maxStreamsPerAddr)}
	}
	if c.total >= c.max {
		return nil, &forum.Error{Code: forum.CodeUnavailable, RetryAfter: 30 * time.Second,
			Message: fmt.Sprintf("this server holds as many event streams as it may (%d); new messages show when the page is reloaded", c.max)}
	}
	if c.byAddr == nil {
		c.byAddr = make(map[string]int)
	}
	c.byAddr[addr]++
	c.total++
	return func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.total--
		if c.byAddr[addr]--; c.byAddr[addr] == 0 {
			delete(c.byAddr, addr)
		}
	}, nil
}

// stream writes events and remembers the last message number sent.
type stream struct {
	w    io.Writer
	rc   *http.ResponseController
	sent int64
}

func (st *stream) send(m *forum.Message) error {
	if m.Number <= st.sent {
		return nil
	}
	data, err := json.Marshal(toMessageJSON(m))
	if err != nil {
		return err
	}
	st.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) //nolint:errcheck // not every writer has deadlines
	// json.Marshal writes no newline, so the data is one line, as the
	// event stream format needs.
	if _, err := fmt.Fprintf(st.w, "id: %d\nevent: message\ndata: %s\n\n", m.Number, data); err != nil {
		return err
	}
	st.sent = m.Number
	return st.rc.Flush()
}

func (st *stream) comment(text string) error {
	st.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout)) //nolint:errcheck
	if _, err := fmt.Fprintf(st.w, ": %s\n\n", text); err != nil {
		return err
	}
	return st.rc.Flush()
}
