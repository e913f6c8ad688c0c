package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"time"

	"parley/bench/load"
	"parley/internal/web/view"
)

// binaries are the programs the harness runs, built once per run.
type binaries struct{ parley, gen string }

func build(ctx context.Context, dir string) (binaries, error) {
	b := binaries{parley: filepath.Join(dir, "parley"), gen: filepath.Join(dir, "gen")}
	for out, pkg := range map[string]string{b.parley: "./cmd/parley", b.gen: "./bench/gen"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			return b, fmt.Errorf("go build %s (run the harness from the repository's root): %w", pkg, err)
		}
	}
	return b, nil
}

func machine() string {
	model := "unknown CPU"
	if cpuinfo, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(cpuinfo), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				model = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	return fmt.Sprintf("%d CPUs (%s), %s", runtime.NumCPU(), model, runtime.Version())
}

// generate writes the dataset unless a file of that name holds it already
// (the generator is deterministic).
func generate(ctx context.Context, bin binaries, dump string, size, seed int64) error {
	if _, err := os.Stat(dump); err == nil {
		return nil
	}
	out, err := os.Create(dump + ".part")
	if err != nil {
		return err
	}
	defer out.Close()
	step(fmt.Sprintf("generating %d messages", size))
	cmd := exec.CommandContext(ctx, bin.gen, "-messages", fmt.Sprint(size), "-seed", fmt.Sprint(seed))
	cmd.Stdout, cmd.Stderr = out, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(dump+".part", dump)
}

func step(what string) { fmt.Fprintf(os.Stderr, "harness: %s …\n", what) }

// column is one store and size's figures.
type column struct {
	store   string
	size    int64
	rows    int64 // of the raw insert ceiling
	ceiling float64
	// importRate is messages/s of `parley import`, importTime its wall time.
	importRate float64
	importTime time.Duration
	loads      map[string]load.Result
	rss, peak  int64
}

// The loads' names.
const (
	staticWindow  = "static ceiling, window page"
	staticMessage = "static ceiling, message page"
	posting       = "posting (API, 201)"
)

// The kinds of page loaded, each at the positions below.
var kinds = []string{"board windows", "message pages"}

// positions are where in the giant board the pages loaded lie: the message
// numbers from lo to hi of a board whose newest message is last, clamped
// to the board. The table compares the first three; the warm-up loads the
// last.
var positions = []struct {
	name   string
	lo, hi func(last int64) int64
}{
	{"first 1,000", func(int64) int64 { return 1 }, func(int64) int64 { return 1000 }},
	{"middle 1,000", func(last int64) int64 { return last/2 - 500 }, func(last int64) int64 { return last/2 + 499 }},
	{"last 1,000", func(last int64) int64 { return last - 999 }, func(last int64) int64 { return last }},
	{"anywhere", func(int64) int64 { return 1 }, func(last int64) int64 { return last }},
}

func loadName(kind, position string) string { return kind + ", " + position }

// boardSlug is the generator's giant board.
const boardSlug = "general"

func measure(ctx context.Context, cfg config, bin binaries, store string, size int64, dump string) (column, error) {
	col := column{store: store, size: size, loads: map[string]load.Result{}}
	db, drop, err := database(ctx, cfg, store, size)
	if err != nil {
		return col, err
	}
	defer drop()

	step(fmt.Sprintf("%s: raw insert ceiling", store))
	col.rows = min(size, 200_000)
	if store == "postgres" {
		col.ceiling, err = postgresCeiling(ctx, cfg.pg, col.rows)
	} else {
		col.ceiling, err = sqliteCeiling(ctx, filepath.Join(cfg.dir, "ceiling.db"), col.rows)
	}
	if err != nil {
		return col, fmt.Errorf("raw insert ceiling: %w", err)
	}

	step(fmt.Sprintf("%s: parley import (%d messages)", store, size))
	start := time.Now()
	cmd := exec.CommandContext(ctx, bin.parley, "import", dump, "--db", db)
	cmd.Stdout, cmd.Stderr = io.Discard, os.Stderr
	if err := cmd.Run(); err != nil {
		return col, fmt.Errorf("import: %w", err)
	}
	col.importTime = time.Since(start)
	col.importRate = float64(size) / col.importTime.Seconds()

	// A member to post as, added before the server starts.
	add := exec.CommandContext(ctx, bin.parley, "user", "add", "harness", "--db", db)
	add.Stdin = strings.NewReader("harness-password\n")
	if out, err := add.CombinedOutput(); err != nil {
		return col, fmt.Errorf("user add: %w: %s", err, out)
	}

	srv, err := startServer(ctx, bin, db)
	if err != nil {
		return col, err
	}
	defer srv.stop()
	if err := loads(ctx, cfg, srv, &col); err != nil {
		return col, err
	}
	col.rss, col.peak, err = load.RSS(srv.cmd.Process.Pid)
	return col, err
}

type server struct {
	cmd  *exec.Cmd
	base string
	// drained is closed once the server's stderr has been read to its end,
	// which must happen before cmd.Wait.
	drained chan struct{}
}

