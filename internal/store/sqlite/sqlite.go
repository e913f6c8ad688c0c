// Package sqlite is Parley's default store: one embedded SQLite file in WAL
// mode, one writer connection that commits concurrent posts together, and a
// pool of readers that never wait for it.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"parley/internal/forum"
	"parley/internal/store/groupcommit"
)

// Options tune the store; the zero value is right for serving.
type Options struct {
	// MaxBatch is the most calls of InTx (posts, removals, sign-in
	// limits) committed in one transaction (group commit). 1 commits each
	// alone, for measuring what sharing commits gains. Default groupcommit.DefaultMaxBatch.
	MaxBatch int
	// Readers is the size of the reading pool. Default: 2 × GOMAXPROCS, at
	// least 4.
	Readers int
}

// Store is a forum.Store on one SQLite database file.
type Store struct {
	writer *sql.DB // one connection: SQLite allows one writer at a time
	reader *sql.DB
	stmt   *statements

	// writes commits concurrent calls of InTx together on the writer.
	writes *groupcommit.Committer[func(forum.Tx) error]
	// relays are the deliver functions of Relay, by address.
	relayMu sync.Mutex
	relays  map[*func(forum.Event)]struct{}
}

var _ forum.Store = (*Store)(nil)

// Open opens the database at path, creating it if absent, and applies every
// migration.
func Open(ctx context.Context, path string, opt Options) (*Store, error) {
	if opt.Readers <= 0 {
		opt.Readers = max(4, 2*runtime.GOMAXPROCS(0))
	}
	// synchronous=FULL syncs the WAL at every commit, so an acknowledged
	// post survives power loss, not only a crash of the process. Deferred
	// transactions that later write fail with SQLITE_BUSY under
	// concurrency whatever the busy_timeout: the writer begins IMMEDIATE.
	//
	// A message's row (Markdown and HTML) is often more than a 4 KiB page
	// holds, and each read then follows its overflow pages; 16 KiB pages
	// hold nearly all in one. Measured on 200k generated messages: windows
	// at random places 1,534–1,797 → 1,841–2,636 pages/s, the import 20.8
	// → 16.7 s, the file 8% smaller. The size applies to databases created
	// from now on; an existing one keeps its own until VACUUM.
	writer, err := sql.Open("sqlite", dsn(path, url.Values{
		"_pragma":       {"page_size(16384)"},
		"_txlock":       {"immediate"},
		"_journal_mode": {"WAL"},
		"_synchronous":  {"FULL"},
		"_foreign_keys": {"1"},
		"_busy_timeout": {"10000"},
	}))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	writer.SetConnMaxIdleTime(0)
	if err := writer.PingContext(ctx); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate(ctx, writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("migrate %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, url.Values{
		"_query_only":   {"1"},
		"_busy_timeout": {"10000"},
	}))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	reader.SetMaxOpenConns(opt.Readers)
	reader.SetMaxIdleConns(opt.Readers)
	reader.SetConnMaxIdleTime(0)
	stmt, err := prepareStatements(ctx, reader, writer)
	if err != nil {
		reader.Close()
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	s := &Store{writer: writer, reader: reader, stmt: stmt, relays: map[*func(forum.Event)]struct{}{}}
	s.writes = groupcommit.New(opt.MaxBatch, s.commitBatch)
	return s, nil
}

func dsn(path string, params url.Values) string {
	return (&url.URL{Scheme: "file", Opaque: url.PathEscape(path), RawQuery: params.Encode()}).String()
}

// Close commits the writes already waiting, then closes the database.
func (s *Store) Close() error {
	if s.writes != nil { // nil when Open failed before it began
		s.writes.Close()
	}
	return errors.Join(s.stmt.close(), s.reader.Close(), s.writer.Close())
}

// micro and fromMicro convert times to the stored form.
func micro(t time.Time) int64 { return t.UnixMicro() }

func fromMicro(us int64) time.Time { return time.UnixMicro(us).UTC() }

func fromNullMicro(us sql.NullInt64) time.Time {
	if !us.Valid {
		return time.Time{}
	}
	return fromMicro(us.Int64)
}

// translate maps SQLite's error codes to the domain's; message text is never
// matched.
func translate(err error, conflict string) error {
	if err == nil {
		return nil
	}
	if conflict == "" {
		conflict = "that conflicts with what is stored"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return forum.WrapError(forum.CodeConflict, err, "%s", conflict)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return forum.WrapError(forum.CodeInvalid, err, "it refers to a member, board or message that does not exist")
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return forum.WrapError(forum.CodeUnavailable, err, "the database is busy; try again")
		case sqlite3.SQLITE_FULL:
			return forum.WrapError(forum.CodeUnavailable, err, "the database is out of space")
		}
	}
	return err
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Errorf(forum.CodeNotFound, format, args...)
	}
	return err
}
