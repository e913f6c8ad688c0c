package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"parley/internal/forum"
	"parley/internal/web"
)

// sessionCookie returns the Set-Cookie of the session on a page, if any.
func sessionCookie(p *page) *http.Cookie {
	for _, c := range (&http.Response{Header: p.header}).Cookies() {
		if c.Name == "parley_session" {
			return c
		}
	}
	return nil
}

func TestRegisterSignOutSignIn(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)

	p := b.post("/register", url.Values{"name": {"newbie"}, "password": {"a good long password"}})
	p.wantRedirect(t, "/")
	c := sessionCookie(p)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure || c.MaxAge <= 0 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Lax, Path=/, lasting, not Secure over http", c)
	}
	if len(c.Value) < 22 { // 128 bits in base64
		t.Errorf("session secret %q is too short", c.Value)
	}
	home := b.get("/")
	if _, ok := home.findLink("newbie"); !ok {
		t.Fatalf("the header does not show the member signed in: %s", textOf(home.root))
	}

	b.post("/signout", nil).wantRedirect(t, "/")
	home = b.get("/")
	if _, ok := home.findLink("Sign in"); !ok {
		t.Fatal("still signed in after signing out")
	}
	// The old secret is dead on the server, not only forgotten here.
	stale := f.browser(t)
	stale.client.Jar.SetCookies(mustURL(t, f.URL), []*http.Cookie{{Name: "parley_session", Value: c.Value}})
	if _, ok := stale.get("/").findLink("newbie"); ok {
		t.Error("a signed-out session still signs in")
	}

	p = b.post("/signin", url.Values{"name": {"newbie"}, "password": {"wrong password"}, "next": {"/b/intel"}})
	p.wantStatus(t, http.StatusUnauthorized).wantText(t, "Wrong name or password")
	if !strings.Contains(p.body, `value="newbie"`) {
		t.Error("the name typed is not kept")
	}
	b.post("/signin", url.Values{"name": {"newbie"}, "password": {"a good long password"}, "next": {"/b/intel"}}).wantRedirect(t, "/b/intel")
}

func TestRegisterErrors(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	for _, tc := range []struct {
		name, password string
		status         int
		says           string
	}{
		{"Tenchusatsu", "long enough password", http.StatusConflict, "The name Tenchusatsu is taken"},
		{"tenchusatsu", "long enough password", http.StatusConflict, "The name tenchusatsu is taken"},
		{"..", "long enough password", http.StatusBadRequest, "Name must start with a letter or a digit"},
		{"", "long enough password", http.StatusBadRequest, "Name is required"},
		{"<script>", "long enough password", http.StatusBadRequest, "Name may hold only"},
		{"shortpw", "short", http.StatusBadRequest, "Password must be at least 8 characters"},
	} {
		p := b.post("/register", url.Values{"name": {tc.name}, "password": {tc.password}})
		p.wantStatus(t, tc.status).wantText(t, tc.says)
	}
}

func TestRegistrationClosed(t *testing.T) {
	f := newTestForumWith(t, forum.Config{RegistrationClosed: true}, web.Options{})
	b := f.browser(t)
	b.get("/register").wantStatus(t, http.StatusOK).wantText(t, "Registration is closed on this forum")
	p := b.post("/register", url.Values{"name": {"newbie"}, "password": {"a good long password"}})
	p.wantStatus(t, http.StatusForbidden).wantText(t, "Registration is closed")
	if _, err := f.svc.User(t.Context(), "newbie"); err == nil {
		t.Error("a closed forum registered a member")
	}
}

func TestSignInNext(t *testing.T) {
	f := seedForum(t)
	for next, want := range map[string]string{
		"/b/intel/1":            "/b/intel/1",
		"https://evil.example/": "/",
		"//evil.example/":       "/",
		"/\\evil.example":       "/",
		"/\t/evil.example":      "/",
		"/\n/evil.example":      "/",
		"/%09/evil.example":     "/%09/evil.example", // a path on this site
		"":                      "/",
	} {
		b := f.browser(t)
		b.post("/signin", url.Values{"name": {"Tenchusatsu"}, "password": {"password of Tenchusatsu"}, "next": {next}}).wantRedirect(t, want)
	}
}

// TestSessionRotation: signing in always issues a new secret and ends the
// one the browser had, so a secret planted before sign-in is worthless.
func TestSessionRotation(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	first := sessionCookie(b.post("/signin", url.Values{"name": {"Tenchusatsu"}, "password": {"password of Tenchusatsu"}}))
	second := sessionCookie(b.post("/signin", url.Values{"name": {"Road_Walker"}, "password": {"password of Road_Walker"}}))
	if first == nil || second == nil || first.Value == second.Value {
		t.Fatalf("sign-in did not rotate the session: %v then %v", first, second)
	}
	old := f.browser(t)
	old.client.Jar.SetCookies(mustURL(t, f.URL), []*http.Cookie{{Name: "parley_session", Value: first.Value}})
	if _, ok := old.get("/").findLink("Tenchusatsu"); ok {
		t.Error("the session replaced at sign-in still works")
	}
	if _, ok := b.get("/").findLink("Road_Walker"); !ok {
		t.Error("the new session does not work")
	}
	// A forged or stale cookie is cleared, and the page served signed out.
	forged := f.browser(t)
	forged.client.Jar.SetCookies(mustURL(t, f.URL), []*http.Cookie{{Name: "parley_session", Value: "forged"}})
	p := forged.get("/").wantStatus(t, http.StatusOK)
	if c := sessionCookie(p); c == nil || c.MaxAge >= 0 {
		t.Errorf("a dead session's cookie is not cleared: %v", c)
	}
}

func TestSecureCookie(t *testing.T) {
	f := newTestForum(t, web.Options{SecureCookies: true})
	f.MustUser(t, "alice")
	p := f.browser(t).post("/signin", url.Values{"name": {"alice"}, "password": {"password of alice"}})
	if c := sessionCookie(p); c == nil || !c.Secure {
		t.Fatalf("cookie %v is not Secure though the forum is served over https", c)
	}
}

// TestCrossOriginPost: a page on another site cannot post in a member's
// name, whatever the form.
func TestCrossOriginPost(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	b.signIn("Road_Walker")
	for _, headers := range [][]string{
		{"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"},
		{"Origin", "https://evil.example", "Sec-Fetch-Site", ""},
		{"Origin", "http://127.0.0.1:1", "Sec-Fetch-Site", "same-site"},
	} {
		for _, path := range []string{"/b/intel", "/b/intel/1/reply", "/boards/new", "/signout", "/signin"} {
			p := b.post(path, url.Values{"body": {"forged"}, "slug": {"forged"}, "title": {"Forged"}}, headers...)
			p.wantStatus(t, http.StatusForbidden).wantText(t, "sent from another site")
		}
	}
	b.get("/b/intel").noText(t, "forged")
	if _, err := f.svc.Board(t.Context(), "forged"); err == nil {
		t.Error("a cross-site form opened a board")
	}
	// The member is still signed in: the forged sign-out did nothing.
	if _, ok := b.get("/").findLink("Road_Walker"); !ok {
		t.Error("a cross-site form signed the member out")
	}
}

func TestSignInRateLimited(t *testing.T) {
	f := seedForum(t)
	b := f.browser(t)
	var p *page
	for range 25 {
		p = b.post("/signin", url.Values{"name": {"Tenchusatsu"}, "password": {"guess"}})
		if p.status == http.StatusTooManyRequests {
			break
		}
	}
	p.wantStatus(t, http.StatusTooManyRequests).wantText(t, "Too many failed sign-ins")
	if p.header.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
}

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
