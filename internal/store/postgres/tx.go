package postgres

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"parley/internal/forum"
	"parley/internal/store/groupcommit"
)

// InTx hands fn to the committer and waits for the commit that makes its
// writes durable. Calls that arrive while a batch commits are committed
// together by the next one.
func (s *Store) InTx(ctx context.Context, fn func(forum.Tx) error) error {
	return s.writes.Do(ctx, fn)
}

// commitBatch applies the writes of each call of the batch in one
// transaction and commits once. The answer comes only after the commit
// (pgx reads up to PostgreSQL's ReadyForQuery), so an acknowledged write is
// durable.
//
// Calls that only post are sent together, in one call of post_messages:
// one round trip for them all. Run one by one, each under a savepoint,
// posting fell from ~2,000 to ~950 posts/s with 32 posters (~1,550
// without the savepoints): a subtransaction and a round trip a post. A
// call of several writes runs under a savepoint, so that its refusal
// leaves nothing of it; a call of one write needs none, since each write
// refuses before it changes anything. An error of the database itself
// fails the batch, as it ends the transaction.
//
// A batch of posts alone locks boards in id order and authors in id order
// after them (post_messages), so that two processes' batches never wait
// for each other in a circle. A batch with other writes takes every board
// and rate bucket its writes touch first, in order, and then its posts in
// one call of post_messages: it waits in no circle either, with batches
// of posts or with its kind. Should the database find one all the same
// (a call of several writes, one a post, takes members apart), the batch
// is rolled back and run again. A lock of the schema's, shared by batches
// of posts and taken alone by the others, would keep them apart as well,
// but cost two instances posting to one board a tenth of their rate.
func (s *Store) commitBatch(batch []func(forum.Tx) error) []error {
	errs := make([]error, len(batch))
	calls := make([]tx, len(batch))
	for i, fn := range batch {
		errs[i] = groupcommit.Guard(fn, forum.Tx(&calls[i]))
	}
	// Not a caller's context, and no deadline: a batch serves many, and
	// once sent it may commit whatever the client does, so its answer is
	// awaited. The lock timeout bounds its waits; it rolls back when one
	// ends.
	ctx := context.Background()
	var (
		posts     []*forum.Message
		poster    []int // the call of each post
		onlyPosts = true
		boards    []int64
		keys      []string
	)
	for i, c := range calls {
		if errs[i] != nil {
			continue
		}
		for _, w := range c.writes {
			if w.board != 0 {
				boards = append(boards, w.board)
			}
			keys = append(keys, w.keys...)
		}
		if m := c.lonePost(); m != nil {
			posts, poster = append(posts, m), append(poster, i)
		} else if len(c.writes) > 0 {
			onlyPosts = false
		}
	}
	var err error
	switch {
	case onlyPosts && len(posts) == 0: // no call writes anything
	case onlyPosts:
		var refused []error
		refused, err = s.postAlone(ctx, posts)
		for k, e := range refused {
			errs[poster[k]] = e
		}
	default:
		err = s.mixed(ctx, calls, errs, posts, poster, boards, keys)
	}
	for i := range errs {
		if err != nil {
			errs[i] = postFailure(len(batch), err)
		} else if errs[i] != nil && forum.ErrorCode(errs[i]) == forum.CodeInternal {
			errs[i] = translate(errs[i], "")
		}
	}
	return errs
}

// mixed applies a batch that holds writes other than posts, setting errs
// of the calls it refuses; it returns the error that failed them all. It
// runs the batch again, up to three times in all, when the database ends
// it to break a deadlock.
func (s *Store) mixed(ctx context.Context, calls []tx, errs []error, posts []*forum.Message, poster []int,
	boards []int64, keys []string) error {
	slices.Sort(boards)
	boards = slices.Compact(boards)
	recorded := slices.Clone(errs)
	for attempt := 1; ; attempt++ {
		copy(errs, recorded)
		err := s.inBatch(ctx, func(q *pgxpool.Conn) error {
			if _, err := q.Exec(ctx, lockAll, boards, keys); err != nil {
				return fmt.Errorf("lock the boards and buckets written: %w", err)
			}
			if len(posts) > 0 {
				refused, err := s.post(ctx, q, posts)
				for k, e := range refused {
					errs[poster[k]] = e
				}
				if err != nil {
					return err
				}
			}
			for i, c := range calls {
				if errs[i] != nil || len(c.writes) == 0 || c.lonePost() != nil {
					continue
				}
				if errs[i] = s.apply(ctx, q, c.writes); q.Conn().PgConn().TxStatus() != 'T' {
					return errs[i] // the transaction failed, not only the call
				}
			}
			return nil
		})
		var pe *pgconn.PgError
		if attempt < 3 && errors.As(err, &pe) && pe.Code == "40P01" { // deadlock_detected
			continue
		}
		return err
	}
}

