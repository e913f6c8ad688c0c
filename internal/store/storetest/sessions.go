package storetest

import (
	"testing"
	"time"

	"parley/internal/forum"
)

// mustCreateSession stores a session of u made at created and lasting for
// life; its hash is tokenHash(secret).
func mustCreateSession(tb testing.TB, st forum.Store, u *forum.User, secret string, created time.Time, life time.Duration) *forum.Session {
	tb.Helper()
	s := &forum.Session{UserID: u.ID, Hash: tokenHash(secret), CreatedAt: created, ExpiresAt: created.Add(life)}
	if err := st.CreateSession(tb.Context(), s); err != nil {
		tb.Fatalf("CreateSession: %v", err)
	}
	return s
}

// mustSessionUser fails unless the session with secret signs in want at now.
func mustSessionUser(tb testing.TB, st forum.Store, secret string, now time.Time, want *forum.User) {
	tb.Helper()
	got, err := st.UserBySession(tb.Context(), tokenHash(secret), now)
	if err != nil {
		tb.Fatalf("UserBySession(%q, %v): %v", secret, now, err)
	}
	wantUser(tb, got, want)
}

// wantNoSession fails unless the session with secret signs nobody in at now.
func wantNoSession(tb testing.TB, st forum.Store, secret string, now time.Time) {
	tb.Helper()
	u, err := st.UserBySession(tb.Context(), tokenHash(secret), now)
	if forum.ErrorCode(err) != forum.CodeNotFound {
		tb.Fatalf("UserBySession(%q, %v) = %+v, %v; want code not_found", secret, now, u, err)
	}
}

func testSessions(t *testing.T, open func(t *testing.T) forum.Store) {
	const hour = time.Hour

	t.Run("OK", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		bob := MustCreateUser(t, st, "bob")
		start := Tick()
		s := mustCreateSession(t, st, alice, "alice-1", start, hour)
		if s.ID == 0 {
			t.Fatal("CreateSession did not set the ID")
		}
		other := mustCreateSession(t, st, bob, "bob-1", start, hour)
		if other.ID == s.ID {
			t.Fatalf("two sessions share ID %d", s.ID)
		}
		for _, now := range []time.Time{start, start.Add(hour / 2), start.Add(hour - time.Microsecond)} {
			mustSessionUser(t, st, "alice-1", now, alice)
			mustSessionUser(t, st, "bob-1", now, bob)
		}
		// Two sessions of one member, from two browsers, live side by side.
		mustCreateSession(t, st, alice, "alice-2", start, hour)
		mustSessionUser(t, st, "alice-1", start, alice)
		mustSessionUser(t, st, "alice-2", start, alice)
	})

	t.Run("Expired", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		start := Tick()
		mustCreateSession(t, st, alice, "alice-1", start, hour)
		// A session ends at its ExpiresAt, not a microsecond later.
		for _, now := range []time.Time{start.Add(hour), start.Add(hour + time.Microsecond), start.Add(1000 * hour)} {
			wantNoSession(t, st, "alice-1", now)
		}
		mustSessionUser(t, st, "alice-1", start, alice)
	})

	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		now := Tick()
		wantNoSession(t, st, "never issued", now)
		mustCreateSession(t, st, alice, "alice-1", now, hour)
		// A token's hash is no session's.
		mustCreateToken(t, st, alice, "token-1")
		for _, hash := range [][]byte{tokenHash("alice-2"), tokenHash("alice-1")[:16], tokenHash("token-1"), {}, nil} {
			u, err := st.UserBySession(t.Context(), hash, now)
			if forum.ErrorCode(err) != forum.CodeNotFound {
				t.Fatalf("UserBySession(%x) = %+v, %v; want code not_found", hash, u, err)
			}
		}
	})

	t.Run("Delete", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		now := Tick()
		mustCreateSession(t, st, alice, "gone", now, hour)
		mustCreateSession(t, st, alice, "kept", now, hour)
		if err := st.DeleteSession(t.Context(), tokenHash("gone")); err != nil {
			t.Fatal(err)
		}
		wantNoSession(t, st, "gone", now)
		mustSessionUser(t, st, "kept", now, alice)
		// Signing out twice, or with a session never issued, is no error.
		for _, secret := range []string{"gone", "never issued"} {
			if err := st.DeleteSession(t.Context(), tokenHash(secret)); err != nil {
				t.Fatalf("DeleteSession(%q) again: %v, want no error", secret, err)
			}
		}
		mustSessionUser(t, st, "kept", now, alice)
	})

	t.Run("CreateDeletesExpired", func(t *testing.T) {
		// Expired sessions are deleted by the next CreateSession: asked
		// about at a time before they expired, they are gone, while the
		// sessions still live when it was made are not.
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		start := Tick()
		mustCreateSession(t, st, alice, "ended-long-ago", start, hour)
		mustCreateSession(t, st, alice, "ends-at-next", start, 2*hour)
		mustCreateSession(t, st, alice, "lives-on", start, 3*hour)
		for _, secret := range []string{"ended-long-ago", "ends-at-next", "lives-on"} {
			mustSessionUser(t, st, secret, start, alice)
		}
		mustCreateSession(t, st, alice, "next", start.Add(2*hour), hour)
		wantNoSession(t, st, "ended-long-ago", start)
		wantNoSession(t, st, "ends-at-next", start)
		mustSessionUser(t, st, "lives-on", start, alice)
		mustSessionUser(t, st, "next", start.Add(2*hour), alice)
	})

	t.Run("ErrInvalidUser", func(t *testing.T) {
		st := open(t)
		alice := MustCreateUser(t, st, "alice")
		now := Tick()
		s := &forum.Session{UserID: alice.ID + 1000, Hash: tokenHash("nobody's"), CreatedAt: now, ExpiresAt: now.Add(hour)}
		WantCode(t, st.CreateSession(t.Context(), s), forum.CodeInvalid)
		wantNoSession(t, st, "nobody's", now)
	})
}

// testSecrets: a secret is stored once; every later call, whatever value
// it offers, gets the first.
func testSecrets(t *testing.T, open func(t *testing.T) forum.Store) {
	st := open(t)
	ctx := t.Context()
	for _, tc := range []struct {
		name         string
		offer, first []byte
	}{
		{"device", []byte("first key"), []byte("first key")},
		{"device", []byte("second key"), []byte("first key")},
		{"other", []byte{0, 1, 255}, []byte{0, 1, 255}},
		{"device", []byte("third key"), []byte("first key")},
	} {
		got, err := st.Secret(ctx, tc.name, tc.offer)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(tc.first) {
			t.Errorf("Secret(%s, %q) = %q, want %q", tc.name, tc.offer, got, tc.first)
		}
	}
}
