package site_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/route"
	"parley/internal/site"
	"parley/internal/store/sqlite/sqlitetest"
)

// concrete is a path for a route's pattern, its wildcards filled in with
// a board and message that exist.
func concrete(path string) string {
	return strings.NewReplacer("{slug}", "x", "{n}", "1", "{name}", "ann", "{id}", "1",
		"{file}", "none.css", "{$}", "").Replace(path)
}

// TestRouteTable: the table holds each route once, each is what the site
// routes its own requests to, and every route of every transport is in it.
func TestRouteTable(t *testing.T) {
	s := site.New(nil, nil, site.Options{})
	seen := map[string]bool{}
	for _, rt := range s.Routes() {
		if seen[rt.Pattern()] {
			t.Errorf("%s is in the table twice", rt.Pattern())
		}
		seen[rt.Pattern()] = true
		if rt.Handler == nil || rt.Kind == "" || rt.Access == "" {
			t.Errorf("%s: handler, kind or access missing: %+v", rt.Pattern(), rt)
		}
		got, ok := s.Match(httptest.NewRequest(rt.Method, concrete(rt.Path), nil))
		if !ok || got.Pattern() != rt.Pattern() {
			t.Errorf("%s %s is routed to %q, want its own route", rt.Method, concrete(rt.Path), got.Pattern())
		}
	}
	for _, unrouted := range []string{"GET /nowhere", "PUT /b/x", "GET /api/v1/nowhere", "PATCH /api/v1/boards"} {
		method, path, _ := strings.Cut(unrouted, " ")
		if got, ok := s.Match(httptest.NewRequest(method, path, nil)); ok {
			t.Errorf("%s is routed to %s, want no route", unrouted, got.Pattern())
		}
	}
}

// TestRouteAccess holds each route to the access the table says: called
// by nobody signed in, a member's route answers 401, or for a page read
// sends the reader to sign in, and a route for anyone does neither; one
// that takes credentials answers 401 to none.
func TestRouteAccess(t *testing.T) {
	svc, err := forum.NewService(sqlitetest.Open(t), forum.Config{Render: markup.Render, Password: password.Fast})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	ann, err := svc.AddUser(ctx, "ann", "password of ann", forum.RoleMember)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateBoard(ctx, ann, forum.NewBoard{Slug: "x", Title: "X"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Post(ctx, ann, "x", forum.NewMessage{Body: "first"}); err != nil {
		t.Fatal(err)
	}
	s := site.New(svc, slog.New(slog.DiscardHandler), site.Options{})
	for _, rt := range s.Routes() {
		if rt.Kind == route.Stream {
			continue // answers for as long as it is read
		}
		r := httptest.NewRequest(rt.Method, concrete(rt.Path), strings.NewReader("{}"))
		r.RemoteAddr = "192.0.2.1:1234"
		if rt.Kind == route.API {
			r.Header.Set("Content-Type", "application/json")
		} else if rt.Method == http.MethodPost {
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		w := httptest.NewRecorder()
		s.ServeHTTP(w, r)
		toSignIn := w.Code == http.StatusSeeOther && strings.HasPrefix(w.Header().Get("Location"), "/signin")
		refused := w.Code == http.StatusUnauthorized || toSignIn
		if rt.Access == route.Member && !refused {
			t.Errorf("%s by nobody: %d (Location %q), want 401 or a sign-in", rt.Pattern(), w.Code, w.Header().Get("Location"))
		}
		if rt.Access == route.Credentials && w.Code != http.StatusUnauthorized {
			t.Errorf("%s without credentials: %d, want 401", rt.Pattern(), w.Code)
		}
		if rt.Access == route.Anyone && refused {
			t.Errorf("%s by nobody: %d, refused, but it is for anyone", rt.Pattern(), w.Code)
		}
	}
}
