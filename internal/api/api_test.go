package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"parley/internal/forum"
	"parley/internal/markup"
	"parley/internal/password"
	"parley/internal/site"
	"parley/internal/store/teststore"
)

// now is the clock of every test server, so that times can be compared
// exactly.
var now = time.Date(2007, 8, 10, 13, 42, 12, 0, time.UTC)

const nowJSON = "2007-08-10T13:42:12Z"

// testServer is the site on a real listener, over a Service on a fresh
// store, mounted as the binary mounts it.
type testServer struct {
	*httptest.Server
	svc   *forum.Service
	store teststore.Store
	log   *lockedBuffer // what the API logged
	site  *site.Site
}

// lockedBuffer is a log that the test reads while the server writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// eachServer runs test against a fresh server on each store.
func eachServer(t *testing.T, cfg forum.Config, test func(t *testing.T, s *testServer)) {
	teststore.Each(t, func(t *testing.T, open teststore.Open) {
		test(t, newTestServer(t, open(t), cfg))
	})
}

func newTestServer(t *testing.T, st teststore.Store, cfg forum.Config) *testServer {
	t.Helper()
	return newTestServerWith(t, st, cfg, site.Options{})
}

// newTestServerWith is newTestServer mounting the site with opt.
func newTestServerWith(t *testing.T, st teststore.Store, cfg forum.Config, opt site.Options) *testServer {
	t.Helper()
	cfg.Render = markup.Render
	cfg.Password = password.Fast
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return now }
	}
	svc, err := forum.NewService(st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.Relay(t.Context()); err != nil {
		t.Fatal(err)
	}
	logs := &lockedBuffer{}
	h := site.New(svc, slog.New(slog.NewTextHandler(io.MultiWriter(t.Output(), logs), nil)), opt)
	srv := httptest.NewUnstartedServer(h)
	// The binary's timeouts, shortened: event streams must outlive them.
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = time.Second, time.Second
	srv.Start()
	t.Cleanup(func() { h.EndStreams(); srv.Close() })
	return &testServer{Server: srv, svc: svc, store: st, log: logs, site: h}
}

// answer is what a client got.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// call sends a request to the API. in is sent as is when it is a string or
// []byte, as JSON otherwise, and not at all when nil.
func call(tb testing.TB, s *testServer, method, path, token string, in any) answer {
	tb.Helper()
	auth := ""
	if token != "" {
		auth = "Bearer " + token
	}
	return callAuth(tb, s, method, path, auth, in)
}

