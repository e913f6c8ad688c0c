package site_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/site"
	"parley/internal/store/teststore"
)

// slowStore answers Boards only once its caller has given up, as a query
// the client stopped waiting for does; the store then sees the ended
// context and answers as it does then.
type slowStore struct{ teststore.Store }

func (s slowStore) Boards(ctx context.Context) ([]forum.Board, error) {
	<-ctx.Done()
	return s.Store.Boards(ctx)
}

type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestClientGone: a reader who leaves before the answer is no error of
// the server's: the log says so at debug level, not as an error or a
// warning, on either store, for pages and the API alike.
func TestClientGone(t *testing.T) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		svc, err := forum.NewService(slowStore{open(t)}, forum.Config{Render: markup.Render, Password: password.Fast})
		if err != nil {
			t.Fatal(err)
		}
		var logs lockedBuffer
		log := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		srv := httptest.NewServer(site.New(svc, log, site.Options{}))
		defer srv.Close()
		for _, path := range []string{"/api/v1/boards", "/"} {
			ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
			req, err := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if resp, err := http.DefaultClient.Do(req); err == nil {
				resp.Body.Close()
				t.Fatalf("GET %s answered %s to a client that had gone", path, resp.Status)
			}
			cancel()
		}
		for deadline := time.Now().Add(10 * time.Second); strings.Count(logs.String(), "client gone") < 2; {
			if time.Now().After(deadline) {
				t.Fatalf("the server did not log the clients that left:\n%s", logs.String())
			}
			time.Sleep(10 * time.Millisecond)
		}
		if got := logs.String(); strings.Contains(got, "level=ERROR") || strings.Contains(got, "level=WARN") {
			t.Errorf("a client that left was logged as a failure:\n%s", got)
		}
	})
}
