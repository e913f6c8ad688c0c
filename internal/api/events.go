package api

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"parley/internal/forum"
)

// heartbeat is how often an idle event stream sends a comment, so that
// proxies keep it open and a vanished client is noticed.
const heartbeat = 25 * time.Second

// catchUpWindow is how many messages a stream reads at once while it
// catches up with a board.
const catchUpWindow = 100

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
	// Watch before reading the board, so that no message falls between.
	b, watch, err := s.svc.Watch(r.Context(), slug)
	if err != nil {
		return err
	}
	defer watch.Close()
	if last == 0 || last > b.LastNumber {
		last = b.LastNumber
	}

	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{}) //nolint:errcheck // a stream lives longer than a request
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: pass events on at once
	w.WriteHeader(http.StatusOK)
	st := &stream{w: w, rc: rc, sent: last}
	if err := st.comment("board " + b.Slug); err != nil {
		return nil
	}
	if err := s.catchUp(r, st, slug, b.LastNumber); err != nil {
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
				err = st.send(&m)
			} else {
				// Concurrent posts can arrive out of order: read the gap.
				err = s.catchUp(r, st, slug, m.Number)
			}
			if err != nil {
				return nil
			}
		}
	}
}

// catchUp sends the board's messages after the last sent, up to through.
func (s *server) catchUp(r *http.Request, st *stream, slug string, through int64) error {
	for st.sent < through {
		p, err := s.svc.Messages(r.Context(), slug, forum.Window{From: st.sent + 1, Limit: catchUpWindow})
		if err != nil {
			s.log.WarnContext(r.Context(), "api: events: catch up", "board", slug, "err", err)
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
// to its newest message so that none posted since it loaded is missed.
func lastEventID(r *http.Request) (int64, error) {
	name, v := "Last-Event-ID", strings.TrimSpace(r.Header.Get("Last-Event-ID"))
	if v == "" {
		name, v = "after", r.URL.Query().Get("after")
	}
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, forum.Errorf(forum.CodeInvalid, "%s must be a message number", name)
	}
	return n, nil
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
	// json.Marshal writes no newline, so the data is one line, as the
	// event stream format needs.
	if _, err := fmt.Fprintf(st.w, "id: %d\nevent: message\ndata: %s\n\n", m.Number, data); err != nil {
		return err
	}
	st.sent = m.Number
	return st.rc.Flush()
}

func (st *stream) comment(text string) error {
	if _, err := fmt.Fprintf(st.w, ": %s\n\n", text); err != nil {
		return err
	}
	return st.rc.Flush()
}
