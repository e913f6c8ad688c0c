// Package load generates HTTP load against a running server and measures
// its throughput and latency. It is meant to share a small machine with
// the server under test, so it spends as little as it can per request: one
// goroutine and one keep-alive connection per concurrent client, reused
// buffers, and no work beyond reading each response to its end.
package load

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"
)

// Options of one measurement.
type Options struct {
	// Conns is the number of concurrent clients, each one goroutine making
	// one request at a time over its own keep-alive connection.
	Conns int
	// Duration is how long to measure, after Warmup.
	Duration time.Duration
	// Warmup, optional, is spent making requests whose results are
	// discarded, so that connections, caches and the heap are in their
	// steady state when measuring begins.
	Warmup time.Duration
	// Target returns the URL of the i-th request (counted from 0, warmup
	// included) of connection c (0 ≤ c < Conns). It is called from that
	// connection's goroutine, so it must be safe for concurrent use across
	// connections.
	Target func(c, i int) string
	// Header, optional, is added to every request. It is shared by all
	// requests and must not be changed during Run.
	Header http.Header
	// Body, optional, returns the body of the i-th request of connection c
	// and its content type; it is called like Target. Requests are POSTs
	// when it is set, GETs otherwise.
	Body func(c, i int) (contentType string, body []byte)
	// Want is the expected status code, 200 if zero; any other status
	// counts as an error. Redirects are not followed, so a form post that
	// answers 303 See Other is measured by itself with Want 303.
	Want int
}

// Result of one measurement. Only requests that started after the warmup
// and ended before the measurement stopped are counted; those cut off by
// the stop are neither requests nor errors.
type Result struct {
	Requests int // completed with the wanted status
	Errors   int // failed, or answered with another status
	// FirstError describes the earliest error, e.g.
	// "GET /b/x?from=5: status 500: <first 200 bytes of the body>".
	FirstError string
	Bytes      int64 // body bytes of the counted requests
	Elapsed    time.Duration
	PerSecond  float64 // Requests / Elapsed
	// Latency percentiles (nearest rank) and maximum of the counted
	// requests, from sending the request to reading the end of its body.
	P50, P90, P95, P99, Max time.Duration
}

const (
	// requestTimeout bounds one request, so that a server that stops
	// answering fails the requests instead of hanging the measurement.
	requestTimeout = 10 * time.Second
	// readBufSize is the per-connection buffer that bodies are read into;
	// large enough to take a typical page in a few reads.
	readBufSize = 32 << 10
	// snippetLen is how much of an unwanted response's body FirstError
	// quotes: enough for an error message, short enough for a report.
	snippetLen = 200
	// latencyCap presizes each connection's latency log so that a
	// measurement of a few seconds does not grow it while running.
	latencyCap = 4 << 10
)

func (o *Options) validate() error {
	switch {
	case o.Conns < 1:
		return fmt.Errorf("load: Conns is %d, want at least 1", o.Conns)
	case o.Duration <= 0:
		return fmt.Errorf("load: Duration is %v, want more than 0", o.Duration)
	case o.Warmup < 0:
		return fmt.Errorf("load: Warmup is %v, want 0 or more", o.Warmup)
	case o.Target == nil:
		return errors.New("load: Target is nil")
	case o.Want != 0 && (o.Want < 100 || o.Want > 599):
		return fmt.Errorf("load: Want is %d, not a status code", o.Want)
	}
	return nil
}

// Run measures the load that opt describes. It returns an error only for
// invalid options or if ctx ends before measuring begins; if ctx ends
// during the measurement, the result covers the part that ran.
func Run(ctx context.Context, opt Options) (Result, error) {
	if err := opt.validate(); err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, fmt.Errorf("load: %w", err)
	}
	method := http.MethodGet
	if opt.Body != nil {
		method = http.MethodPost
	}
	want := opt.Want
	if want == 0 {
		want = http.StatusOK
	}

	tr := &http.Transport{
		MaxIdleConns:        opt.Conns,
		MaxIdleConnsPerHost: opt.Conns,
		MaxConnsPerHost:     opt.Conns,
		// The ceiling is measured uncompressed; compressing only one side
		// would make the comparison unfair.
		DisableCompression: true,
		ForceAttemptHTTP2:  false,
	}
	defer tr.CloseIdleConnections()
	client := &http.Client{
		Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}

	begin := time.Now()
	measureFrom := begin.Add(opt.Warmup)
	end := measureFrom.Add(opt.Duration)
	runCtx, cancel := context.WithDeadline(ctx, end)
	defer cancel()

	stats := make([]connStats, opt.Conns)
	var wg sync.WaitGroup
	for c := range stats {
		wg.Go(func() {
			w := worker{
				client:      client,
				opt:         &opt,
				method:      method,
				want:        want,
				measureFrom: measureFrom,
				buf:         make([]byte, readBufSize),
			}
			w.stats.lat = make([]time.Duration, 0, latencyCap)
			w.run(runCtx, c)
			// Written once at the end rather than counted in place, so
			// that the connections do not share cache lines while running.
			stats[c] = w.stats
		})
	}
	<-runCtx.Done()
	stopAt := time.Now()
	if stopAt.After(end) {
		stopAt = end
	}
	cancel()
	wg.Wait()

	if !stopAt.After(measureFrom) {
		return Result{}, fmt.Errorf("load: ended before measuring: %w", ctx.Err())
	}
	return summarize(stats, stopAt.Sub(measureFrom)), nil
}

