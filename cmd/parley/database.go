package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/store/postgres"
	"parley/internal/store/sqlite"
)

// defaultDB is the database every command uses unless told otherwise: a
// file in the working directory, so that `go run ./cmd/parley serve` works
// from a fresh clone.
const defaultDB = "parley.db"

// dbFlag declares --db, which every command has.
func dbFlag(fs *flag.FlagSet, db *string) {
	fs.StringVar(db, "db", defaultDB, "the SQLite database `file` (created and migrated if absent), or a postgres:// URL")
}

// isPostgres reports whether --db names a PostgreSQL database rather than a
// SQLite file.
func isPostgres(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}

// checkDB validates the value of --db.
func checkDB(cl *commandLine, db string) error {
	if db == "" {
		return usageErrorf("%s must name a database file or a postgres:// URL", cl.origin("db"))
	}
	if isPostgres(db) {
		// The parser's error may quote the password: never show it.
		if _, err := url.Parse(db); err != nil {
			return usageErrorf("%s is not a valid URL (percent-encode reserved characters such as / ? # @ in the user name and password)", cl.origin("db"))
		}
	}
	return nil
}

// shownDB is the database as logs may show it: without a password.
func shownDB(db string) string {
	if !isPostgres(db) {
		return db
	}
	u, err := url.Parse(db)
	if err != nil {
		return "postgres://…"
	}
	return u.Redacted()
}

// store is what withForum opens.
type store interface {
	forum.Store
	Close() error
}

// openStore opens the database --db names, creating and migrating it.
func openStore(ctx context.Context, db string, log *slog.Logger) (store, error) {
	if isPostgres(db) {
		return postgres.Open(ctx, db, postgres.Options{Log: log})
	}
	return sqlite.Open(ctx, db, sqlite.Options{})
}

// withStore opens (creating and migrating) the database, runs fn with it and
// closes it, which commits the posts still waiting; a failure to close is
// reported unless fn failed first.
func withStore(ctx context.Context, db string, log *slog.Logger, fn func(store) error) error {
	st, err := openStore(ctx, db, log)
	if err != nil {
		return err
	}
	err = fn(st)
	if cerr := st.Close(); err == nil && cerr != nil {
		return fmt.Errorf("close %s: %w", shownDB(db), cerr)
	}
	return err
}

// withForum runs fn with the forum service over the database, as withStore.
func withForum(ctx context.Context, db string, cfg forum.Config, log *slog.Logger, fn func(*forum.Service) error) error {
	return withStore(ctx, db, log, func(st store) error {
		cfg.Render = markup.Render
		svc, err := forum.NewService(st, cfg)
		if err != nil {
			return err
		}
		return fn(svc)
	})
}
