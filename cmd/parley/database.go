package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/store/sqlite"
)

// defaultDB is the database every command uses unless told otherwise: a
// file in the working directory, so that `go run ./cmd/parley serve` works
// from a fresh clone.
const defaultDB = "parley.db"

// dbFlag declares --db, which every command has.
func dbFlag(fs *flag.FlagSet, db *string) {
	fs.StringVar(db, "db", defaultDB, "the SQLite database `file`; created and migrated if absent")
}

// checkDB validates the value of --db.
func checkDB(cl *commandLine, db string) error {
	switch {
	case db == "":
		return usageErrorf("%s must name a database file", cl.origin("db"))
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		// Said plainly rather than creating a file named "postgres:".
		return usageErrorf("%s: PostgreSQL is not supported by this version of Parley yet; give a file name", cl.origin("db"))
	}
	return nil
}

// withForum opens (creating and migrating) the database, runs fn with the
// forum service over it, and closes it, which commits the posts still
// waiting; a failure to close is reported unless fn failed first.
func withForum(ctx context.Context, db string, cfg forum.Config, fn func(*forum.Service) error) error {
	store, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		return err
	}
	cfg.Render = markup.Render
	svc, err := forum.NewService(store, cfg)
	if err == nil {
		err = fn(svc)
	}
	if cerr := store.Close(); err == nil && cerr != nil {
		return fmt.Errorf("close %s: %w", db, cerr)
	}
	return err
}
