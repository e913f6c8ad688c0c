// Package postgres is Parley's store on PostgreSQL, for forums that outgrow
// one machine: any number of `parley serve` processes may share one
// database. Posts to a board take turns on the board's row, which numbers
// them; PostgreSQL's own commit makes each durable, and LISTEN/NOTIFY tells
// every process of every post.
package postgres

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/forum"
	"parley/internal/store/groupcommit"
)

// Options tune the store; the zero value is right for serving. The pool's
// size is the DSN's pool_max_conns (default: the larger of 4 and the
// number of CPUs).
type Options struct {
	// Log receives what no caller can be told: the errors of the
	// connection that listens for other processes' posts. Default
	// slog.Default().
	Log *slog.Logger
	// MaxBatch is the most calls of InTx committed in one transaction
	// (group commit); 1 commits each alone. Default
	// groupcommit.DefaultMaxBatch.
	MaxBatch int
}

// Store is a forum.Store on a PostgreSQL database, in the schema its
// search_path names first.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
	// channel carries the announcements of new messages: named after the
	// schema, since NOTIFY is database-wide and two forums may share a
	// database in two schemas.
	channel string
	// writes commits concurrent calls of InTx together.
	writes *groupcommit.Committer[func(forum.Tx) error]
}

var (
	_ forum.Store      = (*Store)(nil)
	_ forum.EventRelay = (*Store)(nil)
)

// Open connects to the database at dsn (a postgres:// URL or a libpq
// key=value string) and applies every migration not yet applied.
func Open(ctx context.Context, dsn string, opt Options) (*Store, error) {
	if opt.Log == nil {
		opt.Log = slog.Default()
	}
	cfg, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("read the PostgreSQL address: %w", err)
	}
	// Every query of this store is a keyed lookup whose best plan does not
	// depend on its arguments, yet left to choose, PostgreSQL planned the
	// four-table window query afresh at each read: a quarter of its cost
	// (BenchmarkWindow/readers=16, 1,051 → 1,408 windows/s). A DSN that
	// sets plan_cache_mode keeps its own.
	if _, set := cfg.ConnConfig.RuntimeParams["plan_cache_mode"]; !set {
		cfg.ConnConfig.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	s := &Store{pool: pool, log: opt.Log}
	if err := s.start(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	s.writes = groupcommit.New(opt.MaxBatch, s.commitBatch)
	return s, nil
}

func (s *Store) start(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		// pgx writes a line per address tried; the last says what failed.
		lines := strings.Split(strings.TrimSpace(err.Error()), "\n")
		cc := s.pool.Config().ConnConfig
		return fmt.Errorf("connect to PostgreSQL at %s:%d: %s", cc.Host, cc.Port, strings.TrimSpace(lines[len(lines)-1]))
	}
	if err := migrate(ctx, s.pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	var schema string
	if err := s.pool.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return fmt.Errorf("read the schema: %w", err)
	}
	// A channel's name is an identifier, at most 63 bytes: a long schema
	// name is hashed, not cut, so that two schemas never share a channel.
	s.channel = "parley." + schema
	if len(s.channel) > 63 {
		sum := sha256.Sum256([]byte(schema))
		s.channel = "parley." + hex.EncodeToString(sum[:16])
	}
	return nil
}

// Close commits the writes already waiting, then closes every connection
// of the pool, waiting for those in use.
func (s *Store) Close() error {
	s.writes.Close()
	s.pool.Close()
	return nil
}

// translate maps PostgreSQL's SQLSTATE codes to the domain's; message text
// is never matched.
func translate(err error, conflict string) error {
	if err == nil {
		return nil
	}
	if conflict == "" {
		conflict = "that conflicts with what is stored"
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return forum.WrapError(forum.CodeConflict, err, "%s", conflict)
		case "23503": // foreign_key_violation
			return forum.WrapError(forum.CodeInvalid, err, "it refers to a member, board or message that does not exist")
		case "22021", "22P05": // character_not_in_repertoire, untranslatable_character: NUL
			return forum.WrapError(forum.CodeInvalid, err, "the text holds a character the database cannot store")
		case "40001", "40P01", "55P03", "57014": // serialization_failure, deadlock_detected, lock_not_available, query_canceled
			return forum.WrapError(forum.CodeUnavailable, err, "the database is busy; try again")
		case "25006": // read_only_sql_transaction: a standby, as after a failover
			return forum.WrapError(forum.CodeUnavailable, err, "the database takes no writes at the moment; try again")
		case "53100": // disk_full
			return forum.WrapError(forum.CodeUnavailable, err, "the database is out of space")
		case "53300", "57P01", "57P02", "57P03": // too_many_connections, admin_shutdown, crash_shutdown, cannot_connect_now
			return forum.WrapError(forum.CodeUnavailable, err, "the database is not available; try again")
		}
		return err
	}
	// Failures of the connection itself: refused, closed, timed out.
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || pgconn.Timeout(err) || pgconn.SafeToRetry(err) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return forum.WrapError(forum.CodeUnavailable, err, "the database is not available; try again")
	}
	return err
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return forum.Errorf(forum.CodeNotFound, format, args...)
	}
	return translate(err, "")
}

// utc reads a stored time: pgx answers in the local zone.
func utc(t time.Time) time.Time { return t.UTC() }

// nullTime reads a time that may be NULL, the zero time then.
func nullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}
