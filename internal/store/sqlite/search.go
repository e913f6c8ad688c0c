package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"parley/internal/forum"
	"parley/internal/search"
)

// narrowRows is the most messages a filter (a board, an author, a range of
// numbers, the replies to a message) may leave for a search to read them
// through that filter's index and look each up in the search index.
// Beyond it, the search walks the words' hits newest first and checks each
// against the filter instead: either way the work is bounded by what is
// read before the page fills. A variable for tests, which set it to 0.
var narrowRows int64 = 5000

// Search compiles f into FTS5: the words into a MATCH expression of quoted
// terms (never the reader's text), the filters into SQL on messages.
func (s *Store) Search(ctx context.Context, f forum.SearchFilter) ([]forum.SearchHit, bool, error) {
	q := f.Query
	var filter []string
	var args []any
	and := func(cond string, arg any) {
		filter = append(filter, cond)
		args = append(args, arg)
	}
	if f.Board != nil {
		and("m.board_id = ?", f.Board.ID)
	}
	if f.Author != nil {
		and("m.author_id = ?", f.Author.ID)
	}
	if !q.After.IsZero() {
		and("m.created_at >= ?", micro(q.After))
	}
	if !q.Before.IsZero() {
		and("m.created_at < ?", micro(q.Before))
	}
	if q.ReplyTo > 0 {
		and("m.reply_to = ?", q.ReplyTo)
	}
	if q.From > 0 {
		and("m.number >= ?", q.From)
	}
	if q.To > 0 {
		and("m.number <= ?", q.To)
	}
	filter = append(filter, "m.removed = ''")

	by := drive(f)
	var query string
	switch {
	case q.HasText() && f.Sort == forum.SortRelevance:
		// bm25 needs the rows from the FTS5 scan itself: the candidates
		// come from it (through the filter's index when narrow, as IN
		// lookups), then the page from ranking them.
		cands := `SELECT s.rowid AS id, -bm25(message_search) AS rank FROM message_search s CROSS JOIN messages m ON m.id = s.rowid
			WHERE s.terms MATCH ? AND ` + strings.Join(filter, " AND ")
		args = append([]any{match(q)}, args...)
		if by != byWords {
			cands += ` AND s.rowid IN (SELECT m.id FROM messages m WHERE ` + strings.Join(filter, " AND ") + `)`
			args = append(args, args[1:]...)
		}
		cands += ` ORDER BY s.rowid DESC LIMIT ?`
		args = append(args, f.Candidates)
		page := ""
		if f.After.ID > 0 {
			page = `WHERE c.rank < ? OR c.rank = ? AND c.id < ?`
			args = append(args, f.After.Rank, f.After.Rank, f.After.ID)
		}
		query = `WITH c AS (` + cands + `)
			SELECT ` + messageColumns + `, c.rank, (SELECT count(*) FROM c) FROM c CROSS JOIN messages m ON m.id = c.id` + messageJoins + `
			` + page + ` ORDER BY c.rank DESC, c.id DESC LIMIT ?`
	case by == byWords:
		args = append([]any{match(q)}, args...)
		if f.After.ID > 0 {
			filter = append(filter, "s.rowid < ?")
			args = append(args, f.After.ID)
		}
		query = `SELECT ` + messageColumns + `, 0, 0 FROM message_search s CROSS JOIN messages m ON m.id = s.rowid` + messageJoins + `
			WHERE s.terms MATCH ? AND ` + strings.Join(filter, " AND ") + ` ORDER BY s.rowid DESC LIMIT ?`
	default:
		if q.HasText() {
			filter = append(filter, `EXISTS (SELECT 1 FROM message_search s WHERE s.terms MATCH ? AND s.rowid = m.id)`)
			args = append(args, match(q))
		} else if len(q.None) > 0 {
			filter = append(filter, `NOT EXISTS (SELECT 1 FROM message_search s WHERE s.terms MATCH ? AND s.rowid = m.id)`)
			args = append(args, anyOf(q.None))
		}
		// Within a board, numbers and IDs grow together: ordering by
		// number reads the board's own index.
		order, after := "m.id DESC", "m.id < ?"
		if by == byBoard {
			order, after = "m.number DESC", "m.number < (SELECT number FROM messages WHERE id = ?)"
		}
		if f.After.ID > 0 {
			filter = append(filter, after)
			args = append(args, f.After.ID)
		}
		query = `SELECT ` + messageColumns + `, 0, 0 FROM messages m` + messageJoins + `
			WHERE ` + strings.Join(filter, " AND ") + ` ORDER BY ` + order + ` LIMIT ?`
	}
	args = append(args, f.Limit)

	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var hits []forum.SearchHit
	var ranked int
	for rows.Next() {
		hits = append(hits, forum.SearchHit{})
		h := &hits[len(hits)-1]
		if err := scanMessage(rows, &h.Message, &h.Rank, &ranked); err != nil {
			return nil, false, fmt.Errorf("search: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, fmt.Errorf("search: %w", err)
	}
	return hits, ranked >= f.Candidates, nil
}

// How a search reads: walking the words' hits, or the messages of a board
// or of an author, or every message newest first.
const (
	byWords = iota
	byBoard
	byAuthor
	byTime
)

// drive chooses how a search reads: through the narrowest filter when it
// leaves few messages or there are no words, else through the words.
func drive(f forum.SearchFilter) int {
	q := f.Query
	by, rows := byTime, int64(1<<63-1)
	if f.Author != nil {
		by, rows = byAuthor, f.Author.MessageCount
	}
	if b := f.Board; b != nil {
		n := b.LastNumber
		switch {
		case q.ReplyTo > 0:
			n = narrowRows // replies are few, and their index is by number
		case q.From > 0 || q.To > 0:
			to := b.LastNumber
			if q.To > 0 {
				to = min(to, q.To)
			}
			n = to - max(q.From, 1) + 1
		}
		if n <= rows {
			by, rows = byBoard, n
		}
	}
	if q.HasText() && rows > narrowRows {
		return byWords
	}
	return by
}

// match returns q's words as an FTS5 expression: every group, each any of
// its phrases, and none of q.None. Terms are letters and digits only, and
// quoted besides: nothing of the reader's reaches FTS5's syntax.
func match(q search.Query) string {
	groups := make([]string, len(q.All))
	for i, g := range q.All {
		groups[i] = "(" + anyOf(g) + ")"
	}
	expr := strings.Join(groups, " AND ")
	for _, p := range q.None {
		expr += " NOT " + phrase(p)
	}
	return expr
}

func anyOf(phrases []search.Phrase) string {
	quoted := make([]string, len(phrases))
	for i, p := range phrases {
		quoted[i] = phrase(p)
	}
	return strings.Join(quoted, " OR ")
}

func phrase(p search.Phrase) string {
	return `"` + strings.ReplaceAll(strings.Join(p, " "), `"`, `""`) + `"`
}

// Reindex rebuilds a board's part of the index in one transaction on the
// writer, a thousand messages a statement: posts wait for it.
func (s *Store) Reindex(ctx context.Context, boardID int64) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return reindex(ctx, tx, boardID)
	})
}

