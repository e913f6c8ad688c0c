package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"parley/internal/forum"
	"parley/internal/password"
	"parley/internal/store/postgres"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/storetest"
)

// TestConformance runs the suite every store passes, each test in a schema
// of its own.
func TestConformance(t *testing.T) {
	pgtest.Require(t)
	storetest.Run(t, func(t *testing.T) forum.Store {
		return pgtest.Open(t)
	})
}

// newService opens a store on dsn, as one `parley serve` process would,
// and a Service over it that follows the other processes' posts.
func newService(t *testing.T, dsn string) (*postgres.Store, *forum.Service) {
	t.Helper()
	st, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := forum.NewService(st, forum.Config{Render: storetest.Render, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Relay(t.Context()); err != nil {
		t.Fatal(err)
	}
	return st, svc
}

// TestTwoInstances: two processes' worth of pools and services on one
// database, 32 writers each on one board, number its messages 1..N
// exactly, each acknowledged message stored with the number it was given.
func TestTwoInstances(t *testing.T) {
	dsn := pgtest.DSN(t)
	_, one := newService(t, dsn)
	_, two := newService(t, dsn)
	ctx := t.Context()
	admin, err := one.AddUser(ctx, "admin", "password", forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := two.CreateBoard(ctx, admin, forum.NewBoard{Slug: "busy", Title: "Busy"}); err != nil {
		t.Fatal(err)
	}
	const writers, each = 32, 20
	var (
		mu    sync.Mutex
		acked = map[int64]string{}
		wg    sync.WaitGroup
	)
	for i, svc := range []*forum.Service{one, two} {
		for w := range writers {
			wg.Go(func() {
				for n := range each {
					body := fmt.Sprintf("instance %d writer %d post %d", i, w, n)
					m, err := svc.Post(ctx, admin, "busy", forum.NewMessage{Body: body})
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					if old, ok := acked[m.Number]; ok {
						t.Errorf("number %d given twice: %q and %q", m.Number, old, body)
					}
					acked[m.Number] = body
					mu.Unlock()
				}
			})
		}
	}
	wg.Wait()
	const total = 2 * writers * each
	if len(acked) != total {
		t.Fatalf("%d posts acknowledged, want %d", len(acked), total)
	}
	for from := int64(1); from <= total; from += forum.MaxWindow {
		p, err := one.Messages(ctx, nil, "busy", forum.Window{From: from, Limit: forum.MaxWindow})
		if err != nil {
			t.Fatal(err)
		}
		for i, m := range p.Messages {
			if want := from + int64(i); m.Number != want || m.Body != acked[want] {
				t.Fatalf("message %d: %q, want number %d with %q", m.Number, m.Body, want, acked[want])
			}
		}
	}
	if b, err := two.Board(ctx, "busy"); err != nil || b.LastNumber != total {
		t.Fatalf("board: %+v, %v; want %d messages", b, err, total)
	}
}

// TestRelay: a message posted through one instance reaches the watchers
// of the other; when the other's listening connection is cut, its
// watchers are ended (so that their readers catch up from the board) and
// it listens again.
func TestRelay(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, watcher := newService(t, dsn)
	_, poster := newService(t, dsn)
	ctx := t.Context()
	admin, err := poster.AddUser(ctx, "admin", "password", forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := poster.CreateBoard(ctx, admin, forum.NewBoard{Slug: "live", Title: "Live"}); err != nil {
		t.Fatal(err)
	}
	watch := func() *forum.Watch {
		t.Helper()
		_, w, err := watcher.Watch(ctx, nil, "live")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(w.Close)
		return w
	}
	post := func(body string) *forum.Message {
		t.Helper()
		m, err := poster.Post(ctx, admin, "live", forum.NewMessage{Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	receive := func(w *forum.Watch, want *forum.Message) {
		t.Helper()
		start := time.Now()
		select {
		case got, ok := <-w.C:
			if !ok {
				t.Fatalf("the watch ended before message %d arrived", want.Number)
			}
			if got.Number != want.Number || got.Body != want.Body || got.Author != "admin" {
				t.Fatalf("received %d %q by %q, want %d %q by admin", got.Number, got.Body, got.Author, want.Number, want.Body)
			}
			t.Logf("message %d arrived through the other instance in %v", got.Number, time.Since(start))
		case <-time.After(30 * time.Second):
			t.Fatalf("message %d did not arrive", want.Number)
		}
	}

	w := watch()
	receive(w, post("posted through the other instance"))

	// Cut the listening connections (both instances'), as a network fault
	// would.
	var cut int
	if err := st.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'listen %' AND query LIKE '%' || current_schema() || '%'`).Scan(&cut); err != nil || cut != 2 {
		t.Fatalf("terminated %d listening connections (%v), want 2", cut, err)
	}
	select {
	case _, ok := <-w.C:
		if ok {
			t.Fatal("a message arrived after the connection was cut")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the watch did not end when the listening connection was lost")
	}
	// It listens again: a new watch hears new posts.
	deadline := time.Now().Add(30 * time.Second)
	for {
		w := watch()
		m := post("posted after the reconnection")
		select {
		case got, ok := <-w.C:
			if ok && got.Number == m.Number {
				return
			}
		case <-time.After(2 * time.Second):
		}
		if time.Now().After(deadline) {
			t.Fatal("no message arrived after the listening connection was lost")
		}
	}
}

// TestOpenTogether: processes started together on a fresh database migrate
// it once, taking turns, and all open it.
func TestOpenTogether(t *testing.T) {
	dsn := pgtest.DSN(t)
	const processes = 4
	var wg sync.WaitGroup
	stores := make([]*postgres.Store, processes)
	for i := range stores {
		wg.Go(func() {
			st, err := postgres.Open(t.Context(), dsn, postgres.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			t.Cleanup(func() { st.Close() })
			stores[i] = st
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	rows, err := stores[0].Pool().Query(t.Context(), `SELECT version FROM schema_migrations ORDER BY version`)
	if err != nil {
		t.Fatal(err)
	}
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	if err != nil {
		t.Fatal(err)
	}
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var want []int
	for i := range files {
		want = append(want, i+1)
	}
	if !slices.Equal(versions, want) {
		t.Fatalf("migrations recorded %v, want %v once each", versions, want)
	}
	// Each sees what another writes.
	u := storetest.MustCreateUser(t, stores[1], "alice")
	if got, err := stores[3].UserByName(t.Context(), "ALICE"); err != nil || got.ID != u.ID {
		t.Fatalf("another store reads %+v, %v", got, err)
	}
}

// TestSearchStopsOnServer: a search stopped at its deadline stops in
// PostgreSQL too, not only in the client: a query whose client stopped
// waiting would otherwise run on in its backend, and the searches of a
// crowd pile up there.
func TestSearchStopsOnServer(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, err := postgres.Open(t.Context(), dsn, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	f := storetest.CommonWordsBoard(t, st, 60_000)
	f.Sort = forum.SortRelevance
	whole := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		if _, err := st.Search(t.Context(), f); err != nil {
			t.Fatal(err)
		}
		whole = min(whole, time.Since(start))
	}
	watch, err := pgx.Connect(t.Context(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer watch.Close(t.Context())
	ctx, cancel := context.WithTimeout(t.Context(), whole/10)
	defer cancel()
	if _, err := st.Search(ctx, f); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("a search past its deadline answered %v, want context.DeadlineExceeded", err)
	}
	// Were it running on, it would for most of its cost: look for it then.
	for until := time.Now().Add(whole / 2); time.Now().Before(until); {
		var running int
		if err := watch.QueryRow(t.Context(), `SELECT count(*) FROM pg_stat_activity
			WHERE state = 'active' AND pid <> pg_backend_pid() AND query LIKE '%message_search%'`).Scan(&running); err != nil {
			t.Fatal(err)
		}
		if running > 0 {
			t.Fatalf("the search its client stopped (after %v of %v) still runs in %d backends", whole/10, whole, running)
		}
	}
}

// TestStoredFunctionsApplied: the stored functions are applied at every
// start, so a database whose post_messages is out of date (here, one that
// refuses everything) is mended by opening it.
func TestStoredFunctionsApplied(t *testing.T) {
	dsn := pgtest.DSN(t)
	st, svc := newService(t, dsn)
	ctx := t.Context()
	admin, err := svc.AddUser(ctx, "admin", "password", forum.RoleAdmin)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateBoard(ctx, admin, forum.NewBoard{Slug: "b", Title: "B"}); err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `CREATE OR REPLACE FUNCTION post_messages(
		p_board bigint[], p_author bigint[], p_at timestamptz[], p_body text[], p_html text[],
		p_reply_to bigint[], p_terms text[])
		RETURNS TABLE (message_id bigint, message_number bigint, reply_author text, refused text)
		LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'out of date'; END $$`); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Post(ctx, admin, "b", forum.NewMessage{Body: "refused"}); err == nil {
		t.Fatal("posted through the out-of-date function")
	}
	st.Close()
	_, again := newService(t, dsn)
	if m, err := again.Post(ctx, admin, "b", forum.NewMessage{Body: "posted"}); err != nil || m.Number != 1 {
		t.Fatalf("after opening again: %+v, %v; want message 1", m, err)
	}
}