// listening matches the line `parley serve` logs (slog text) once it
// accepts connections, the last of its start-up lines.
var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// startServer starts `parley serve` on a port of the system's choosing and
// returns once the server has logged the address it listens on.
func startServer(ctx context.Context, bin binaries, db string) (*server, error) {
	cmd := exec.CommandContext(ctx, bin.parley, "serve", "--addr", "127.0.0.1:0", "--db", db)
	cmd.Stdout = io.Discard
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd, drained: make(chan struct{})}
	// said is what the server logged before listening, for the error if it
	// does not; it is read only once drained is closed.
	var said strings.Builder
	addr := make(chan string, 1) // the address, or "" if stderr ended first
	go func() {
		defer close(s.drained)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
				// Keep reading, so that the server never blocks on a full pipe.
				io.Copy(io.Discard, stderr)
				return
			}
			said.WriteString(sc.Text() + "\n")
		}
		if err := sc.Err(); err != nil {
			fmt.Fprintf(&said, "(reading stderr: %v)\n", err)
		}
		addr <- ""
		io.Copy(io.Discard, stderr)
	}()
	timeout := time.NewTimer(60 * time.Second)
	defer timeout.Stop()
	var failure string
	select {
	case a := <-addr:
		if a != "" {
			s.base = "http://" + a
			return s, nil
		}
		failure = "exited before listening"
	case <-timeout.C:
		failure = "did not listen within a minute"
	}
	cmd.Process.Kill()
	<-s.drained
	cmd.Wait()
	return nil, fmt.Errorf("parley serve %s (%v); it said:\n%s", failure, cmd.ProcessState, said.String())
}

func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGTERM)
	<-s.drained
	s.cmd.Wait()
}

// loads runs every load against the server, each page type beside the
// static ceiling of its own bytes.
func loads(ctx context.Context, cfg config, srv *server, col *column) error {
	var board struct {
		MessageCount int64 `json:"message_count"`
	}
	if err := getJSON(srv.base+"/api/v1/boards/"+boardSlug, &board); err != nil {
		return err
	}
	last := board.MessageCount
	mid := last / 2
	type page struct {
		name   string
		target func(c, i int) string
	}
	var pages []page
	var warm func(c, i int) string
	for _, kind := range kinds {
		for p, pos := range positions {
			lo, hi := max(1, pos.lo(last)), min(last, pos.hi(last))
			format := "%s/b/%s/%d"
			if kind == kinds[0] {
				// Full windows only, never the newest: it changes with
				// every post.
				format, hi = "%s/b/%s?from=%d", max(lo, min(hi, last-view.DefaultWindow))
			}
			target := func(c, i int) string {
				return fmt.Sprintf(format, srv.base, boardSlug, lo+rand.Int64N(hi-lo+1))
			}
			if kind == kinds[0] && p == len(positions)-1 {
				warm = target
			}
			pages = append(pages, page{loadName(kind, pos.name), target})
		}
	}
	// The server's first requests find cold caches, its own and the
	// system's: warm them on pages anywhere so that the first load
	// measured is not the one that pays.
	step("warming up")
	if _, err := load.Run(ctx, load.Options{Conns: cfg.conns, Duration: 3 * cfg.warmup, Target: warm}); err != nil {
		return err
	}
	for _, st := range []struct {
		name, path string
	}{
		{staticWindow, fmt.Sprintf("/b/%s?from=%d", boardSlug, mid)},
		{staticMessage, fmt.Sprintf("/b/%s/%d", boardSlug, mid)},
	} {
		body, err := get(srv.base + st.path)
		if err != nil {
			return err
		}
		url, stop, err := load.Static(body, "text/html; charset=utf-8")
		if err != nil {
			return err
		}
		res, err := run1(ctx, cfg, st.name, load.Options{Target: func(c, i int) string { return url + st.path }})
		stop()
		if err != nil {
			return err
		}
		col.loads[st.name] = res
	}
	for _, p := range pages {
		res, err := run1(ctx, cfg, p.name, load.Options{Target: p.target})
		if err != nil {
			return err
		}
		col.loads[p.name] = res
	}

	if err := searches(ctx, cfg, srv, col, last); err != nil {
		return err
	}

	token, err := signIn(srv.base)
	if err != nil {
		return err
	}
	res, err := run1(ctx, cfg, posting, load.Options{
		Target: func(c, i int) string { return srv.base + "/api/v1/boards/" + boardSlug + "/messages" },
		Header: http.Header{"Authorization": {"Bearer " + token}},
		Body: func(c, i int) (string, []byte) {
			return "application/json", fmt.Appendf(nil, `{"body":"Load from connection %d, message %d: a short post of the kind that keeps a board alive."}`, c, i)
		},
		Want: http.StatusCreated,
	})
	col.loads[posting] = res
	return err
}

