package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"parley/internal/forum"
	"parley/internal/store/postgres"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/storetest"
)

// BenchmarkPost measures posting through the Service, as the SQLite
// store's BenchmarkPost does, with group commit and without (single): one
// process's store, then two processes' (two stores on one database); to
// one board, whose row numbers the posts one at a time, and to four.
func BenchmarkPost(b *testing.B) {
	for _, bc := range []struct {
		name                                 string
		maxBatch, instances, boards, posters int
	}{
		{"posters=1/group", 0, 1, 1, 1},
		{"posters=32/group", 0, 1, 1, 32},
		{"posters=32/group/instances=2", 0, 2, 1, 32},
		{"posters=32/group/boards=4", 0, 1, 4, 32},
		{"posters=32/group/boards=4/instances=2", 0, 2, 4, 32},
		{"posters=1/single", 1, 1, 1, 1},
		{"posters=32/single", 1, 1, 1, 32},
		{"posters=32/single/instances=2", 1, 2, 1, 32},
		{"posters=32/single/boards=4", 1, 1, 4, 32},
	} {
		b.Run(bc.name, func(b *testing.B) {
			dsn := pgtest.DSN(b)
			stores := make([]forum.Store, bc.instances)
			for i := range stores {
				st, err := postgres.Open(context.Background(), dsn, postgres.Options{MaxBatch: bc.maxBatch})
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				stores[i] = st
			}
			storetest.BenchPost(b, stores, bc.boards, bc.posters)
		})
	}
}

// BenchmarkWindow reads 50-message windows in a board of a million
// messages, kept between runs in a schema of its own.
func BenchmarkWindow(b *testing.B) {
	const size = 1_000_000
	storetest.BenchWindows(b, openMillionBoard(b, size), "big", size)
}

func openMillionBoard(b *testing.B, size int64) *postgres.Store {
	b.Helper()
	ctx := context.Background()
	st, err := postgres.Open(ctx, pgtest.KeptDSN(b, fmt.Sprintf("parley_bench_window_%d_v1", size)), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	storetest.FillBoard(b, st, size, func(ctx context.Context, boardID, authorID int64, n int) error {
		if err := postgres.BulkFill(ctx, st, boardID, authorID, n, 600); err != nil {
			return err
		}
		// Fresh statistics, as autovacuum would have made by the time a
		// board is this big.
		_, err := st.Pool().Exec(ctx, `ANALYZE messages`)
		return err
	})
	return st
}
