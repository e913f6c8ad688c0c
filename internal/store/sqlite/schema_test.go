package sqlite_test

import (
	"database/sql"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/password"
	"parley/internal/search"
	"parley/internal/store/sqlite"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
)

// TestMigrationCountsMessages checks that migration 2, applied to a
// database that already holds messages, fills in every member's count.
func TestMigrationCountsMessages(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	if err := sqlite.MigrateTo(ctx, path, 1); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	// Alice wrote three messages on two boards, one since removed; Bob
	// one; Carol none.
	_, err = db.ExecContext(ctx, `
		INSERT INTO users (id, name, role, created_at) VALUES (1, 'alice', 'member', 1), (2, 'bob', 'member', 2), (3, 'carol', 'member', 3);
		INSERT INTO boards (id, slug, title, created_at, created_by, last_number) VALUES (1, 'a', 'A', 1, 1, 3), (2, 'b', 'B', 1, 2, 1);
		INSERT INTO messages (board_id, number, author_id, created_at, body, html, reply_to, reply_to_author_id, removed) VALUES
			(1, 1, 1, 10, 'a1', 'a1', NULL, NULL, ''),
			(1, 2, 2, 11, 'a2', 'a2', 1, 1, ''),
			(2, 1, 1, 12, 'b1', 'b1', NULL, NULL, 'author'),
			(1, 3, 1, 13, 'a3', 'a3', 2, 2, '')`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}

	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for name, want := range map[string]int64{"alice": 3, "bob": 1, "carol": 0} {
		u, err := st.UserByName(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if u.MessageCount != want {
			t.Errorf("%s: MessageCount %d after migration, want %d", name, u.MessageCount, want)
		}
	}
	// Messages written before the migration have IDs to page by, older
	// than those written after.
	alice, err := st.UserByName(ctx, "alice")
	if err != nil {
		t.Fatal(err)
	}
	b, err := st.BoardBySlug(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	storetest.MustPost(t, st, b, alice, "b2", 0)
	msgs, err := st.MessagesByAuthor(ctx, alice.ID, 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range msgs {
		got = append(got, m.Body)
	}
	if want := []string{"b2", "a3", "b1", "a1"}; !slices.Equal(got, want) {
		t.Fatalf("alice's messages, newest first: %q, want %q", got, want)
	}
	if u, err := st.UserByName(ctx, "alice"); err != nil || u.MessageCount != 4 {
		t.Fatalf("alice after posting: %+v, %v; want MessageCount 4", u, err)
	}
}

// TestSessionsGoWithUser checks that deleting a member deletes their
// sessions: a session must never outlive, or pass to, its owner.
func TestSessionsGoWithUser(t *testing.T) {
	ctx := t.Context()
	st := sqlitetest.Open(t)
	alice := storetest.MustCreateUser(t, st, "alice")
	bob := storetest.MustCreateUser(t, st, "bob")
	now := storetest.Tick()
	session := func(u *forum.User) *forum.Session {
		return &forum.Session{UserID: u.ID, Hash: []byte("0123456789abcdef0123456789abcdef"), CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	}
	if err := st.CreateSession(ctx, session(alice)); err != nil {
		t.Fatal(err)
	}
	if err := sqlite.DeleteUser(ctx, st, alice.ID); err != nil {
		t.Fatal(err)
	}
	// The hash is unique: Bob can have it only if Alice's row is gone.
	if err := st.CreateSession(ctx, session(bob)); err != nil {
		t.Fatalf("a session with the hash of a deleted member's: %v; want her session deleted with her", err)
	}
	if u, err := st.UserBySession(ctx, session(bob).Hash, now); err != nil || u.ID != bob.ID {
		t.Fatalf("UserBySession = %+v, %v; want bob", u, err)
	}
}

// TestMigrationIndexesMessages: the messages of a database written before
// search existed wait on the backlog, and are indexed by IndexBacklog (the
// server's first step), removed ones left out.
func TestMigrationIndexesMessages(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "parley.db")
	if err := sqlite.MigrateTo(ctx, path, 4); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.ExecContext(ctx, `
		INSERT INTO users (id, name, role, created_at) VALUES (1, 'alice', 'member', 1);
		INSERT INTO boards (id, slug, title, created_at, created_by, last_number) VALUES (1, 'a', 'A', 1, 1, 3), (2, 'empty', 'E', 1, 1, 0);
		INSERT INTO messages (board_id, number, author_id, created_at, body, html, removed) VALUES
			(1, 1, 1, 10, 'Troops at the Café', '', ''),
			(1, 2, 1, 11, 'more troops', '', 'moderator'),
			(1, 3, 1, 12, 'no match', '', '')`)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path, sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if boards, err := st.Backlog(ctx); err != nil || !slices.Equal(boards, []int64{1}) {
		t.Fatalf("Backlog = %v, %v; want board 1, the one with messages", boards, err)
	}
	svc, err := forum.NewService(st, forum.Config{Render: storetest.Render, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.IndexBacklog(ctx); err != nil {
		t.Fatal(err)
	}
	if boards, err := st.Backlog(ctx); err != nil || len(boards) != 0 {
		t.Errorf("Backlog after IndexBacklog = %v, %v; want none", boards, err)
	}
	q, err := search.Parse("troop cafe")
	if err != nil {
		t.Fatal(err)
	}
	page, err := st.Search(ctx, forum.SearchFilter{Query: q, Sort: forum.SortNewest, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Hits) != 1 || page.Hits[0].Number != 1 {
		t.Errorf("after the migration, troop cafe finds %+v, want message 1 alone", page.Hits)
	}
}
