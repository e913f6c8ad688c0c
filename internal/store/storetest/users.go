package storetest

import (
	"crypto/sha256"
	"testing"
	"time"

	"parley/internal/forum"
)

func testUsers(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		ctx := t.Context()
		want := &forum.User{
			Name:         "Road_Walker",
			Role:         forum.RoleMember,
			PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$a2V5",
			CreatedAt:    Tick(),
		}
		if err := st.CreateUser(ctx, want); err != nil {
			t.Fatal(err)
		}
		if want.ID == 0 {
			t.Fatal("CreateUser did not set the ID")
		}
		other := MustCreateUser(t, st, "Tenchusatsu")
		if other.ID == want.ID {
			t.Fatalf("two users share ID %d", other.ID)
		}
		got, err := st.UserByName(ctx, "Road_Walker")
		if err != nil {
			t.Fatal(err)
		}
		wantUser(t, got, want)
	})

	t.Run("IgnoresCase", func(t *testing.T) {
		st := open(t)
		want := MustCreateUser(t, st, "Alice")
		for _, name := range []string{"Alice", "alice", "ALICE", "aLiCe"} {
			got, err := st.UserByName(t.Context(), name)
			if err != nil {
				t.Fatalf("UserByName(%q): %v", name, err)
			}
			// The name comes back as it was written, whatever was asked.
			wantUser(t, got, want)
		}
	})

	t.Run("ErrConflict", func(t *testing.T) {
		st := open(t)
		first := MustCreateUser(t, st, "Alice")
		for _, name := range []string{"Alice", "aLiCe", "ALICE"} {
			u := &forum.User{Name: name, Role: forum.RoleAdmin, CreatedAt: Tick()}
			WantCode(t, st.CreateUser(t.Context(), u), forum.CodeConflict)
		}
		got, err := st.UserByName(t.Context(), "alice")
		if err != nil {
			t.Fatal(err)
		}
		wantUser(t, got, first)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		_, err := st.UserByName(t.Context(), "nobody")
		WantCode(t, err, forum.CodeNotFound)
		MustCreateUser(t, st, "alice")
		for _, name := range []string{"nobody", "alic", "alice2", ""} {
			_, err := st.UserByName(t.Context(), name)
			WantCode(t, err, forum.CodeNotFound)
		}
	})

	t.Run("HasUsers", func(t *testing.T) {
		st := open(t)
		has, err := st.HasUsers(t.Context())
		if err != nil || has {
			t.Fatalf("HasUsers on an empty store = %v, %v; want false", has, err)
		}
		MustCreateUser(t, st, "alice")
		has, err = st.HasUsers(t.Context())
		if err != nil || !has {
			t.Fatalf("HasUsers with a user = %v, %v; want true", has, err)
		}
	})

	t.Run("OldestUser", func(t *testing.T) {
		st := open(t)
		_, err := st.OldestUser(t.Context(), forum.RoleAdmin)
		WantCode(t, err, forum.CodeNotFound)
		MustCreateUser(t, st, "member")
		var admins []*forum.User
		for _, name := range []string{"first", "second"} {
			u := &forum.User{Name: name, Role: forum.RoleAdmin, CreatedAt: Tick()}
			if err := st.CreateUser(t.Context(), u); err != nil {
				t.Fatal(err)
			}
			admins = append(admins, u)
		}
		got, err := st.OldestUser(t.Context(), forum.RoleAdmin)
		if err != nil {
			t.Fatal(err)
		}
		wantUser(t, got, admins[0])
		_, err = st.OldestUser(t.Context(), forum.RoleModerator)
		WantCode(t, err, forum.CodeNotFound)
	})

	t.Run("Roles", func(t *testing.T) {
		st := open(t)
		for _, role := range []forum.Role{forum.RoleMember, forum.RoleModerator, forum.RoleAdmin} {
			want := &forum.User{Name: "user-" + string(role), Role: role, PasswordHash: "h-" + string(role), CreatedAt: Tick()}
			if err := st.CreateUser(t.Context(), want); err != nil {
				t.Fatal(err)
			}
			got, err := st.UserByName(t.Context(), want.Name)
			if err != nil {
				t.Fatal(err)
			}
			wantUser(t, got, want)
		}
	})

	t.Run("EmptyPasswordHash", func(t *testing.T) {
		// Authors brought in by an import have no password.
		st := open(t)
		want := &forum.User{Name: "imported", Role: forum.RoleMember, CreatedAt: Tick()}
		if err := st.CreateUser(t.Context(), want); err != nil {
			t.Fatal(err)
		}
		got, err := st.UserByName(t.Context(), "imported")
		if err != nil {
			t.Fatal(err)
		}
		wantUser(t, got, want)
	})
}

// tokenHash stands in for the Service's hash of a secret.
func tokenHash(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}

func mustCreateToken(tb testing.TB, st forum.Store, u *forum.User, secret string) *forum.Token {
	tb.Helper()
	tok := &forum.Token{UserID: u.ID, Hash: tokenHash(secret), Hint: secret[:4], CreatedAt: Tick()}
	if err := st.CreateToken(tb.Context(), tok); err != nil {
		tb.Fatalf("CreateToken: %v", err)
	}
	return tok
}