func reindex(ctx context.Context, tx *sql.Tx, boardID int64) error {
	var exists bool
	if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM boards WHERE id = ?)`, boardID).Scan(&exists); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	if !exists {
		return forum.Errorf(forum.CodeNotFound, "no board %d", boardID)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM message_search WHERE rowid IN (SELECT id FROM messages WHERE board_id = ?)`, boardID); err != nil {
		return fmt.Errorf("reindex: clear: %w", err)
	}
	insert, err := tx.PrepareContext(ctx, `INSERT INTO message_search (rowid, terms) VALUES (?, ?)`)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer insert.Close()
	type row struct {
		id, number int64
		body       string
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, number, body FROM messages
			WHERE board_id = ? AND number > ? AND removed = '' ORDER BY number LIMIT 1000`, boardID, after)
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.number, &r.body); err != nil {
				rows.Close()
				return fmt.Errorf("reindex: %w", err)
			}
			batch = append(batch, r)
		}
		if err := rows.Err(); err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		if len(batch) == 0 {
			break
		}
		for _, r := range batch {
			if _, err := insert.ExecContext(ctx, r.id, search.Text(r.body)); err != nil {
				return fmt.Errorf("reindex message %d: %w", r.number, err)
			}
		}
		after = batch[len(batch)-1].number
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM search_backlog WHERE board_id = ?`, boardID); err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	return nil
}

// indexBacklog indexes the boards written before the index existed.
func (s *Store) indexBacklog(ctx context.Context) error {
	rows, err := s.writer.QueryContext(ctx, `SELECT board_id FROM search_backlog ORDER BY board_id`)
	if err != nil {
		return fmt.Errorf("search backlog: %w", err)
	}
	var boards []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("search backlog: %w", err)
		}
		boards = append(boards, id)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search backlog: %w", err)
	}
	for _, id := range boards {
		if err := s.Reindex(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
