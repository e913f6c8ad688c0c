package sqlite_test

import (
	"slices"
	"testing"

	"parley/internal/store/sqlite"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
)

// TestLoadRebuildsIndexes: a load larger than the table drops the
// secondary indexes on messages and builds them again at Commit: the same
// ones.
func TestLoadRebuildsIndexes(t *testing.T) {
	st := sqlitetest.Open(t)
	before, err := sqlite.Indexes(t.Context(), st, "messages")
	if err != nil || len(before) < 2 {
		t.Fatalf("indexes on messages before the load: %q, %v", before, err)
	}
	storetest.LoadMany(t, st, 50_001)
	if after, err := sqlite.Indexes(t.Context(), st, "messages"); err != nil || !slices.Equal(after, before) {
		t.Errorf("indexes after the load: %q, %v\nwant %q", after, err, before)
	}
}
