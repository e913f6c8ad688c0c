package forum_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/password"
	"parley/internal/store/sqlite/sqlitetest"
	"parley/internal/store/storetest"
)

// newService returns a Service on a fresh SQLite file, with a fixed clock.
func newService(t *testing.T, cfg forum.Config) *forum.Service {
	t.Helper()
	return newServiceOn(t, sqlitetest.Open(t), cfg)
}

// newServiceOn is newService over st.
func newServiceOn(t *testing.T, st forum.Store, cfg forum.Config) *forum.Service {
	t.Helper()
	cfg.Render = html.EscapeString
	cfg.Password = password.Fast
	if cfg.Now == nil {
		// Each reading a second later, so that a time shown in the wrong
		// place (a board's for a message's) cannot pass.
		var ticks atomic.Int64
		cfg.Now = func() time.Time {
			return time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC).Add(time.Duration(ticks.Add(1)) * time.Second)
		}
	}
	svc, err := forum.NewService(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

func mustAddUser(tb testing.TB, svc *forum.Service, name string, role forum.Role) *forum.User {
	tb.Helper()
	u, err := svc.AddUser(context.Background(), name, "password-of-"+name, role)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func mustPost(tb testing.TB, svc *forum.Service, u *forum.User, slug, body string, replyTo int64) *forum.Message {
	tb.Helper()
	m, err := svc.Post(context.Background(), u, slug, forum.NewMessage{Body: body, ReplyTo: replyTo})
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

func TestRegister(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		svc := newService(t, forum.Config{})
		u, err := svc.Register(ctx, "Tenchusatsu", "a long password")
		if err != nil {
			t.Fatal(err)
		}
		if u.Role != forum.RoleMember || u.CreatedAt.IsZero() {
			t.Fatalf("registered %+v, want a member with a creation time", u)
		}
	})
	t.Run("ErrForbiddenWhenClosed", func(t *testing.T) {
		svc := newService(t, forum.Config{RegistrationClosed: true})
		_, err := svc.Register(ctx, "Tenchusatsu", "a long password")
		storetest.WantCode(t, err, forum.CodeForbidden)
		if _, err := svc.AddUser(ctx, "op", "a long password", forum.RoleAdmin); err != nil {
			t.Fatalf("the operator's AddUser must work with registration closed: %v", err)
		}
	})
	t.Run("ErrConflictIgnoringCase", func(t *testing.T) {
		svc := newService(t, forum.Config{})
		mustAddUser(t, svc, "Road_Walker", forum.RoleMember)
		_, err := svc.Register(ctx, "road_walker", "a long password")
		storetest.WantCode(t, err, forum.CodeConflict)
	})
	t.Run("ErrInvalidRole", func(t *testing.T) {
		svc := newService(t, forum.Config{})
		_, err := svc.AddUser(ctx, "x", "a long password", "owner")
		storetest.WantCode(t, err, forum.CodeInvalid)
	})
}

func TestSignIn(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	mustAddUser(t, svc, "alice", forum.RoleMember)
	if _, err := svc.SignIn(ctx, forum.Credentials{Name: "ALICE", Password: "password-of-alice"}); err != nil {
		t.Fatalf("sign-in ignoring case: %v", err)
	}
	_, wrongPassword := svc.SignIn(ctx, forum.Credentials{Name: "alice", Password: "password-of-bob"})
	_, noSuchUser := svc.SignIn(ctx, forum.Credentials{Name: "bob", Password: "password-of-bob"})
	_, badName := svc.SignIn(ctx, forum.Credentials{Name: "b o b", Password: "password-of-bob"})
	for _, err := range []error{wrongPassword, noSuchUser, badName} {
		storetest.WantCode(t, err, forum.CodeUnauthorized)
		if forum.ErrorMessage(err) != forum.ErrorMessage(wrongPassword) {
			t.Errorf("failed sign-ins differ: %q vs %q; they must not tell whether the name exists",
				forum.ErrorMessage(err), forum.ErrorMessage(wrongPassword))
		}
	}
}

func TestSignInRateLimit(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	svc := newService(t, forum.Config{Now: func() time.Time { return now }})
	mustAddUser(t, svc, "alice", forum.RoleMember)
	signIn := func(name, pw, from string) error {
		_, err := svc.SignIn(ctx, forum.Credentials{Name: name, Password: pw, From: from})
		return err
	}

	t.Run("SuccessesDoNotCount", func(t *testing.T) {
		for range 50 {
			if err := signIn("alice", "password-of-alice", "192.0.2.1:1000"); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("PerAccountAndAddress", func(t *testing.T) {
		// Ten guesses from one address hold that address for alice ...
		for range 10 {
			storetest.WantCode(t, signIn("alice", "guess", "198.51.100.1:1"), forum.CodeUnauthorized)
		}
		err := signIn("alice", "password-of-alice", "198.51.100.1:2")
		storetest.WantCode(t, err, forum.CodeRateLimited)
		if forum.RetryAfter(err) <= 0 {
			t.Errorf("RetryAfter = %v, want a wait", forum.RetryAfter(err))
		}
		// ... but not alice herself, elsewhere.
		if err := signIn("alice", "password-of-alice", "192.0.2.1:1000"); err != nil {
			t.Fatalf("the owner from another address: %v", err)
		}
		now = now.Add(31 * time.Second) // one token back
		if err := signIn("alice", "password-of-alice", "198.51.100.1:3"); err != nil {
			t.Fatalf("after the wait: %v", err)
		}
	})
	t.Run("PerAccount", func(t *testing.T) {
		// Guesses from many addresses drain alice's own bucket, a backstop
		// that refills faster than any one address may guess.
		now = now.Add(time.Hour)
		for i := range 100 {
			storetest.WantCode(t, signIn("alice", "guess", fmt.Sprintf("203.0.%d.1:1", i)), forum.CodeUnauthorized)
		}
		storetest.WantCode(t, signIn("alice", "password-of-alice", "192.0.2.1:1000"), forum.CodeRateLimited)
		now = now.Add(2 * time.Second)
		if err := signIn("alice", "password-of-alice", "192.0.2.1:1000"); err != nil {
			t.Fatalf("two seconds later: %v", err)
		}
	})
	t.Run("TrustedDevice", func(t *testing.T) {
		// A browser alice signed in on before gets in while guesses from
		// many addresses hold her name for everyone else, from an address
		// they hold too.
		now = now.Add(time.Hour)
		alice, err := svc.User(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		device, err := svc.DeviceToken(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 200 {
			signIn("alice", "guess", fmt.Sprintf("203.1.%d.1:1", i))
		}
		storetest.WantCode(t, signIn("alice", "password-of-alice", "203.1.7.1:1"), forum.CodeRateLimited)
		withDevice := func(pw, from, device string) error {
			_, err := svc.SignIn(ctx, forum.Credentials{Name: "alice", Password: pw, From: from, Device: device})
			return err
		}
		if err := withDevice("password-of-alice", "203.1.7.1:1", device); err != nil {
			t.Fatalf("alice's own browser, with its device token: %v", err)
		}
		// Guesses with the token count against the token alone.
		for range 10 {
			storetest.WantCode(t, withDevice("guess", "192.0.2.99:1", device), forum.CodeUnauthorized)
		}
		err = withDevice("password-of-alice", "192.0.2.99:1", device)
		if storetest.WantCode(t, err, forum.CodeRateLimited); !strings.Contains(forum.ErrorMessage(err), "from this browser") {
			t.Errorf("a device held by its own failures: %q, want it to say so", forum.ErrorMessage(err))
		}
		// What is not a token of alice's, valid, trusts nothing.
		now = now.Add(time.Hour)
		for range 200 {
			signIn("alice", "guess", "203.1.9.1:1")
		}
		bob := mustAddUser(t, svc, "bob", forum.RoleMember)
		bobs, err := svc.DeviceToken(ctx, bob)
		if err != nil {
			t.Fatal(err)
		}
		for name, token := range map[string]string{
			"Bob's":    bobs,
			"Forged":   strings.Replace(device, ".", "0.", 1),
			"Tampered": device[:len(device)-2] + "AA",
			"Garbage":  "not a token",
		} {
			if err := withDevice("password-of-alice", "203.1.9.1:1", token); forum.ErrorCode(err) != forum.CodeRateLimited {
				t.Errorf("%s token: %v, want the untrusted client's limit", name, err)
			}
		}
		if _, err := svc.SetPassword(ctx, "alice", "password-of-alice"); err != nil {
			t.Fatal(err)
		}
		if err := withDevice("password-of-alice", "203.1.9.1:1", device); forum.ErrorCode(err) != forum.CodeRateLimited {
			t.Errorf("a token from before a new password: %v, want the untrusted client's limit", err)
		}
		alice, err = svc.User(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := svc.DeviceToken(ctx, alice)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(forum.DeviceLifetime + time.Hour)
		for range 200 {
			signIn("alice", "guess", "203.1.10.1:1")
		}
		if err := withDevice("password-of-alice", "203.1.10.1:1", fresh); forum.ErrorCode(err) != forum.CodeRateLimited {
			t.Errorf("an expired token: %v, want the untrusted client's limit", err)
		}
	})
	t.Run("ConcurrentCorrect", func(t *testing.T) {
		// Correct passwords take nothing, however many at once.
		now = now.Add(time.Hour)
		var wg sync.WaitGroup
		errs := make(chan error, 64)
		for range 64 {
			wg.Go(func() { errs <- signIn("alice", "password-of-alice", "198.51.100.77:1") })
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatalf("one of 64 correct sign-ins at once: %v", err)
			}
		}
	})
	t.Run("IPv6Site", func(t *testing.T) {
		// Guesses for alice from many /64s of one /48 are held at the /48;
		// another /48 is not.
		now = now.Add(time.Hour)
		for i := range 40 {
			storetest.WantCode(t, signIn("alice", "guess", fmt.Sprintf("[2001:db8:7:%x::1]:1", i)), forum.CodeUnauthorized)
		}
		storetest.WantCode(t, signIn("alice", "password-of-alice", "[2001:db8:7:ff::1]:1"), forum.CodeRateLimited)
		if err := signIn("alice", "password-of-alice", "[2001:db8:8::1]:1"); err != nil {
			t.Fatalf("another /48: %v", err)
		}
	})
	t.Run("PerAddress", func(t *testing.T) {
		// One address guessing across many names is held too.
		var err error
		now = now.Add(time.Hour)
		for i := range 31 {
			err = signIn(fmt.Sprintf("user%d", i), "guess", "203.0.113.9:1")
		}
		storetest.WantCode(t, err, forum.CodeRateLimited)
		if err := signIn("bob", "guess", "203.0.113.10:1"); forum.ErrorCode(err) != forum.CodeUnauthorized {
			t.Errorf("another address: %v, want unauthorized", err)
		}
	})
}

func TestTokens(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	secret, tok, err := svc.CreateToken(ctx, forum.Credentials{Name: "alice", Password: "password-of-alice"})
	if err != nil {
		t.Fatal(err)
	}
	if raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(secret, "parley_")); !strings.HasPrefix(secret, "parley_") || err != nil || len(raw) != 32 {
		t.Fatalf("token %q: want parley_ and 256 random bits in base64url", secret)
	}
	u, err := svc.Authenticate(ctx, secret)
	if err != nil || u.ID != alice.ID {
		t.Fatalf("Authenticate = %v, %v", u, err)
	}
	_, err = svc.Authenticate(ctx, secret+"x")
	storetest.WantCode(t, err, forum.CodeUnauthorized)
	list, err := svc.Tokens(ctx, alice)
	if err != nil || len(list) != 1 || len(list[0].Hint) < 8 || !strings.HasPrefix(secret, list[0].Hint) {
		t.Fatalf("Tokens = %+v, %v", list, err)
	}
	if err := svc.RevokeToken(ctx, alice, tok.ID); err != nil {
		t.Fatal(err)
	}
	_, err = svc.Authenticate(ctx, secret)
	storetest.WantCode(t, err, forum.CodeUnauthorized)
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	pw, created, err := svc.EnsureAdmin(ctx)
	if err != nil || !created {
		t.Fatalf("EnsureAdmin on an empty forum = %v, %v", created, err)
	}
	u, err := svc.SignIn(ctx, forum.Credentials{Name: forum.FirstAdminName, Password: pw})
	if err != nil || u.Role != forum.RoleAdmin {
		t.Fatalf("first admin cannot sign in: %v, %v", u, err)
	}
	if _, created, err := svc.EnsureAdmin(ctx); err != nil || created {
		t.Fatalf("second EnsureAdmin = %v, %v; want nothing created", created, err)
	}
}

func TestPost(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	if _, err := svc.CreateBoard(ctx, alice, forum.NewBoard{Slug: "intc", Title: " Intel "}); err != nil {
		t.Fatal(err)
	}
	first := mustPost(t, svc, alice, "intc", "first <b>", 0)
	if first.Number != 1 || first.HTML != "first &lt;b&gt;" {
		t.Fatalf("first post %+v", first)
	}
	for _, tc := range []struct {
		name  string
		actor *forum.User
		slug  string
		in    forum.NewMessage
		code  forum.Code
	}{
		{"ErrUnauthorized", nil, "intc", forum.NewMessage{Body: "x"}, forum.CodeUnauthorized},
		{"ErrNotFoundBoard", alice, "amd", forum.NewMessage{Body: "x"}, forum.CodeNotFound},
		{"ErrInvalidBoardSlug", alice, "../x", forum.NewMessage{Body: "x"}, forum.CodeNotFound},
		{"ErrInvalidEmpty", alice, "intc", forum.NewMessage{Body: "  "}, forum.CodeInvalid},
		{"ErrTooLarge", alice, "intc", forum.NewMessage{Body: string(make([]byte, forum.MaxBody+1))}, forum.CodeTooLarge},
		{"ErrInvalidReplyToMissing", alice, "intc", forum.NewMessage{Body: "x", ReplyTo: 2}, forum.CodeInvalid},
		{"ErrInvalidReplyToNegative", alice, "intc", forum.NewMessage{Body: "x", ReplyTo: -1}, forum.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := svc.Post(ctx, tc.actor, tc.slug, tc.in)
			storetest.WantCode(t, err, tc.code)
		})
	}
	reply := mustPost(t, svc, alice, "intc", "second", 1)
	if reply.Number != 2 || reply.ReplyTo != 1 || reply.ReplyToAuthor != "alice" {
		t.Fatalf("reply %+v: refused posts must not take numbers", reply)
	}
	b, err := svc.Board(ctx, "intc")
	if err != nil || b.Title != "Intel" || b.LastNumber != 2 || !b.LastPostedAt.Equal(reply.CreatedAt) {
		t.Fatalf("board %+v, %v", b, err)
	}
}

func TestRemove(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	bob := mustAddUser(t, svc, "bob", forum.RoleMember)
	mod := mustAddUser(t, svc, "mod", forum.RoleModerator)
	if _, err := svc.CreateBoard(ctx, alice, forum.NewBoard{Slug: "b", Title: "B"}); err != nil {
		t.Fatal(err)
	}
	mustPost(t, svc, alice, "b", "one", 0)
	mustPost(t, svc, alice, "b", "two", 0)
	mustPost(t, svc, alice, "b", "three", 0)

	storetest.WantCode(t, svc.Remove(ctx, nil, "b", 1), forum.CodeUnauthorized)
	storetest.WantCode(t, svc.Remove(ctx, bob, "b", 1), forum.CodeForbidden)
	storetest.WantCode(t, svc.Remove(ctx, alice, "b", 4), forum.CodeNotFound)
	if err := svc.Remove(ctx, alice, "b", 1); err != nil {
		t.Fatal(err)
	}
	if err := svc.Remove(ctx, mod, "b", 2); err != nil {
		t.Fatal(err)
	}
	storetest.WantCode(t, svc.Remove(ctx, mod, "b", 2), forum.CodeConflict)

	p, err := svc.Messages(ctx, nil, "b", forum.Window{From: 1, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		removed forum.Removal
		body    string
	}{{forum.RemovedByAuthor, ""}, {forum.RemovedByModerator, ""}, {forum.NotRemoved, "three"}}
	if len(p.Messages) != 3 || p.Board.LastNumber != 3 {
		t.Fatalf("after removals: %d messages of %d; removal must not renumber", len(p.Messages), p.Board.LastNumber)
	}
	for i, m := range p.Messages {
		if m.Number != int64(i+1) || m.Removed != want[i].removed || m.Body != want[i].body || (m.HTML == "") != (want[i].body == "") {
			t.Errorf("message %d: %+v, want removed %q body %q", i+1, m, want[i].removed, want[i].body)
		}
	}
}

func TestMessagesWindow(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, forum.Config{})
	alice := mustAddUser(t, svc, "alice", forum.RoleMember)
	if _, err := svc.CreateBoard(ctx, alice, forum.NewBoard{Slug: "b", Title: "B"}); err != nil {
		t.Fatal(err)
	}
	for range 12 {
		mustPost(t, svc, alice, "b", "m", 0)
	}
	for _, tc := range []struct {
		name        string
		w           forum.Window
		first, last int64
		next, prev  int64
		code        forum.Code
	}{
		{"Start", forum.Window{From: 1, Limit: 5}, 1, 5, 6, 0, ""},
		{"Middle", forum.Window{From: 5, Limit: 5}, 5, 9, 10, 5, ""},
		{"End", forum.Window{From: 10, Limit: 5}, 10, 12, 0, 10, ""},
		{"Newest", forum.Window{Limit: 5}, 8, 12, 0, 8, ""},
		{"Before", forum.Window{Before: 6, Limit: 5}, 1, 5, 6, 0, ""},
		{"PastEnd", forum.Window{From: 13, Limit: 5}, 0, 0, 0, 0, ""},
		{"ErrBoth", forum.Window{From: 1, Before: 5, Limit: 5}, 0, 0, 0, 0, forum.CodeInvalid},
		{"ErrNegative", forum.Window{From: -1, Limit: 5}, 0, 0, 0, 0, forum.CodeInvalid},
		{"ErrLimitZero", forum.Window{Limit: 0}, 0, 0, 0, 0, forum.CodeInvalid},
		{"ErrLimitTooLarge", forum.Window{Limit: forum.MaxWindow + 1}, 0, 0, 0, 0, forum.CodeInvalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := svc.Messages(ctx, nil, "b", tc.w)
			storetest.WantCode(t, err, tc.code)
			if err != nil {
				return
			}
			var first, last int64
			if n := len(p.Messages); n > 0 {
				first, last = p.Messages[0].Number, p.Messages[n-1].Number
			}
			if first != tc.first || last != tc.last || p.Next != tc.next || p.Prev != tc.prev {
				t.Fatalf("window %d..%d next %d prev %d, want %d..%d next %d prev %d",
					first, last, p.Next, p.Prev, tc.first, tc.last, tc.next, tc.prev)
			}
		})
	}
}