// lockAll takes the rows of the boards $1 and the rate buckets $2 (by
// advisory lock) in order, as every batch takes them.
const lockAll = `SELECT
	(SELECT count(*) FROM (SELECT FROM boards WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE) AS b),
	(SELECT count(pg_advisory_xact_lock(h))
		FROM (SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($2::text[]) AS k ORDER BY h) AS locks)`

// inBatch runs fn in a transaction on a connection of the pool, and
// commits when fn returns nil, the outbox's old events forgotten.
func (s *Store) inBatch(ctx context.Context, fn func(q *pgxpool.Conn) error) error {
	q, err := s.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The pool closes a connection given back inside a transaction.
	defer q.Release()
	if _, err := q.Exec(ctx, `BEGIN; SELECT set_config('lock_timeout', '30s', true)`); err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if _, err := q.Exec(ctx, forgetEvents, forum.OutboxKeep); err != nil {
		q.Exec(ctx, `ROLLBACK`) //nolint:errcheck // the error that ended it is the one to report
		return fmt.Errorf("forget old events: %w", err)
	}
	if err := fn(q); err != nil {
		q.Exec(ctx, `ROLLBACK`) //nolint:errcheck // as above
		return err
	}
	if _, err := q.Exec(ctx, `COMMIT`); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// apply runs the writes of one call, under a savepoint when there are
// several.
func (s *Store) apply(ctx context.Context, q sender, writes []write) error {
	if len(writes) == 1 {
		return writes[0].apply(ctx, s, q)
	}
	if _, err := q.Exec(ctx, `SAVEPOINT call`); err != nil {
		return err
	}
	for _, w := range writes {
		if err := w.apply(ctx, s, q); err != nil {
			if _, rerr := q.Exec(ctx, `ROLLBACK TO SAVEPOINT call`); rerr != nil {
				return rerr
			}
			return err
		}
	}
	_, err := q.Exec(ctx, `RELEASE SAVEPOINT call`)
	return err
}

// sender is the batch's connection, inside its transaction.
type sender interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// post stores posts with one call of post_messages
// (functions/post_messages.sql), which numbers each on its board's row, held
// to the commit, raises the counters, indexes the terms and announces each
// through the outbox. It returns each post's refusal, nil for those
// stored, and the error that failed them all.
func (s *Store) post(ctx context.Context, q sender, posts []*forum.Message) ([]error, error) {
	order, args := s.postArgs(posts)
	rows, err := q.Query(ctx, postQuery, args...)
	if err != nil {
		return make([]error, len(posts)), err
	}
	return readPosted(rows, posts, order)
}

// postAlone stores a batch of posts alone in one round trip: the outbox's
// old events forgotten, and post_messages, sent together in one implicit
// transaction.
func (s *Store) postAlone(ctx context.Context, posts []*forum.Message) ([]error, error) {
	order, args := s.postArgs(posts)
	b := &pgx.Batch{}
	// Old events are forgotten before the boards are taken, so that one
	// board's posts do not wait for it.
	b.Queue(forgetEvents, forum.OutboxKeep)
	b.Queue(postQuery, args...)
	br := s.pool.SendBatch(ctx, b)
	refused, err := make([]error, len(posts)), error(nil)
	if _, err = br.Exec(); err == nil {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			refused, err = readPosted(rows, posts, order)
		}
	}
	return refused, cmp.Or(err, br.Close())
}

// forgetEvents deletes events older than the newest $1, a thousand at a
// time, skipping those another batch is deleting.
const forgetEvents = `DELETE FROM events WHERE id IN (
	SELECT id FROM events WHERE id <= (SELECT max(id) FROM events) - $1 ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED)`

