package sqlite_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/sqlite"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
)

// TestConformance runs the suite every store passes, on a file (not
// :memory:) so that WAL, fsync and the separate reader pool are exercised.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) forum.Store {
		st := sqlitetest.Open(t)
		return st
	})
}

// TestReopen checks that opening an existing database applies no migration
// twice and keeps what was committed.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	st, err := sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	u := storetest.MustCreateUser(t, st, "alice")
	b := storetest.MustCreateBoard(t, st, u, "intc")
	storetest.MustPost(t, st, b, u, "kept", 0)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	st, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer st.Close()
	m, err := st.Message(t.Context(), b.ID, 1)
	if err != nil || m.Body != "kept" {
		t.Fatalf("after reopen: %+v, %v", m, err)
	}
}

// TestCloseWhilePosting checks that Close answers every post in flight:
// each either committed (and is then readable) or refused as unavailable.
func TestCloseWhilePosting(t *testing.T) {
	path := filepath.Join(t.TempDir(), "parley.db")
	st, err := sqlite.Open(t.Context(), path, sqlite.Options{MaxBatch: 4})
	if err != nil {
		t.Fatal(err)
	}
	u := storetest.MustCreateUser(t, st, "alice")
	b := storetest.MustCreateBoard(t, st, u, "intc")
	type result struct {
		number int64
		err    error
	}
	results := make(chan result, 64)
	for range 64 {
		go func() {
			m := &forum.Message{BoardID: b.ID, AuthorID: u.ID, CreatedAt: storetest.Tick(), Body: "x", HTML: "x"}
			err := storetest.CreateMessage(t.Context(), st, m)
			results <- result{m.Number, err}
		}()
	}
	// Close once posting is under way, so that some posts are committed
	// and others still queued or arriving.
	first := <-results
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	answers := []result{first}
	for range 63 {
		answers = append(answers, <-results)
	}
	var acknowledged []int64
	for _, a := range answers {
		switch code := forum.ErrorCode(a.err); code {
		case "":
			acknowledged = append(acknowledged, a.number)
		case forum.CodeUnavailable:
		default:
			t.Errorf("post during Close: %v (code %q), want success or unavailable", a.err, code)
		}
	}
	if len(acknowledged) == 0 {
		t.Fatal("no post was acknowledged, not even the one answered before Close")
	}
	st, err = sqlite.Open(t.Context(), path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// Acknowledged is committed, and committed is acknowledged: the board
	// holds exactly the numbers answered, 1..k.
	slices.Sort(acknowledged)
	got, err := st.BoardBySlug(t.Context(), "intc")
	if err != nil {
		t.Fatal(err)
	}
	if got.LastNumber != int64(len(acknowledged)) || acknowledged[len(acknowledged)-1] != got.LastNumber {
		t.Fatalf("board holds %d messages; acknowledged were %v", got.LastNumber, acknowledged)
	}
	for i, n := range acknowledged {
		if n != int64(i+1) {
			t.Fatalf("acknowledged numbers %v are not 1..%d", acknowledged, len(acknowledged))
		}
		if _, err := st.Message(t.Context(), b.ID, n); err != nil {
			t.Errorf("acknowledged message %d lost: %v", n, err)
		}
	}
}

// TestDurableSettings: invariant 2 rests on these, and no crash test can
// tell them apart (kill -9 keeps the page cache): WAL, the WAL synced at
// every commit (synchronous=FULL, 2), foreign keys checked; readers that
// cannot write; and a new database's pages large enough for most messages.
func TestDurableSettings(t *testing.T) {
	st := sqlitetest.Open(t)
	writer, reader, err := sqlite.Pragmas(t.Context(), st, "journal_mode", "synchronous", "foreign_keys", "query_only", "page_size")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "query_only": "0", "page_size": "16384"}
	if fmt.Sprint(writer) != fmt.Sprint(want) {
		t.Errorf("writer pragmas %v, want %v", writer, want)
	}
	if reader["journal_mode"] != "wal" || reader["query_only"] != "1" {
		t.Errorf("reader pragmas %v, want WAL and query_only", reader)
	}
}
