package main

import (
	"context"
	"flag"
	"io"
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

// openForum opens (creating and migrating) the database and returns the
// forum service over it, and the store for the caller to close.
func openForum(ctx context.Context, db string, cfg forum.Config) (*forum.Service, io.Closer, error) {
	store, err := sqlite.Open(ctx, db, sqlite.Options{})
	if err != nil {
		return nil, nil, err
	}
	cfg.Render = markup.Render
	svc, err := forum.NewService(store, cfg)
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return svc, store, nil
}
