// Package teststore runs a test on each of Parley's stores: SQLite always,
// PostgreSQL when PARLEY_TEST_POSTGRES names a database (the subtest skips
// otherwise), so that what is tested above the store is proven on both.
package teststore

import (
	"testing"

	"parley/internal/forum"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/sqlite/sqlitetest"
)

// Store is a store a test may also close early, to see what its callers
// do when the database is gone.
type Store interface {
	forum.Store
	Close() error
}

// Open returns a fresh, empty store, closed when tb ends.
type Open func(tb testing.TB) Store

// Each runs test as the subtests "sqlite" and "postgres".
func Each(t *testing.T, test func(t *testing.T, open Open)) {
	t.Run("sqlite", func(t *testing.T) {
		test(t, func(tb testing.TB) Store { return sqlitetest.Open(tb) })
	})
	t.Run("postgres", func(t *testing.T) {
		pgtest.Require(t)
		test(t, func(tb testing.TB) Store { return pgtest.Open(tb) })
	})
}
