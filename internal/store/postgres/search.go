package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"parley/internal/forum"
	"parley/internal/search"
)

// Search compiles f into a tsquery of quoted lexemes (never the reader's
// text) and SQL on messages. Unlike the other reads it is planned with its
// arguments in view (the simple protocol), not by the generic plan the
// store otherwise forces: how to read a word found in half the messages and
// one found in three is a choice the planner makes from the tsquery.
func (s *Store) Search(ctx context.Context, f forum.SearchFilter) (forum.SearchHits, error) {
	q := f.Query
	args := []any{pgx.QueryExecModeSimpleProtocol}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args)-1)
	}
	var filter []string
	if f.Board != nil {
		filter = append(filter, "m.board_id = "+arg(f.Board.ID))
	}
	if f.Author != nil {
		filter = append(filter, "m.author_id = "+arg(f.Author.ID))
	}
	if !q.After.IsZero() {
		filter = append(filter, "m.created_at >= "+arg(q.After))
	}
	if !q.Before.IsZero() {
		filter = append(filter, "m.created_at < "+arg(q.Before))
	}
	if q.ReplyTo > 0 {
		filter = append(filter, "m.reply_to = "+arg(q.ReplyTo))
	}
	if q.From > 0 {
		filter = append(filter, "m.number >= "+arg(q.From))
	}
	if q.To > 0 {
		filter = append(filter, "m.number <= "+arg(q.To))
	}
	// The index holds no removed message: only reads through messages
	// need to leave them out.
	if !q.HasText() {
		filter = append(filter, "m.removed = ''")
	}

	var query string
	switch {
	case q.HasText() && f.Sort == forum.SortRelevance:
		// The candidates, one more than are ranked to tell whether more
		// match, then the page of their ranking: the count and the OFFSET
		// run over those rows, never over a board.
		tsq := arg(tsquery(q)) + "::tsquery"
		from := `message_search s`
		if len(filter) > 0 {
			from = `message_search s JOIN messages m ON m.id = s.message_id`
		}
		filter = append(filter, "s.terms @@ "+tsq)
		if f.Through > 0 {
			filter = append(filter, "s.message_id <= "+arg(f.Through))
		}
		query = `WITH found AS MATERIALIZED (
				SELECT s.message_id AS id, ts_rank(s.terms, ` + tsq + `)::float8 AS rank
				FROM ` + from + ` WHERE ` + strings.Join(filter, " AND ") + `
				ORDER BY s.message_id DESC LIMIT ` + arg(f.Candidates+1) + `),
			c AS MATERIALIZED (SELECT * FROM found ORDER BY id DESC LIMIT ` + arg(f.Candidates) + `)
			SELECT ` + messageColumns + `, (SELECT count(*) FROM found), (SELECT max(id) FROM c)
			FROM c JOIN messages m ON m.id = c.id` + messageJoins + `
			ORDER BY c.rank DESC, c.id DESC LIMIT ` + arg(f.Limit) + ` OFFSET ` + arg(f.Skip)
	case q.HasText():
		filter = append(filter, "s.terms @@ "+arg(tsquery(q))+"::tsquery")
		if f.After > 0 {
			filter = append(filter, "s.message_id < "+arg(f.After))
		}
		query = `SELECT ` + messageColumns + `, 0, 0::bigint FROM message_search s JOIN messages m ON m.id = s.message_id` + messageJoins + `
			WHERE ` + strings.Join(filter, " AND ") + ` ORDER BY s.message_id DESC LIMIT ` + arg(f.Limit)
	default:
		// Without words there are no words to leave out and no days
		// (search.Parse). Through the narrower of board and author:
		// within a board, numbers and IDs grow together, and ordering by
		// number reads the board's own index; an author's messages are
		// read by ID.
		byBoard := f.ThroughBoard()
		order := "m.id DESC"
		if byBoard {
			order = "m.number DESC"
		}
		if f.After > 0 {
			if byBoard {
				filter = append(filter, "m.number < (SELECT number FROM messages WHERE id = "+arg(f.After)+")")
			} else {
				filter = append(filter, "m.id < "+arg(f.After))
			}
		}
		query = `SELECT ` + messageColumns + `, 0, 0::bigint FROM messages m` + messageJoins + `
			WHERE ` + strings.Join(filter, " AND ") + ` ORDER BY ` + order + ` LIMIT ` + arg(f.Limit)
	}

	var page forum.SearchHits
	err := pgx.BeginTxFunc(ctx, s.pool, pgx.TxOptions{AccessMode: pgx.ReadOnly}, func(tx pgx.Tx) error {
		// The server stops the search at the caller's deadline, a little
		// before it: a query the client stops waiting for otherwise runs
		// on, and the connection it held is closed rather than reused.
		if deadline, ok := ctx.Deadline(); ok {
			ms := max(1, time.Until(deadline).Milliseconds()-statementMargin.Milliseconds())
			if _, err := tx.Exec(ctx, `SELECT set_config('statement_timeout', $1, true)`, strconv.FormatInt(ms, 10)); err != nil {
				return err
			}
		}
		rows, err := tx.Query(ctx, query, args...)
		if err != nil {
			return err
		}
		var found int
		page.Hits, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (forum.Message, error) {
			var m forum.Message
			err := scanMessage(row, &m, &found, &page.Through)
			return m, err
		})
		page.Capped = f.Sort == forum.SortRelevance && found > f.Candidates
		return err
	})
	if err != nil {
		if pe, ok := errors.AsType[*pgconn.PgError](err); ok && pe.Code == "57014" && !errors.Is(ctx.Err(), context.Canceled) {
			// query_canceled: by the statement timeout set above, not by
			// a caller who left.
			return page, fmt.Errorf("search: %w (%w)", context.DeadlineExceeded, err)
		}
		return page, translate(fmt.Errorf("search: %w", err), "")
	}
	return page, nil
}

