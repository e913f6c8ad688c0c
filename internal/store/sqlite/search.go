package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"

	"parley/internal/forum"
	"parley/internal/search"
)

// tagRows is the most messages a tag may stand for in a search ranked by
// relevance: bm25 counts, for each phrase of a query, every message that
// holds it, so the tag of a board of a million messages would cost what the
// commonest word does. Beyond it the filter is checked on each candidate.
const tagRows = 50_000

// Search compiles f into FTS5. The words become a MATCH expression of
// quoted terms (never the reader's text) on the terms column; the author,
// the board and the message answered become tags (a12, b3, r3x17) matched
// in the tags column, so that FTS5 intersects their lists with the words'
// instead of reading every hit's row; a range of numbers becomes a range of
// IDs, which grow with numbers within a board. Only dates are checked on
// the row. Without words the search reads messages through its filters.
func (s *Store) Search(ctx context.Context, f forum.SearchFilter) (forum.SearchHits, error) {
	q := f.Query
	if !q.HasText() {
		return s.filterSearch(ctx, f)
	}
	expr := "terms : (" + match(q) + ")"
	var filter []string
	var args []any
	// onRow says whether a filter reads the message's row.
	onRow := false
	tag := func(t string, rows int64, column string, id int64) {
		if f.Sort != forum.SortRelevance || rows <= tagRows {
			expr += ` AND tags : "` + t + `"`
			return
		}
		filter = append(filter, column+" = ?")
		args = append(args, id)
		onRow = true
	}
	if f.Author != nil {
		tag(authorTag(f.Author.ID), f.Author.MessageCount, "m.author_id", f.Author.ID)
	}
	if b := f.Board; b != nil {
		tag(boardTag(b.ID), b.LastNumber, "m.board_id", b.ID)
		if q.ReplyTo > 0 {
			expr += ` AND tags : "` + replyTag(b.ID, q.ReplyTo) + `"`
		}
		if q.From > 0 {
			filter = append(filter, "s.rowid >= (SELECT id FROM messages WHERE board_id = ? AND number >= ? ORDER BY number LIMIT 1)")
			args = append(args, b.ID, q.From)
		}
		if q.To > 0 {
			filter = append(filter, "s.rowid <= (SELECT id FROM messages WHERE board_id = ? AND number <= ? ORDER BY number DESC LIMIT 1)")
			args = append(args, b.ID, q.To)
		}
	}
	if !q.After.IsZero() {
		filter = append(filter, "m.created_at >= ?")
		args = append(args, micro(q.After))
		onRow = true
	}
	if !q.Before.IsZero() {
		filter = append(filter, "m.created_at < ?")
		args = append(args, micro(q.Before))
		onRow = true
	}
	args = append([]any{expr}, args...)
	where := strings.Join(append([]string{"s.message_search MATCH ?"}, filter...), " AND ")

	from := "message_search s"
	if onRow {
		from += " CROSS JOIN messages m ON m.id = s.rowid"
	}
	if f.Sort != forum.SortRelevance {
		if f.After > 0 {
			where += " AND s.rowid < ?"
			args = append(args, f.After)
		}
		return s.searchQuery(ctx, f, `SELECT s.rowid FROM `+from+` WHERE `+where+` ORDER BY s.rowid DESC LIMIT ?`,
			append(args, f.Limit)...)
	}
	// bm25 needs the rows of the FTS5 scan itself: the candidates come from
	// it (one more than are ranked, to tell whether more match), the page
	// from ranking them. The tags weigh nothing. The count and the OFFSET
	// run over the candidates, at most f.Candidates+1 rows the query ranks
	// anyway, never over a board.
	if f.Through > 0 {
		where += " AND s.rowid <= ?"
		args = append(args, f.Through)
	}
	query := `WITH found AS MATERIALIZED (SELECT s.rowid AS id, -bm25(message_search, 1.0, 0.0) AS rank
			FROM ` + from + ` WHERE ` + where + ` ORDER BY s.rowid DESC LIMIT ?),
		c AS (SELECT * FROM found ORDER BY id DESC LIMIT ?)
		SELECT ` + messageColumns + `, (SELECT count(*) FROM found), (SELECT max(id) FROM c)
		FROM c CROSS JOIN messages m ON m.id = c.id` + messageJoins + `
		ORDER BY c.rank DESC, c.id DESC LIMIT ? OFFSET ?`
	return s.readHits(ctx, f, query, append(args, f.Candidates+1, f.Candidates, f.Limit, f.Skip)...)
}

