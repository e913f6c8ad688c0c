package postgres_test

import (
	"testing"

	"parley/internal/store/postgres"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/storetest"
)

func TestLoadRebuildsIndexes(t *testing.T) {
	st := pgtest.Open(t)
	storetest.LoadRebuildsIndexes(t, st, func() ([]string, error) { return postgres.Indexes(t.Context(), st, "messages") })
}