// statementMargin is how much earlier than the caller's deadline the
// server stops a search, so that its answer arrives first.
const statementMargin = 20 * time.Millisecond

// tsquery returns q's words as a tsquery: every group, each any of its
// phrases, and none of q.None.
func tsquery(q search.Query) string {
	parts := make([]string, 0, len(q.All)+len(q.None))
	for _, g := range q.All {
		parts = append(parts, "( "+anyOf(g)+" )")
	}
	for _, p := range q.None {
		parts = append(parts, "!( "+phrase(p)+" )")
	}
	return strings.Join(parts, " & ")
}

func anyOf(phrases []search.Phrase) string {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = phrase(p)
	}
	return strings.Join(quoted, " | ")
}

// phrase returns p as lexemes that follow each other (<->).
func phrase(p search.Phrase) string {
	quoted := make([]string, len(p))
	for i, term := range p {
		quoted[i] = lexeme(term)
	}
	return strings.Join(quoted, " <-> ")
}

// lexeme quotes a term for a tsquery or a tsvector: as it is, with no
// stemming or folding of PostgreSQL's.
func lexeme(term string) string {
	return "'" + quoting.Replace(term) + "'"
}

var quoting = strings.NewReplacer(`'`, `''`, `\`, `\\`)

// tsvector makes the terms (search.Text) a tsvector: each term with the
// positions, from 1, where it occurs. search.Text holds a term in at most
// 256 places (MAXNUMPOS: a tsvector's text form drops any more, and its
// binary form, which COPY sends, refuses them).
func tsvector(terms string) pgtype.TSVector {
	if terms == "" {
		return pgtype.TSVector{}
	}
	var v pgtype.TSVector
	at := map[string]int{} // term → its index in v.Lexemes
	i := -1
	for term := range strings.SplitSeq(terms, " ") {
		i++
		if term == search.Unindexed {
			continue
		}
		k, ok := at[term]
		if !ok {
			k = len(v.Lexemes)
			at[term] = k
			v.Lexemes = append(v.Lexemes, pgtype.TSVectorLexeme{Word: term})
		}
		v.Lexemes[k].Positions = append(v.Lexemes[k].Positions,
			pgtype.TSVectorPosition{Position: uint16(i + 1), Weight: pgtype.TSVectorWeightD})
	}
	v.Valid = true
	return v
}

// Reindex rebuilds a board's part of the index in one transaction, a
// thousand messages a COPY.
func (s *Store) Reindex(ctx context.Context, boardID int64, terms func(string) string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		// The board's row, as posting and removal take it first: they
		// wait for the rebuild, which would otherwise index again a
		// message removed meanwhile, or copy a new one twice. Rebuilds of
		// one board (instances that start together each index the
		// backlog) take turns on it too.
		tag, err := tx.Exec(ctx, `SELECT FROM boards WHERE id = $1 FOR UPDATE`, boardID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return forum.Errorf(forum.CodeNotFound, "no board %d", boardID)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM message_search WHERE message_id IN (SELECT id FROM messages WHERE board_id = $1)`, boardID); err != nil {
			return err
		}
		for after := int64(0); ; {
			rows, err := tx.Query(ctx, `SELECT id, number, body FROM messages
				WHERE board_id = $1 AND number > $2 AND removed = '' ORDER BY number LIMIT 1000`, boardID, after)
			if err != nil {
				return err
			}
			var (
				id, number int64
				body       string
				read       int
				index      [][]any
			)
			if _, err := pgx.ForEachRow(rows, []any{&id, &number, &body}, func() error {
				if v := tsvector(terms(body)); v.Valid {
					index = append(index, []any{id, v})
				}
				after, read = number, read+1
				return nil
			}); err != nil {
				return err
			}
			if len(index) > 0 {
				if _, err := tx.CopyFrom(ctx, pgx.Identifier{"message_search"}, []string{"message_id", "terms"}, pgx.CopyFromRows(index)); err != nil {
					return err
				}
			}
			if read < 1000 {
				break
			}
		}
		_, err = tx.Exec(ctx, `DELETE FROM search_backlog WHERE board_id = $1`, boardID)
		return err
	})
	if forum.ErrorCode(err) != forum.CodeInternal {
		return err
	}
	return translate(fmt.Errorf("reindex board %d: %w", boardID, err), "")
}

func (s *Store) Backlog(ctx context.Context) ([]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT board_id FROM search_backlog ORDER BY board_id`)
	if err != nil {
		return nil, translate(fmt.Errorf("search backlog: %w", err), "")
	}
	boards, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, translate(fmt.Errorf("search backlog: %w", err), "")
	}
	return boards, nil
}
