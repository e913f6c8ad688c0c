package transfer

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"parley/internal/forum"
)

// readBatch is how many users or messages each read of an export or an
// import asks for.
const readBatch = 1000

// Export writes the forum held by st to w: every user by ID, then every
// board by slug, each followed by its messages by number. With a board's
// slug, only that board, its creator and the members who wrote in it. The
// order depends on nothing but what is stored, so exporting what an import
// of an export stored gives the same bytes.
func Export(ctx context.Context, st forum.Store, w io.Writer, slug string) error {
	var boards []forum.Board
	var only int64
	if slug != "" {
		b, err := st.BoardBySlug(ctx, slug)
		if err != nil {
			return err
		}
		boards, only = []forum.Board{*b}, b.ID
	} else {
		var err error
		if boards, err = st.Boards(ctx); err != nil {
			return err
		}
		// Byte order, whatever the database's collation.
		slices.SortFunc(boards, func(a, b forum.Board) int { return strings.Compare(a.Slug, b.Slug) })
	}
	out, err := NewWriter(w)
	if err != nil {
		return err
	}
	for after := int64(0); ; {
		users, err := st.Users(ctx, only, after, readBatch)
		if err != nil {
			return fmt.Errorf("export users: %w", err)
		}
		if len(users) == 0 {
			break
		}
		for _, u := range users {
			if err := out.User(User{Name: u.Name, Role: string(u.Role), CreatedAt: u.CreatedAt, PasswordHash: u.PasswordHash}); err != nil {
				return err
			}
		}
		after = users[len(users)-1].ID
	}
	for _, b := range boards {
		if err := exportBoard(ctx, st, out, &b); err != nil {
			return err
		}
	}
	return out.Flush()
}

func exportBoard(ctx context.Context, st forum.Store, out *Writer, b *forum.Board) error {
	if err := out.Board(Board{Slug: b.Slug, Title: b.Title, Description: b.Description,
		CreatedAt: b.CreatedAt, CreatedBy: b.Creator}); err != nil {
		return err
	}
	// Up to the last number read before the users were: every author of
	// those messages is in the file, even while members join and post.
	for from := int64(1); from <= b.LastNumber; {
		msgs, err := st.Messages(ctx, b.ID, forum.Window{From: from, Limit: int(min(readBatch, b.LastNumber-from+1))})
		if err != nil {
			return fmt.Errorf("export board %s from message %d: %w", b.Slug, from, err)
		}
		if len(msgs) == 0 {
			return nil
		}
		for i := range msgs {
			if err := out.Message(messageRecord(&msgs[i])); err != nil {
				return err
			}
		}
		from = msgs[len(msgs)-1].Number + 1
	}
	return nil
}

func messageRecord(m *forum.Message) Message {
	r := Message{Board: m.Board, Number: m.Number, Author: m.Author, CreatedAt: m.CreatedAt, Body: m.Body}
	if m.ReplyTo != 0 {
		r.ReplyTo = &m.ReplyTo
	}
	if m.Removed != forum.NotRemoved {
		r.Removed = &Removal{By: string(m.Removed), At: m.RemovedAt}
	}
	if !m.EditedAt.IsZero() {
		r.EditedAt = &m.EditedAt
	}
	return r
}