func run1(ctx context.Context, cfg config, name string, opt load.Options) (load.Result, error) {
	step(name)
	opt.Conns, opt.Duration, opt.Warmup = cfg.conns, cfg.duration, cfg.warmup
	res, err := load.Run(ctx, opt)
	if err != nil {
		return res, fmt.Errorf("%s: %w", name, err)
	}
	if res.Errors > 0 {
		return res, fmt.Errorf("%s: %d errors, the first: %s", name, res.Errors, res.FirstError)
	}
	return res, nil
}

func get(url string) ([]byte, error) {
	resp, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return body, err
}

func getJSON(url string, v any) error {
	body, err := get(url)
	if err != nil {
		return err
	}
	return json.Unmarshal(body, v)
}

func signIn(base string) (string, error) {
	resp, err := http.Post(base+"/api/v1/tokens", "application/json",
		bytes.NewReader([]byte(`{"name":"harness","password":"harness-password"}`)))
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		return "", fmt.Errorf("sign in as harness: %s, %v", resp.Status, err)
	}
	return tok.Token, nil
}

// searchKinds are the searches measured, each a list of queries taken in
// turn; {author} is replaced by a member who wrote in the giant board.
// The words are the generator's: "people" and "think" are in more than a
// tenth of its messages, "garden" and "election" in about a hundredth.
var searchKinds = []struct {
	name, sort string
	queries    []string
}{
	{"1 common word", "newest", []string{"people", "think", "really", "good", "time"}},
	{"1 rarer word", "newest", []string{"garden", "election", "weather", "london", "coffee"}},
	{"2 words", "newest", []string{"coffee morning", "money market", "software update", "good idea", "people think"}},
	{"phrase", "newest", []string{`"good point"`, `"the same"`, `"no idea"`, `"last year"`, `"i think"`}},
	{"author and a word", "newest", []string{"author:{author} think", "author:{author} people", "author:{author} good"}},
	{"relevance, common word", "relevance", []string{"people", "think", "the", "good time", "really"}},
}

func searchName(kind string) string { return "search, " + kind }

// costliest are the queries that cost the engines most on the generator's
// board (docs/performance.md): phrases of its commonest words, which every
// message is a candidate for, and those words ranked. The search timeout
// stops them; the load measures what the pages meanwhile cost.
var costliest = []string{
	`"the to i a and of it is"`,
	`"the the the the"`,
	"the to i a and of it is that you in for not this but be on have with was are they if so what just we at do can all",
	"the OR to OR i OR a OR and OR of OR it OR is the OR to OR i OR a OR and OR of OR it OR is",
}

// costlyClients is how many clients send the costliest queries at once.
const costlyClients = 8

// The loads of pages beside costly searches, and of those searches.
var (
	besideCostly = fmt.Sprintf("board windows, anywhere, beside %d clients searching the costliest queries", costlyClients)
	costlySearch = fmt.Sprintf("search, the costliest queries (%d clients, beside the pages)", costlyClients)
)

// searches measures each kind of search by one client at a time: the
// latency a reader waits, not throughput; then random windows of the
// giant board, of last messages, beside clients sending costly searches.
func searches(ctx context.Context, cfg config, srv *server, col *column, last int64) error {
	var window struct {
		Messages []struct {
			Author string `json:"author"`
		} `json:"messages"`
	}
	if err := getJSON(srv.base+"/api/v1/boards/"+boardSlug+"/messages?from=1&limit=200", &window); err != nil {
		return err
	}
	var authors []string
	for _, m := range window.Messages {
		if !slices.Contains(authors, m.Author) {
			authors = append(authors, m.Author)
		}
	}
	for _, kind := range searchKinds {
		res, err := run1(ctx, config{conns: 1, duration: cfg.duration, warmup: cfg.warmup}, searchName(kind.name), load.Options{
			Target: func(c, i int) string {
				q := strings.ReplaceAll(kind.queries[i%len(kind.queries)], "{author}", authors[i%len(authors)])
				return srv.base + "/api/v1/search?sort=" + kind.sort + "&q=" + url.QueryEscape(q)
			},
		})
		if err != nil {
			return err
		}
		col.loads[searchName(kind.name)] = res
	}

	// Random windows again, while clients send the costliest searches as
	// fast as they are answered: 503 once the timeout stops them.
	costly := make(chan load.Result, 1)
	go func() {
		res, _ := load.Run(ctx, load.Options{
			Conns: costlyClients, Duration: cfg.duration + cfg.warmup, Want: http.StatusServiceUnavailable,
			Target: func(c, i int) string {
				return srv.base + "/api/v1/search?sort=relevance&q=" + url.QueryEscape(costliest[(c+i)%len(costliest)])
			},
		})
		costly <- res
	}()
	hi := max(1, last-view.DefaultWindow)
	res, err := run1(ctx, cfg, besideCostly, load.Options{Target: func(c, i int) string {
		return fmt.Sprintf("%s/b/%s?from=%d", srv.base, boardSlug, 1+rand.Int64N(hi))
	}})
	col.loads[costlySearch] = <-costly
	if err != nil {
		return err
	}
	col.loads[besideCostly] = res
	return nil
}
