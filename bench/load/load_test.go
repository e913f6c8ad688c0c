package load

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

const testDuration = 200 * time.Millisecond

func TestRunCountsAndPercentiles(t *testing.T) {
	page := bytes.Repeat([]byte("x"), 5000)
	base, stop, err := Static(page, "text/html; charset=utf-8")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	const conns = 4
	var badConn atomic.Bool
	r, err := Run(t.Context(), Options{
		Conns:    conns,
		Duration: testDuration,
		Warmup:   50 * time.Millisecond,
		Target: func(c, i int) string {
			if c < 0 || c >= conns {
				badConn.Store(true)
			}
			return fmt.Sprintf("%s/b/x?from=%d", base, i)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if badConn.Load() {
		t.Error("Target called with a connection number out of range")
	}
	if r.Requests == 0 || r.Errors != 0 || r.FirstError != "" {
		t.Fatalf("got %d requests, %d errors (%q), want some requests and no errors", r.Requests, r.Errors, r.FirstError)
	}
	if r.Bytes != int64(r.Requests*len(page)) {
		t.Errorf("Bytes = %d, want %d requests × %d", r.Bytes, r.Requests, len(page))
	}
	if r.Elapsed != testDuration {
		t.Errorf("Elapsed = %v, want %v", r.Elapsed, testDuration)
	}
	if want := float64(r.Requests) / testDuration.Seconds(); r.PerSecond != want {
		t.Errorf("PerSecond = %v, want %v", r.PerSecond, want)
	}
	if !(0 < r.P50 && r.P50 <= r.P90 && r.P90 <= r.P99 && r.P99 <= r.Max) {
		t.Errorf("percentiles out of order: P50 %v, P90 %v, P99 %v, Max %v", r.P50, r.P90, r.P99, r.Max)
	}
}

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 200; i++ {
		d = append(d, time.Duration(i))
	}
	for _, tc := range []struct{ p, want int }{{50, 100}, {90, 180}, {99, 198}, {100, 200}} {
		if got := percentile(d, tc.p); got != time.Duration(tc.want) {
			t.Errorf("percentile(1..200, %d) = %d, want %d", tc.p, got, tc.want)
		}
	}
	if got := percentile(d[:1], 50); got != 1 {
		t.Errorf("percentile of one value = %d, want 1", got)
	}
}

// TestRunDiscardsWarmup answers 500 to every request that arrives during
// the warmup; as those requests also start in it, none may count.
func TestRunDiscardsWarmup(t *testing.T) {
	const warmup = 100 * time.Millisecond
	warm := time.Now().Add(warmup) // not after Run's own start of measuring
	var warmErrors atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if time.Now().Before(warm) {
			warmErrors.Add(1)
			w.WriteHeader(http.StatusInternalServerError)
		}
	}))
	defer srv.Close()
	r, err := Run(t.Context(), Options{
		Conns:    2,
		Duration: testDuration,
		Warmup:   warmup,
		Target:   func(int, int) string { return srv.URL },
	})
	if err != nil {
		t.Fatal(err)
	}
	if warmErrors.Load() == 0 {
		t.Fatal("no request made during the warmup")
	}
	if r.Errors != 0 || r.Requests == 0 {
		t.Errorf("got %d requests, %d errors (%q), want some requests and no errors", r.Requests, r.Errors, r.FirstError)
	}
}