// callAuth is call with auth as the whole Authorization header, none when
// empty.
func callAuth(tb testing.TB, s *testServer, method, path, auth string, in any) answer {
	tb.Helper()
	var body io.Reader
	switch in := in.(type) {
	case nil:
	case string:
		body = strings.NewReader(in)
	case []byte:
		body = bytes.NewReader(in)
	default:
		b, err := json.Marshal(in)
		if err != nil {
			tb.Fatal(err)
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(tb.Context(), method, s.URL+path, body)
	if err != nil {
		tb.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	if method == "POST" || method == "PUT" || method == "PATCH" || body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return send(tb, req)
}

// send sends a request to the API and reads its JSON answer.
func send(tb testing.TB, req *http.Request) answer {
	tb.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read answer: %v", req.Method, req.URL.Path, err)
	}
	a := answer{status: resp.StatusCode, header: resp.Header, body: b}
	if ct := a.header.Get("Content-Type"); a.status != http.StatusNoContent && ct != "application/json" {
		tb.Errorf("%s %s: Content-Type %q, want application/json", req.Method, req.URL.Path, ct)
	}
	return a
}

// mustCall sends a request that must answer want, and decodes the answer
// into out unless out is nil.
func mustCall(tb testing.TB, s *testServer, want int, method, path, token string, in, out any) answer {
	tb.Helper()
	a := call(tb, s, method, path, token, in)
	if a.status != want {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, path, a.status, want, a.body)
	}
	if out != nil {
		if err := json.Unmarshal(a.body, out); err != nil {
			tb.Fatalf("%s %s: decode %s: %v", method, path, a.body, err)
		}
	}
	return a
}

// mustError checks that a is the JSON error status with code, and returns
// its message.
func mustError(tb testing.TB, a answer, status int, code string) string {
	tb.Helper()
	var e struct {
		Error struct {
			Code    string `json:"code"`
			Message string `json:"message"`
		} `json:"error"`
	}
	if a.status != status {
		tb.Fatalf("status %d, want %d: %s", a.status, status, a.body)
	}
	dec := json.NewDecoder(bytes.NewReader(a.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		tb.Fatalf("error body %s: %v", a.body, err)
	}
	if e.Error.Code != code || e.Error.Message == "" {
		tb.Fatalf("error %s, want code %q and a message", a.body, code)
	}
	return e.Error.Message
}

// mustObject decodes a JSON object and checks it has exactly keys.
func mustObject(tb testing.TB, raw []byte, keys ...string) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		tb.Fatalf("decode %s: %v", raw, err)
	}
	var got []string
	for k := range m {
		got = append(got, k)
	}
	slices.Sort(got)
	keys = slices.Sorted(slices.Values(keys))
	if !slices.Equal(got, keys) {
		tb.Fatalf("object %s has keys %v, want %v", raw, got, keys)
	}
	return m
}

// mustMember adds a user with role and returns it with an API token got
// through POST /api/v1/tokens.
func mustMember(tb testing.TB, s *testServer, name string, role forum.Role) (*forum.User, string) {
	tb.Helper()
	pw := "password of " + name
	u, err := s.svc.AddUser(context.Background(), name, pw, role)
	if err != nil {
		tb.Fatal(err)
	}
	var tok struct {
		Token string `json:"token"`
	}
	mustCall(tb, s, http.StatusCreated, "POST", "/api/v1/tokens", "", map[string]string{"name": name, "password": pw}, &tok)
	if tok.Token == "" {
		tb.Fatal("POST /api/v1/tokens answered no token")
	}
	return u, tok.Token
}

// mustBoard opens a board through the API.
func mustBoard(tb testing.TB, s *testServer, token, slug string) {
	tb.Helper()
	mustCall(tb, s, http.StatusCreated, "POST", "/api/v1/boards", token,
		map[string]string{"slug": slug, "title": "Board " + slug}, nil)
}

// message is a message as a client reads it.
type message struct {
	Board     string    `json:"board"`
	Number    int64     `json:"number"`
	Author    string    `json:"author"`
	CreatedAt time.Time `json:"created_at"`
	Body      string    `json:"body"`
	HTML      string    `json:"html"`
	ReplyTo   *struct {
		Number int64  `json:"number"`
		Author string `json:"author"`
	} `json:"reply_to"`
	ReplyCount int64  `json:"reply_count"`
	Removed    bool   `json:"removed"`
	RemovedBy  string `json:"removed_by"`
}

// mustPost posts through the API and returns the message answered.
func mustPost(tb testing.TB, s *testServer, token, slug, body string, replyTo int64) message {
	tb.Helper()
	in := map[string]any{"body": body}
	if replyTo != 0 {
		in["reply_to"] = replyTo
	}
	var m message
	mustCall(tb, s, http.StatusCreated, "POST", "/api/v1/boards/"+slug+"/messages", token, in, &m)
	if m.Board != slug || m.Number < 1 || m.Body != body || m.Removed ||
		(replyTo == 0) != (m.ReplyTo == nil) || m.ReplyTo != nil && m.ReplyTo.Number != replyTo {
		tb.Fatalf("posted %q (reply to %d) to %s, answered %+v", body, replyTo, slug, m)
	}
	return m
}

// mustJSON encodes v.
func mustJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
