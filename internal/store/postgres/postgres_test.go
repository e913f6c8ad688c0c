package postgres_test

import (
	"testing"

	"parley/internal/forum"
	"parley/internal/store/postgres/pgtest"
	"parley/internal/store/storetest"
)

// TestConformance runs the suite every store passes, each test in a schema
// of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) forum.Store {
		return pgtest.Open(t)
	})
}
