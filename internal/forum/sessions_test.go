package forum_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/store/storetest"
)

const sessionEnded = "your session has ended; sign in again"

// mustStartSession signs a browser in as u.
func mustStartSession(tb testing.TB, svc *forum.Service, u *forum.User) (string, time.Time) {
	tb.Helper()
	secret, expires, err := svc.StartSession(tb.Context(), u)
	if err != nil {
		tb.Fatalf("StartSession(%s): %v", u.Name, err)
	}
	return secret, expires
}

// wantSessionUser fails unless secret signs in u.
func wantSessionUser(tb testing.TB, svc *forum.Service, secret string, u *forum.User) {
	tb.Helper()
	got, err := svc.SessionUser(tb.Context(), secret)
	if err != nil {
		tb.Fatalf("SessionUser: %v, want %s", err, u.Name)
	}
	if got.ID != u.ID || got.Name != u.Name || got.Role != u.Role {
		tb.Fatalf("SessionUser = %+v, want %s", got, u.Name)
	}
}

// wantSessionEnded fails unless secret signs nobody in, with the one answer
// for every kind of ended session.
func wantSessionEnded(tb testing.TB, svc *forum.Service, secret string) {
	tb.Helper()
	u, err := svc.SessionUser(tb.Context(), secret)
	if forum.ErrorCode(err) != forum.CodeUnauthorized || forum.ErrorMessage(err) != sessionEnded {
		tb.Fatalf("SessionUser(%.20q…) = %+v, %v; want unauthorized: %q", secret, u, err, sessionEnded)
	}
}

func TestSessionStart(t *testing.T) {
	clock := newTestClock()
	svc, _ := newSpiedService(t, clock)
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	bob := mustAddUser(t, svc, "bob", forum.RoleModerator)

	secret, expires := mustStartSession(t, svc, alice)
	if raw, err := base64.RawURLEncoding.DecodeString(secret); err != nil || len(raw) != 32 {
		t.Fatalf("secret %q: %d bytes, %v; want 32 random bytes, base64url", secret, len(raw), err)
	}
	if want := clock.Now().Add(forum.SessionLifetime); !expires.Equal(want) {
		t.Fatalf("session expires %v, want %v", expires, want)
	}
	wantSessionUser(t, svc, secret, alice)

	// Each sign-in is a session of its own.
	again, _ := mustStartSession(t, svc, alice)
	if again == secret {
		t.Fatal("two sessions share a secret")
	}
	other, _ := mustStartSession(t, svc, bob)
	wantSessionUser(t, svc, secret, alice)
	wantSessionUser(t, svc, again, alice)
	wantSessionUser(t, svc, other, bob)

	_, _, err := svc.StartSession(t.Context(), nil)
	storetest.WantCode(t, err, forum.CodeUnauthorized)
}

func TestSessionExpiry(t *testing.T) {
	clock := newTestClock()
	svc, _ := newSpiedService(t, clock)
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	secret, expires := mustStartSession(t, svc, alice)
	clock.Add(forum.SessionLifetime - time.Microsecond)
	wantSessionUser(t, svc, secret, alice)
	later, _ := mustStartSession(t, svc, alice)
	clock.Add(time.Microsecond)
	if !clock.Now().Equal(expires) {
		t.Fatalf("clock %v, want the expiry %v", clock.Now(), expires)
	}
	wantSessionEnded(t, svc, secret)
	wantSessionUser(t, svc, later, alice)
	clock.Add(forum.SessionLifetime)
	wantSessionEnded(t, svc, later)
}

func TestSessionEnd(t *testing.T) {
	clock := newTestClock()
	svc, _ := newSpiedService(t, clock)
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	ended, _ := mustStartSession(t, svc, alice)
	kept, _ := mustStartSession(t, svc, alice)
	if err := svc.EndSession(t.Context(), ended); err != nil {
		t.Fatal(err)
	}
	wantSessionEnded(t, svc, ended)
	// Signing out of one browser leaves the others signed in.
	wantSessionUser(t, svc, kept, alice)
	// Signing out twice, or with nothing, is no error.
	for _, secret := range []string{ended, "", "never-issued", strings.Repeat("x", 1000)} {
		if err := svc.EndSession(t.Context(), secret); err != nil {
			t.Errorf("EndSession(%.20q…): %v, want no error", secret, err)
		}
	}
	wantSessionUser(t, svc, kept, alice)
}

func TestSessionUserErrUnauthorized(t *testing.T) {
	clock := newTestClock()
	svc, spy := newSpiedService(t, clock)
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	secret, _ := mustStartSession(t, svc, alice)
	for _, tc := range []struct {
		name   string
		secret string
		asks   bool // whether the store is asked
	}{
		{"Empty", "", false},
		{"TooLong", strings.Repeat("A", 101), false},
		{"FarTooLong", strings.Repeat("A", 1<<20), false},
		{"Unknown", base64.RawURLEncoding.EncodeToString(make([]byte, 32)), true},
		{"Longer", secret + "A", true},
		{"Shorter", secret[:len(secret)-1], true},
		{"OtherCase", strings.ToUpper(secret), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := spy.lookups.Load()
			wantSessionEnded(t, svc, tc.secret)
			if asked := spy.lookups.Load() > before; asked != tc.asks {
				t.Errorf("store asked: %v, want %v", asked, tc.asks)
			}
		})
	}
}