func TestRunCountsWrongStatus(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "database down "+strings.Repeat("!", 500), http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	r, err := Run(t.Context(), Options{
		Conns:    2,
		Duration: testDuration,
		Target:   func(c, i int) string { return srv.URL + "/b/x?from=5" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests != 0 || r.Errors == 0 {
		t.Errorf("got %d requests, %d errors, want only errors", r.Requests, r.Errors)
	}
	if want := "GET /b/x?from=5: status 503: database down !!!"; !strings.HasPrefix(r.FirstError, want) {
		t.Errorf("FirstError = %q, want it to start with %q", r.FirstError, want)
	}
	if len(r.FirstError) > 300 {
		t.Errorf("FirstError is %d bytes long, want the body cut short", len(r.FirstError))
	}
}

func TestRunReportsTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // so that connections are refused
	r, err := Run(t.Context(), Options{
		Conns:    1,
		Duration: 50 * time.Millisecond,
		Target:   func(int, int) string { return srv.URL + "/p" },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Errors == 0 || !strings.HasPrefix(r.FirstError, "GET /p: ") {
		t.Errorf("got %d errors, first %q, want errors of GET /p", r.Errors, r.FirstError)
	}
}

func TestRunPosts(t *testing.T) {
	const formType = "application/x-www-form-urlencoded"
	var posts, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		c, i := r.URL.Query().Get("c"), r.URL.Query().Get("i")
		if r.Method != http.MethodPost ||
			r.Header.Get("Content-Type") != formType ||
			r.Header.Get("Cookie") != "session=s" ||
			string(body) != "body=c"+c+"i"+i {
			bad.Add(1)
		}
		posts.Add(1)
		http.Redirect(w, r, "/elsewhere", http.StatusSeeOther)
	}))
	defer srv.Close()
	r, err := Run(t.Context(), Options{
		Conns:    2,
		Duration: testDuration,
		Target:   func(c, i int) string { return fmt.Sprintf("%s/post?c=%d&i=%d", srv.URL, c, i) },
		Header:   http.Header{"Cookie": {"session=s"}},
		Body: func(c, i int) (string, []byte) {
			return formType, fmt.Appendf(nil, "body=c%di%d", c, i)
		},
		Want: http.StatusSeeOther,
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Requests == 0 || r.Errors != 0 {
		t.Errorf("got %d requests, %d errors (%q), want some requests and no errors", r.Requests, r.Errors, r.FirstError)
	}
	if n := bad.Load(); n != 0 {
		t.Errorf("%d of %d posts arrived with the wrong method, header or body", n, posts.Load())
	}
}

func TestRunStopsWithContext(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	opt := Options{
		Conns:    2,
		Duration: time.Minute,
		Target:   func(int, int) string { return srv.URL },
		Want:     http.StatusNotFound,
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	r, err := Run(ctx, opt)
	if err != nil {
		t.Fatal(err)
	}
	if r.Elapsed <= 0 || r.Elapsed > 10*time.Second || r.Requests == 0 {
		t.Errorf("got %d requests in %v, want some in about 100ms", r.Requests, r.Elapsed)
	}

	opt.Warmup = time.Minute
	ctx, cancel = context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := Run(ctx, opt); err == nil {
		t.Error("Run ended in the warmup without an error")
	}
}

func TestRunRejectsBadOptions(t *testing.T) {
	good := Options{Conns: 1, Duration: time.Second, Target: func(int, int) string { return "http://127.0.0.1:1/" }}
	for name, change := range map[string]func(*Options){
		"no conns":      func(o *Options) { o.Conns = 0 },
		"no target":     func(o *Options) { o.Target = nil },
		"no duration":   func(o *Options) { o.Duration = 0 },
		"negative warm": func(o *Options) { o.Warmup = -time.Second },
		"not a status":  func(o *Options) { o.Want = 42 },
	} {
		opt := good
		change(&opt)
		if _, err := Run(t.Context(), opt); err == nil {
			t.Errorf("%s: Run returned no error", name)
		}
	}

	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := Run(ctx, good); err == nil {
		t.Error("ended context: Run returned no error")
	}
}

func TestStaticServesBodyForAnyQuery(t *testing.T) {
	body := make([]byte, 60<<10)
	for i := range body {
		body[i] = byte(i * 7)
	}
	const contentType = "text/html; charset=utf-8"
	base, stop, err := Static(body, contentType)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/", "/b/x?from=5", "/b/x?from=123&q=z"} {
		resp, err := http.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != contentType ||
			resp.ContentLength != int64(len(body)) || !bytes.Equal(got, body) {
			t.Errorf("GET %s: status %d, Content-Type %q, Content-Length %d, %d bytes (equal: %v); want 200, %q, %d",
				path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.ContentLength, len(got),
				bytes.Equal(got, body), contentType, len(body))
		}
	}
	stop()
	stop()
	if resp, err := http.Get(base + "/"); err == nil {
		resp.Body.Close()
		t.Error("Static still serving after stop")
	}
}

func TestRSS(t *testing.T) {
	now, peak, err := RSS(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if now <= 0 || peak < now {
		t.Errorf("RSS = %d, peak %d; want 0 < RSS ≤ peak", now, peak)
	}
	if _, _, err := RSS(-1); err == nil {
		t.Error("RSS of no process returned no error")
	}
}
