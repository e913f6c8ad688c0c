package sqlite_test

import (
	"testing"

	"parley/internal/store/sqlite"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
)

func TestLoadRebuildsIndexes(t *testing.T) {
	st := sqlitetest.Open(t)
	storetest.LoadRebuildsIndexes(t, st, func() ([]string, error) { return sqlite.Indexes(t.Context(), st, "messages") })
}
