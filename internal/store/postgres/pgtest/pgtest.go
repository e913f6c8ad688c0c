// Package pgtest gives tests a throwaway PostgreSQL store: a schema of its
// own in the database PARLEY_TEST_POSTGRES names, dropped when the test
// ends, so that tests never see each other's rows. Without the variable
// the tests that need PostgreSQL skip.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"parley/internal/store/postgres"
)

// Env is the variable that names the test database.
const Env = "PARLEY_TEST_POSTGRES"

// DSN creates an empty schema and returns the address of the test database
// with that schema as its search_path, for anything that connects by
// address, such as a `parley serve` process. It skips tb when Env is unset.
func DSN(tb testing.TB) string {
	tb.Helper()
	base := baseURL(tb)
	b := make([]byte, 8)
	rand.Read(b)
	schema := "parley_test_" + hex.EncodeToString(b)
	exec(tb, base.String(), "CREATE SCHEMA "+schema)
	tb.Cleanup(func() { exec(tb, base.String(), "DROP SCHEMA "+schema+" CASCADE") })
	return inSchema(base, schema)
}

// KeptDSN is DSN for a schema that outlives the test, created if absent:
// benchmarks keep their large boards in one between runs.
func KeptDSN(tb testing.TB, schema string) string {
	tb.Helper()
	base := baseURL(tb)
	exec(tb, base.String(), "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{schema}.Sanitize())
	return inSchema(base, schema)
}

// Require skips tb when Env is unset, once for a test whose subtests
// would each skip.
func Require(tb testing.TB) {
	tb.Helper()
	if os.Getenv(Env) == "" {
		tb.Skipf("%s is not set: set it to a PostgreSQL URL such as postgres://postgres@127.0.0.1:5432/test to run this test on PostgreSQL", Env)
	}
}

// baseURL reads Env, skipping tb when it is unset.
func baseURL(tb testing.TB) *url.URL {
	tb.Helper()
	Require(tb)
	base := os.Getenv(Env)
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		tb.Fatalf("%s must be a postgres:// URL, not %q", Env, base)
	}
	return u
}

func inSchema(base *url.URL, schema string) string {
	u := *base
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func exec(tb testing.TB, dsn, sql string) {
	tb.Helper()
	ctx := tb.Context()
	if ctx.Err() != nil { // in Cleanup: the test's context has ended
		ctx = context.Background()
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		tb.Fatalf("connect to %s: %v", Env, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// Open returns a Store in a fresh schema, closed when tb ends.
func Open(tb testing.TB) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(tb.Context(), DSN(tb), postgres.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}