func testTokens(t *testing.T, open func(t *testing.T) forum.Store) {
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		MustCreateUser(t, st, "bob")
		alice := MustCreateUser(t, st, "alice")
		tok := mustCreateToken(t, st, alice, "secret-one")
		if tok.ID == 0 {
			t.Fatal("CreateToken did not set the ID")
		}
		got, err := st.UserByToken(t.Context(), tokenHash("secret-one"))
		if err != nil {
			t.Fatal(err)
		}
		wantUser(t, got, alice)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		_, err := st.UserByToken(t.Context(), tokenHash("never issued"))
		WantCode(t, err, forum.CodeNotFound)
		mustCreateToken(t, st, alice, "secret-one")
		for _, hash := range [][]byte{tokenHash("secret-two"), tokenHash("secret-one")[:16], {}} {
			_, err := st.UserByToken(t.Context(), hash)
			WantCode(t, err, forum.CodeNotFound)
		}
	})

	t.Run("List", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		bob := MustCreateUser(t, st, "bob")
		var want []*forum.Token
		for _, secret := range []string{"aaaa-1", "bbbb-2", "cccc-3"} {
			want = append(want, mustCreateToken(t, st, alice, secret))
			mustCreateToken(t, st, bob, "bob-"+secret)
		}
		got, err := st.Tokens(t.Context(), alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) {
			t.Fatalf("Tokens lists %d tokens, want alice's %d", len(got), len(want))
		}
		for i := range want {
			if d := diff(&got[i], want[i]); len(d) > 0 {
				t.Errorf("token %d of %d (oldest first) differs:\n\t%v", i+1, len(want), d)
			}
		}
		carol := MustCreateUser(t, st, "carol")
		if got, err := st.Tokens(t.Context(), carol.ID); err != nil || len(got) != 0 {
			t.Fatalf("Tokens of a user without any = %+v, %v; want none", got, err)
		}
	})

	t.Run("Delete", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		gone := mustCreateToken(t, st, alice, "secret-one")
		kept := mustCreateToken(t, st, alice, "secret-two")
		if err := st.DeleteToken(t.Context(), alice.ID, gone.ID); err != nil {
			t.Fatal(err)
		}
		_, err := st.UserByToken(t.Context(), tokenHash("secret-one"))
		WantCode(t, err, forum.CodeNotFound)
		if u, err := st.UserByToken(t.Context(), tokenHash("secret-two")); err != nil || u.ID != alice.ID {
			t.Fatalf("the other token stopped working: %+v, %v", u, err)
		}
		list, err := st.Tokens(t.Context(), alice.ID)
		if err != nil || len(list) != 1 || list[0].ID != kept.ID {
			t.Fatalf("Tokens after deleting one = %+v, %v; want only token %d", list, err, kept.ID)
		}
		WantCode(t, st.DeleteToken(t.Context(), alice.ID, gone.ID), forum.CodeNotFound)
	})

	t.Run("DeleteErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		bob := MustCreateUser(t, st, "bob")
		tok := mustCreateToken(t, st, alice, "secret-one")
		// Only its owner may revoke a token.
		WantCode(t, st.DeleteToken(t.Context(), bob.ID, tok.ID), forum.CodeNotFound)
		WantCode(t, st.DeleteToken(t.Context(), alice.ID, tok.ID+1000), forum.CodeNotFound)
		if u, err := st.UserByToken(t.Context(), tokenHash("secret-one")); err != nil || u.ID != alice.ID {
			t.Fatalf("the token stopped working after another user tried to delete it: %+v, %v", u, err)
		}
	})
}

// testSetPassword: a new password hash replaces the old one and ends every
// session and token of that user, and only of that user.
func testSetPassword(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	alice, bob := MustCreateUser(t, st, "alice"), MustCreateUser(t, st, "bob")
	now := Tick()
	for _, u := range []*forum.User{alice, bob} {
		mustCreateSession(t, st, u, "session of "+u.Name, now, time.Hour)
		if err := st.CreateToken(ctx, &forum.Token{UserID: u.ID, Hash: []byte("token of " + u.Name), Hint: "t", CreatedAt: now}); err != nil {
			t.Fatal(err)
		}
	}
	const hash = "$argon2id$v=19$m=64,t=1,p=1$bmV3c2FsdA$bmV3a2V5"
	if err := st.SetPassword(ctx, alice.ID, hash); err != nil {
		t.Fatal(err)
	}
	if u, err := st.UserByName(ctx, "alice"); err != nil || u.PasswordHash != hash {
		t.Errorf("alice's hash after SetPassword: %v, %v", u, err)
	}
	wantNoSession(t, st, "session of alice", now)
	if _, err := st.UserByToken(ctx, []byte("token of alice")); forum.ErrorCode(err) != forum.CodeNotFound {
		t.Errorf("alice's token after SetPassword: %v; want not found", err)
	}
	mustSessionUser(t, st, "session of bob", now, bob)
	if u, err := st.UserByToken(ctx, []byte("token of bob")); err != nil || u.ID != bob.ID {
		t.Errorf("bob's token after alice's SetPassword: %v, %v", u, err)
	}
	if u, err := st.UserByName(ctx, "bob"); err != nil || u.PasswordHash != bob.PasswordHash {
		t.Errorf("bob's hash after alice's SetPassword: %v, %v; want it unchanged", u, err)
	}
	WantCode(t, st.SetPassword(ctx, bob.ID+100, hash), forum.CodeNotFound)
}