const postQuery = `SELECT message_id, message_number, reply_author, refused
	FROM post_messages($1, $2, $3, $4, $5, $6, $7)`

// postArgs are post_messages' arguments for posts, in board order, the
// order in which every batch of posts locks boards, with that order.
func (s *Store) postArgs(posts []*forum.Message) (order []int, args []any) {
	order = make([]int, len(posts))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(posts[a].BoardID, posts[b].BoardID) })
	var (
		boards, authors = make([]int64, len(posts)), make([]int64, len(posts))
		times           = make([]time.Time, len(posts))
		bodies, htmls   = make([]string, len(posts)), make([]string, len(posts))
		terms           = make([]string, len(posts))
		replyTo         = make([]*int64, len(posts))
	)
	for k, i := range order {
		m := posts[i]
		boards[k], authors[k], times[k], bodies[k], htmls[k] = m.BoardID, m.AuthorID, m.CreatedAt, m.Body, m.HTML
		if v := tsvector(m.Terms); v.Valid {
			terms[k] = v.String()
		}
		if m.ReplyTo != 0 {
			replyTo[k] = &m.ReplyTo
		}
	}
	return order, []any{boards, authors, times, bodies, htmls, replyTo, terms}
}

// readPosted reads post_messages' answer: it sets what each post stored
// is given, and returns each post's refusal, nil for those stored, and
// the error that failed them all.
func readPosted(rows pgx.Rows, posts []*forum.Message, order []int) ([]error, error) {
	refused := make([]error, len(posts))
	k := 0
	var id, number *int64
	var replyAuthor, why *string
	_, err := pgx.ForEachRow(rows, []any{&id, &number, &replyAuthor, &why}, func() error {
		if k >= len(posts) {
			return fmt.Errorf("post_messages answered more rows than the %d posts", len(posts))
		}
		m := posts[order[k]]
		switch {
		case why != nil:
			refused[order[k]] = refusal(*why, m)
		default:
			m.ID, m.Number = *id, *number
			if replyAuthor != nil {
				m.ReplyToAuthor = *replyAuthor
			}
		}
		k++
		return nil
	})
	if err == nil && k != len(posts) {
		err = fmt.Errorf("post_messages answered %d rows for %d posts", k, len(posts))
	}
	return refused, err
}

// postFailure is the error of a batch that failed as a whole. When the
// connection failed after the request was sent, the batch may have
// committed: the answer says so rather than claim it did not.
func postFailure(n int, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) || pgconn.SafeToRetry(err) {
		return translate(fmt.Errorf("write %d changes: %w", n, err), "")
	}
	return forum.WrapError(forum.CodeUnavailable, fmt.Errorf("write %d changes: %w", n, err),
		"the database stopped answering; the message may have been stored: look at the board before posting it again")
}

// tx is the forum.Tx of one call in a batch: it records the call's
// writes, and commitBatch applies them.
type tx struct {
	writes []write
}

// write is one recorded write: a post, or another write run as it is,
// with the board and the rate buckets it changes.
type write struct {
	post  *forum.Message
	run   func(ctx context.Context, q sender) error
	board int64
	keys  []string
}

func (w write) apply(ctx context.Context, s *Store, q sender) error {
	if w.post == nil {
		return w.run(ctx, q)
	}
	refused, err := s.post(ctx, q, []*forum.Message{w.post})
	return cmp.Or(err, refused[0])
}

// lonePost is the message a call posts when that is all it writes, nil
// otherwise.
func (t *tx) lonePost() *forum.Message {
	if len(t.writes) == 1 {
		return t.writes[0].post
	}
	return nil
}

func (t *tx) CreateMessage(m *forum.Message) {
	t.writes = append(t.writes, write{post: m, board: m.BoardID})
}

func (t *tx) RemoveMessage(boardID, number int64, how forum.Removal, at time.Time) {
	t.writes = append(t.writes, write{board: boardID, run: func(ctx context.Context, q sender) error {
		return removeMessage(ctx, q, boardID, number, how, at)
	}})
}

func (t *tx) Throttle(now time.Time, keys []string, decide func([]time.Time) bool) {
	t.writes = append(t.writes, write{keys: keys, run: func(ctx context.Context, q sender) error {
		return throttle(ctx, q, now, keys, decide)
	}})
}