// connStats is what one connection saw during the measured period.
type connStats struct {
	lat        []time.Duration
	errors     int
	bytes      int64
	firstErr   string
	firstErrAt time.Time
}

type worker struct {
	client      *http.Client
	opt         *Options
	method      string
	want        int
	measureFrom time.Time
	buf         []byte
	stats       connStats
}

func (w *worker) run(ctx context.Context, c int) {
	for i := 0; ctx.Err() == nil; i++ {
		w.do(ctx, c, i)
	}
}

// do makes the i-th request of connection c and records its outcome if it
// belongs to the measured period.
func (w *worker) do(ctx context.Context, c, i int) {
	target := w.opt.Target(c, i)
	var body io.Reader
	var contentType string
	if w.opt.Body != nil {
		var b []byte
		contentType, b = w.opt.Body(c, i)
		body = bytes.NewReader(b)
	}
	reqCtx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()

	start := time.Now()
	req, err := http.NewRequestWithContext(reqCtx, w.method, target, body)
	if err != nil {
		w.fail(ctx, start, func() string { return fmt.Sprintf("%s %s: %v", w.method, target, err) })
		return
	}
	req.Header = w.header(contentType)

	resp, err := w.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		w.fail(ctx, start, func() string {
			return fmt.Sprintf("%s %s: %v", w.method, req.URL.RequestURI(), err)
		})
		return
	}
	wrong := resp.StatusCode != w.want
	n, snippet, err := w.drain(resp.Body, wrong && w.stats.firstErr == "")
	resp.Body.Close()
	done := time.Now()

	switch {
	case err != nil:
		w.fail(ctx, start, func() string {
			return fmt.Sprintf("%s %s: reading body: %v", w.method, req.URL.RequestURI(), err)
		})
	case wrong:
		w.fail(ctx, start, func() string {
			return fmt.Sprintf("%s %s: status %d: %s", w.method, req.URL.RequestURI(), resp.StatusCode, snippet)
		})
	case w.counts(ctx, start):
		w.stats.lat = append(w.stats.lat, done.Sub(start))
		w.stats.bytes += n
	}
}

// counts reports whether a request that started at start and has just
// ended belongs to the measured period: it did not start in the warmup
// and was not cut off by the end of the run.
func (w *worker) counts(ctx context.Context, start time.Time) bool {
	return !start.Before(w.measureFrom) && ctx.Err() == nil
}

// fail records an error if it counts; describe is only called for the
// connection's first error, so that a flood of errors costs no formatting.
func (w *worker) fail(ctx context.Context, start time.Time, describe func() string) {
	if !w.counts(ctx, start) {
		return
	}
	w.stats.errors++
	if w.stats.firstErr == "" {
		w.stats.firstErr = describe()
		w.stats.firstErrAt = time.Now()
	}
}

// header returns the header of a request with the given body content type.
// Without one, all requests share opt.Header, which the client only reads.
func (w *worker) header(contentType string) http.Header {
	if contentType == "" {
		return w.opt.Header
	}
	h := w.opt.Header.Clone()
	if h == nil {
		h = make(http.Header, 1)
	}
	h.Set("Content-Type", contentType)
	return h
}

// drain reads body to its end, so that its connection can be reused, and
// returns its length and, if quote is set, its first snippetLen bytes.
func (w *worker) drain(body io.Reader, quote bool) (n int64, snippet []byte, err error) {
	for {
		m, err := body.Read(w.buf)
		if quote && len(snippet) < snippetLen {
			snippet = append(snippet, w.buf[:min(m, snippetLen-len(snippet))]...)
		}
		n += int64(m)
		if err == io.EOF {
			return n, snippet, nil
		}
		if err != nil {
			return n, snippet, err
		}
	}
}

func summarize(stats []connStats, elapsed time.Duration) Result {
	r := Result{Elapsed: elapsed}
	total := 0
	for _, s := range stats {
		total += len(s.lat)
	}
	all := make([]time.Duration, 0, total)
	var firstErrAt time.Time
	for _, s := range stats {
		all = append(all, s.lat...)
		r.Errors += s.errors
		r.Bytes += s.bytes
		if s.firstErr != "" && (r.FirstError == "" || s.firstErrAt.Before(firstErrAt)) {
			r.FirstError, firstErrAt = s.firstErr, s.firstErrAt
		}
	}
	slices.Sort(all)
	r.Requests = len(all)
	r.PerSecond = float64(r.Requests) / elapsed.Seconds()
	r.P50 = percentile(all, 50)
	r.P90 = percentile(all, 90)
	r.P95 = percentile(all, 95)
	r.P99 = percentile(all, 99)
	if len(all) > 0 {
		r.Max = all[len(all)-1]
	}
	return r
}

// percentile returns the nearest-rank p-th percentile of sorted: the
// smallest value that at least p% of the values do not exceed.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100
	return sorted[rank-1]
}
