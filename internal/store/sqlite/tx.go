package sqlite

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"parley/internal/forum"
	"parley/internal/store/groupcommit"
)

// InTx hands fn to the committer and waits for the commit that makes its
// writes durable. Calls that arrive while a commit is syncing are
// committed together by the next one (group commit): with
// synchronous=FULL each commit costs an fsync, and sharing it is what
// keeps posting fast.
func (s *Store) InTx(ctx context.Context, fn func(forum.Tx) error) error {
	return s.writes.Do(ctx, fn)
}

// commitBatch runs each call of the batch in one transaction and commits
// once. Each runs under its own savepoint, so one that fails (a reply to a
// missing message, an unknown author) fails alone and leaves nothing
// behind; only a failed commit fails them all.
func (s *Store) commitBatch(batch []func(forum.Tx) error) []error {
	errs := make([]error, len(batch))
	var events []forum.Event
	// Not the callers' contexts: a batch serves many, and one leaving must
	// not roll back the others.
	ctx := context.Background()
	err := s.inTx(ctx, func(sqlTx *sql.Tx) error {
		for i, fn := range batch {
			if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT write`); err != nil {
				return err
			}
			t := &tx{store: s, tx: sqlTx, ctx: ctx}
			if errs[i] = cmp.Or(groupcommit.Guard(fn, forum.Tx(t)), t.err); errs[i] != nil {
				if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO write`); err != nil {
					return err
				}
			} else {
				events = append(events, t.events...)
			}
			if _, err := sqlTx.ExecContext(ctx, `RELEASE write`); err != nil {
				return err
			}
		}
		return writeEvents(ctx, sqlTx, events)
	})
	for i := range errs {
		if err != nil {
			errs[i] = err
		} else {
			errs[i] = translate(errs[i], "")
		}
	}
	if err == nil {
		s.relay(events)
	}
	return errs
}

// Relay delivers the events of each batch once it has committed, before
// its callers are answered: this process is the database's only writer.
func (s *Store) Relay(ctx context.Context, deliver func(forum.Event), lost func()) error {
	r := &deliver
	s.relayMu.Lock()
	s.relays[r] = struct{}{}
	s.relayMu.Unlock()
	lost() // listening
	<-ctx.Done()
	s.relayMu.Lock()
	delete(s.relays, r)
	s.relayMu.Unlock()
	return nil
}

func (s *Store) relay(events []forum.Event) {
	s.relayMu.Lock()
	defer s.relayMu.Unlock()
	for deliver := range s.relays {
		for _, e := range events {
			(*deliver)(e)
		}
	}
}

// inTx runs fn in a transaction on the writer and commits it, translating
// what fails.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return translate(fmt.Errorf("begin: %w", err), "")
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return translate(err, "")
	}
	if err := tx.Commit(); err != nil {
		return translate(fmt.Errorf("commit: %w", err), "")
	}
	return nil
}

// tx is the forum.Tx of one call in a batch: it writes at once, in the
// writer's transaction, until a write fails; the call's first error is
// err, and its savepoint is rolled back.
type tx struct {
	store *Store
	tx    *sql.Tx
	ctx   context.Context
	err   error
	// events are those the call's writes make: written to the outbox at
	// the end of the batch, when the call's writes stand, and delivered
	// once it commits.
	events []forum.Event
}

func (t *tx) do(write func() error) {
	if t.err == nil {
		t.err = write()
	}
}

func (t *tx) CreateMessage(m *forum.Message) { t.do(func() error { return t.createMessage(m) }) }

func (t *tx) RemoveMessage(boardID, number int64, how forum.Removal, at time.Time) {
	t.do(func() error { return t.removeMessage(boardID, number, how, at) })
}

func (t *tx) Throttle(now time.Time, keys []string, decide func([]time.Time) bool) {
	t.do(func() error { return t.throttle(now, keys, decide) })
}