// refusal is the error of a post that post_messages refused.
func refusal(why string, m *forum.Message) error {
	switch why {
	case "board":
		return forum.Errorf(forum.CodeNotFound, "no board %d", m.BoardID)
	case "author":
		return forum.Errorf(forum.CodeInvalid, "no member %d", m.AuthorID)
	case "reply_to":
		return forum.Errorf(forum.CodeInvalid, "reply_to: this board has no message %d", m.ReplyTo)
	}
	return fmt.Errorf("post_messages refused message for an unknown reason %q", why)
}

// removeMessage takes the board's row first (the batch has it already),
// as posting and Reindex do before the rows of its messages: a reindex of
// the board waits, rather than deadlocks.
func removeMessage(ctx context.Context, q sender, boardID, number int64, how forum.Removal, at time.Time) error {
	if _, err := q.Exec(ctx, `SELECT FROM boards WHERE id = $1 FOR UPDATE`, boardID); err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	tag, err := q.Exec(ctx, `UPDATE messages SET removed = $3, removed_at = $4
		WHERE board_id = $1 AND number = $2 AND removed = ''`, boardID, number, how, at)
	if err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := q.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM messages WHERE board_id = $1 AND number = $2)`,
			boardID, number).Scan(&exists); err != nil {
			return fmt.Errorf("remove message %d: %w", number, err)
		}
		if !exists {
			return forum.Errorf(forum.CodeNotFound, "no message %d", number)
		}
		return forum.Errorf(forum.CodeConflict, "message %d is removed already", number)
	}
	// A removed message is found by no search from now on.
	if _, err := q.Exec(ctx, `DELETE FROM message_search
		WHERE message_id = (SELECT id FROM messages WHERE board_id = $1 AND number = $2)`, boardID, number); err != nil {
		return fmt.Errorf("remove message %d from the search index: %w", number, err)
	}
	if _, err := q.Exec(ctx, `UPDATE boards SET revision = revision + 1, changed_at = greatest(changed_at, $2) WHERE id = $1`,
		boardID, at); err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	if _, err := q.Exec(ctx, `INSERT INTO events (kind, board_id, number, at) VALUES ($1, $2, $3, $4)`,
		forum.Removed, boardID, number, at); err != nil {
		return fmt.Errorf("remove message %d: %w", number, err)
	}
	return nil
}

// throttle reads and stores the buckets, whose advisory locks the batch
// holds, so that an attempt counted through another process is never read
// before it is stored. Buckets that are full again are deleted a few at a time,
// skipping any row another transaction holds.
func throttle(ctx context.Context, q sender, now time.Time, keys []string, decide func([]time.Time) bool) error {
	rows, err := q.Query(ctx, `SELECT key, full_at FROM throttles WHERE key = ANY($1) AND full_at > $2`, keys, now)
	if err != nil {
		return fmt.Errorf("read buckets: %w", err)
	}
	stored := make(map[string]time.Time, len(keys))
	var key string
	var full time.Time
	if _, err := pgx.ForEachRow(rows, []any{&key, &full}, func() error {
		stored[key] = utc(full)
		return nil
	}); err != nil {
		return fmt.Errorf("read buckets: %w", err)
	}
	times := make([]time.Time, len(keys))
	for i, k := range keys {
		times[i] = stored[k]
	}
	if !decide(times) {
		return nil
	}
	// One row per key: a key given twice keeps its last time.
	for i, k := range keys {
		stored[k] = times[i]
	}
	ks, ts := make([]string, 0, len(stored)), make([]time.Time, 0, len(stored))
	for k, t := range stored {
		ks, ts = append(ks, k), append(ts, t)
	}
	if _, err := q.Exec(ctx, `INSERT INTO throttles (key, full_at) SELECT * FROM unnest($1::text[], $2::timestamptz[])
		ON CONFLICT (key) DO UPDATE SET full_at = excluded.full_at`, ks, ts); err != nil {
		return fmt.Errorf("store buckets: %w", err)
	}
	if _, err := q.Exec(ctx, `DELETE FROM throttles WHERE key IN (
		SELECT key FROM throttles WHERE full_at <= $1 LIMIT 100 FOR UPDATE SKIP LOCKED)`, now); err != nil {
		return fmt.Errorf("forget full buckets: %w", err)
	}
	return nil
}
