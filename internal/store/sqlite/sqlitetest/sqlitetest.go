// Package sqlitetest gives tests a throwaway SQLite store: a real file, so
// that WAL, fsync and the reader pool run as they do in production.
package sqlitetest

import (
	"path/filepath"
	"testing"

	"parley/internal/store/sqlite"
)

// Open returns a Store on a fresh file in tb's temporary directory, closed
// when tb ends.
func Open(tb testing.TB) *sqlite.Store {
	tb.Helper()
	st, err := sqlite.Open(tb.Context(), filepath.Join(tb.TempDir(), "parley.db"), sqlite.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
