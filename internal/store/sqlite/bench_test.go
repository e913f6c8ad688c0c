package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/sqlite"
	"parley/internal/store/storetest"
)

// BenchmarkPost measures posting through the Service with durability on
// (WAL, synchronous=FULL), one poster and 32, with group commit and without.
func BenchmarkPost(b *testing.B) {
	for _, bc := range []struct {
		name     string
		maxBatch int
		posters  int
	}{
		{"posters=1/group", 0, 1},
		{"posters=32/group", 0, 32},
		{"posters=1/single", 1, 1},
		{"posters=32/single", 1, 32},
	} {
		b.Run(bc.name, func(b *testing.B) {
			st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), sqlite.Options{MaxBatch: bc.maxBatch})
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			storetest.BenchPost(b, []forum.Store{st}, 1, bc.posters)
		})
	}
}

// BenchmarkPostInto posts, 32 posters with group commit, into the database
// named by $PARLEY_BENCH_DB (a copy: it adds a board and its posts), such
// as one that `parley import` filled with 1.5 M generated messages: what
// the size of the search index costs each post. Skipped without it.
func BenchmarkPostInto(b *testing.B) {
	path := os.Getenv("PARLEY_BENCH_DB")
	if path == "" {
		b.Skip("set PARLEY_BENCH_DB to a copy of a database to post into")
	}
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	storetest.BenchPost(b, []forum.Store{st}, 1, 32)
}

// BenchmarkWindow reads 50-message windows in a board of a million
// messages. The board is built once per machine and kept in the temp dir
// (about 1.3 GB) because building it takes a while.
func BenchmarkWindow(b *testing.B) {
	const size = 1_000_000
	storetest.BenchWindows(b, openMillionBoard(b, size), "big", size)
}

func openMillionBoard(b *testing.B, size int64) *sqlite.Store {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("parley-bench-window-%d-v1.db", size))
	st, err := sqlite.Open(context.Background(), path, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	storetest.FillBoard(b, st, size, func(ctx context.Context, boardID, authorID int64, n int) error {
		return sqlite.BulkFill(ctx, st, boardID, authorID, n, 600)
	})
	return st
}