// filterSearch reads messages through the narrowest of the filters:
// newest first by number in a board (numbers and IDs grow together
// there), by ID for an author's. A search without words has no words to
// leave out and no days (search.Parse).
func (s *Store) filterSearch(ctx context.Context, f forum.SearchFilter) (forum.SearchHits, error) {
	q := f.Query
	filter := []string{"m.removed = ''"}
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
	if q.ReplyTo > 0 {
		and("m.reply_to = ?", q.ReplyTo)
	}
	if q.From > 0 {
		and("m.number >= ?", q.From)
	}
	if q.To > 0 {
		and("m.number <= ?", q.To)
	}
	order, after := "m.id DESC", "m.id < ?"
	if f.ThroughBoard() {
		order, after = "m.number DESC", "m.number < (SELECT number FROM messages WHERE id = ?)"
	}
	if f.After > 0 {
		and(after, f.After)
	}
	return s.searchQuery(ctx, f, `SELECT m.id FROM messages m WHERE `+strings.Join(filter, " AND ")+` ORDER BY `+order+` LIMIT ?`,
		append(args, f.Limit)...)
}

// searchQuery runs find, a query of the IDs of a page of hits in order,
// and reads those messages. The hits are found whole before the first row
// is answered (MATERIALIZED): the driver interrupts a statement at the
// context's deadline only while it makes its first row, and finding the
// hits is what may take long.
func (s *Store) searchQuery(ctx context.Context, f forum.SearchFilter, find string, args ...any) (forum.SearchHits, error) {
	query := `WITH hits (id) AS MATERIALIZED (` + find + `)
		SELECT ` + messageColumns + `, 0, 0 FROM hits CROSS JOIN messages m ON m.id = hits.id` + messageJoins + `
		ORDER BY hits.id DESC` // within a board, the order of numbers too
	return s.readHits(ctx, f, query, args...)
}

// readHits runs a search's query, whose columns are messageColumns, how
// many candidates were found and the highest ID ranked.
func (s *Store) readHits(ctx context.Context, f forum.SearchFilter, query string, args ...any) (forum.SearchHits, error) {
	var page forum.SearchHits
	rows, err := s.reader.QueryContext(ctx, query, args...)
	if err != nil {
		return page, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var found int
	for rows.Next() {
		page.Hits = append(page.Hits, forum.Message{})
		if err := scanMessage(rows, &page.Hits[len(page.Hits)-1], &found, &page.Through); err != nil {
			return page, fmt.Errorf("search: %w", err)
		}
	}
	if err := rows.Err(); err != nil {
		return page, fmt.Errorf("search: %w", err)
	}
	page.Capped = f.Sort == forum.SortRelevance && found > f.Candidates
	return page, nil
}

// The tags of a message in the index: its author, its board, and the
// message it answers.
func authorTag(id int64) string { return "a" + strconv.FormatInt(id, 10) }
func boardTag(id int64) string  { return "b" + strconv.FormatInt(id, 10) }
func replyTag(board, number int64) string {
	return "r" + strconv.FormatInt(board, 10) + "x" + strconv.FormatInt(number, 10)
}

// tags returns the tags column of a message.
func tags(board, author, replyTo int64) string {
	t := boardTag(board) + " " + authorTag(author)
	if replyTo > 0 {
		t += " " + replyTag(board, replyTo)
	}
	return t
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
func (s *Store) Reindex(ctx context.Context, boardID int64, terms func(string) string) error {
	return s.inTx(ctx, func(tx *sql.Tx) error {
		return reindex(ctx, tx, boardID, terms)
	})
}

func reindex(ctx context.Context, tx *sql.Tx, boardID int64, terms func(string) string) error {
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
	insert, err := tx.PrepareContext(ctx, `INSERT INTO message_search (rowid, terms, tags) VALUES (?, ?, ?)`)
	if err != nil {
		return fmt.Errorf("reindex: %w", err)
	}
	defer insert.Close()
	type row struct {
		id, number, author, replyTo int64
		body                        string
	}
	for after := int64(0); ; {
		rows, err := tx.QueryContext(ctx, `SELECT id, number, author_id, coalesce(reply_to, 0), body FROM messages
			WHERE board_id = ? AND number > ? AND removed = '' ORDER BY number LIMIT 1000`, boardID, after)
		if err != nil {
			return fmt.Errorf("reindex: %w", err)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.number, &r.author, &r.replyTo, &r.body); err != nil {
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
			if _, err := insert.ExecContext(ctx, r.id, terms(r.body), tags(boardID, r.author, r.replyTo)); err != nil {
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

func (s *Store) Backlog(ctx context.Context) ([]int64, error) {
	rows, err := s.reader.QueryContext(ctx, `SELECT board_id FROM search_backlog ORDER BY board_id`)
	if err != nil {
		return nil, fmt.Errorf("search backlog: %w", err)
	}
	defer rows.Close()
	var boards []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("search backlog: %w", err)
		}
		boards = append(boards, id)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search backlog: %w", err)
	}
	return boards, nil
}