// createMessage numbers and inserts one message, raising the replied-to
// message's reply count and its author's message count, and writes it to
// the outbox. The batch rolls
// back to the call's savepoint when it fails, which undoes the counters
// with the message.
func (t *tx) createMessage(m *forum.Message) error {
	ctx, stmt := t.ctx, t.store.stmt
	err := t.tx.StmtContext(ctx, stmt.numberMessage).QueryRowContext(ctx, micro(m.CreatedAt), m.BoardID).Scan(&m.Number)
	if errors.Is(err, sql.ErrNoRows) {
		return forum.Errorf(forum.CodeNotFound, "no board %d", m.BoardID)
	}
	if err != nil {
		return fmt.Errorf("number message: %w", err)
	}
	var replyAuthorID sql.NullInt64
	if m.ReplyTo != 0 {
		err := t.tx.StmtContext(ctx, stmt.countReply).QueryRowContext(ctx, m.BoardID, m.ReplyTo).Scan(&replyAuthorID)
		if errors.Is(err, sql.ErrNoRows) {
			return forum.Errorf(forum.CodeInvalid, "reply_to: this board has no message %d", m.ReplyTo)
		}
		if err != nil {
			return fmt.Errorf("count reply to %d: %w", m.ReplyTo, err)
		}
	}
	if err := t.tx.StmtContext(ctx, stmt.insertMessage).QueryRowContext(ctx,
		m.BoardID, m.Number, m.AuthorID, micro(m.CreatedAt), m.Body, m.HTML,
		sql.NullInt64{Int64: m.ReplyTo, Valid: m.ReplyTo != 0}, replyAuthorID).Scan(&m.ID); err != nil {
		return fmt.Errorf("insert message %d: %w", m.Number, err)
	}
	if m.Terms != "" {
		if _, err := t.tx.StmtContext(ctx, stmt.indexMessage).ExecContext(ctx, m.ID, m.Terms, tags(m.BoardID, m.AuthorID, m.ReplyTo)); err != nil {
			return fmt.Errorf("index message %d: %w", m.Number, err)
		}
	}
	// After the insert, whose foreign key refuses an unknown author: the
	// update alone would change nothing and say nothing.
	if _, err := t.tx.StmtContext(ctx, stmt.countAuthor).ExecContext(ctx, m.AuthorID); err != nil {
		return fmt.Errorf("count message of user %d: %w", m.AuthorID, err)
	}
	if replyAuthorID.Valid {
		if err := t.tx.StmtContext(ctx, stmt.userName).QueryRowContext(ctx, replyAuthorID.Int64).Scan(&m.ReplyToAuthor); err != nil {
			return fmt.Errorf("reply author: %w", err)
		}
	}
	t.events = append(t.events, forum.Event{Kind: forum.Posted, BoardID: m.BoardID, Number: m.Number, At: m.CreatedAt, Message: m})
	return nil
}

func (t *tx) removeMessage(boardID, number int64, how forum.Removal, at time.Time) error {
	ctx := t.ctx
	var removed forum.Removal
	err := t.tx.QueryRowContext(ctx, `SELECT removed FROM messages WHERE board_id = ? AND number = ?`, boardID, number).Scan(&removed)
	if err != nil {
		return notFound(err, "no message %d", number)
	}
	if removed != forum.NotRemoved {
		return forum.Errorf(forum.CodeConflict, "message %d is removed already", number)
	}
	var id int64
	if err := t.tx.QueryRowContext(ctx, `UPDATE messages SET removed = ?, removed_at = ? WHERE board_id = ? AND number = ? RETURNING id`,
		how, micro(at), boardID, number).Scan(&id); err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	// A removed message is found by no search from now on.
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM message_search WHERE rowid = ?`, id); err != nil {
		return fmt.Errorf("remove message %d from the search index: %w", number, err)
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE boards SET revision = revision + 1, changed_at = max(coalesce(changed_at, 0), ?) WHERE id = ?`,
		micro(at), boardID); err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	t.events = append(t.events, forum.Event{Kind: forum.Removed, BoardID: boardID, Number: number, At: at})
	return nil
}

// throttle runs on the writer, whose one connection makes the transaction
// exclusive: no other attempt reads the buckets until this one is stored.
func (t *tx) throttle(now time.Time, keys []string, decide func([]time.Time) bool) error {
	ctx := t.ctx
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM throttles WHERE full_at <= ?`, micro(now)); err != nil {
		return fmt.Errorf("forget full buckets: %w", err)
	}
	times := make([]time.Time, len(keys))
	for i, key := range keys {
		var full int64
		err := t.tx.QueryRowContext(ctx, `SELECT full_at FROM throttles WHERE key = ?`, key).Scan(&full)
		switch {
		case err == nil:
			times[i] = fromMicro(full)
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("read bucket %q: %w", key, err)
		}
	}
	if !decide(times) {
		return nil
	}
	for i, key := range keys {
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO throttles (key, full_at) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET full_at = excluded.full_at`, key, micro(times[i])); err != nil {
			return fmt.Errorf("store bucket %q: %w", key, err)
		}
	}
	return nil
}

// writeEvents writes the events of the batch's calls that stand to the
// outbox, in their order, a few hundred to a statement (one statement
// where a post was one), and forgets those older than the newest
// forum.OutboxKeep.
func writeEvents(ctx context.Context, tx *sql.Tx, events []forum.Event) error {
	for chunk := range slices.Chunk(events, 200) {
		var q strings.Builder
		q.WriteString(`INSERT INTO events (kind, board_id, number, at) VALUES `)
		args := make([]any, 0, 4*len(chunk))
		for i, e := range chunk {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			args = append(args, e.Kind, e.BoardID, e.Number, micro(e.At))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("write %d events: %w", len(chunk), err)
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM events WHERE id <= (SELECT max(id) FROM events) - ?`, forum.OutboxKeep); err != nil {
		return fmt.Errorf("forget old events: %w", err)
	}
	return nil
}
