package main_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the parley executable built once by TestMain; every test runs
// it as a separate process, as an operator would.
var binary string

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "parley-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "parley")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		// The server under test is checked for races too.
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "build parley: %v\n", err)
		return 1
	}
	return m.Run()
}

// result is what a finished parley command left behind.
type result struct {
	code           int
	stdout, stderr string
}

// parley runs the binary to completion with stdin and the given
// environment (on top of a clean one) and returns what it did.
func parley(t testing.TB, stdin string, env []string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Dir = t.TempDir() // a forgotten --db must not litter the source tree
	cmd.Env = append(cleanEnv(), env...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("parley %s: %v", strings.Join(args, " "), err)
	}
	return result{code: cmd.ProcessState.ExitCode(), stdout: stdout.String(), stderr: stderr.String()}
}

// cleanEnv is the test process's environment without PARLEY_ variables, so
// that an operator's settings cannot change what a test sees.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "PARLEY_") && !strings.HasPrefix(kv, "GORACE=") {
			env = append(env, kv)
		}
	}
	// A race-enabled binary otherwise sleeps a second at exit; a race it
	// finds still makes it exit 66, and MustServe looks for its report.
	return append(env, "GORACE=atexit_sleep_ms=0")
}

// MustAddUser adds a user through the CLI, the password on stdin.
func MustAddUser(t testing.TB, db, name, password, role string) {
	t.Helper()
	r := parley(t, password+"\n", nil, "user", "add", name, "--role", role, "--db", db)
	if r.code != 0 {
		t.Fatalf("user add %s: exit %d: %s", name, r.code, r.stderr)
	}
}

// server is a running `parley serve`.
type server struct {
	t    testing.TB
	cmd  *exec.Cmd
	URL  string
	done chan struct{} // closed when the process has exited and its log is read

	mu  sync.Mutex
	log bytes.Buffer
}

var listening = regexp.MustCompile(`msg=listening addr=(\S+)`)

// MustServe starts `parley serve` on a free port and waits until it
// listens. The process is killed at the end of the test if still running.
func MustServe(t testing.TB, env []string, args ...string) *server {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve"}, args...)...)
	cmd.Dir = t.TempDir()
	cmd.Env = append(cleanEnv(), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &server{t: t, cmd: cmd, done: make(chan struct{})}
	addr := make(chan string, 1)
	go func() {
		defer close(s.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			s.mu.Lock()
			s.log.WriteString(line + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case addr <- m[1]:
				default:
				}
			}
		}
		cmd.Wait()
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-s.done
		if strings.Contains(s.Log(), "WARNING: DATA RACE") {
			t.Error("the race detector found a data race in parley serve")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.Log())
		}
	})
	select {
	case a := <-addr:
		s.URL = "http://" + a
	case <-s.done:
		t.Fatalf("parley serve exited before listening: %v\n%s", cmd.ProcessState, s.Log())
	case <-time.After(30 * time.Second):
		t.Fatalf("parley serve did not listen within 30s:\n%s", s.Log())
	}
	return s
}

// Log returns what the server has logged so far.
func (s *server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// Kill ends the server with SIGKILL, as a crash or power loss would.
func (s *server) Kill() {
	s.t.Helper()
	if err := s.cmd.Process.Kill(); err != nil {
		s.t.Fatal(err)
	}
	<-s.done
}

// Stop sends SIGTERM and returns the exit status once the server is gone.
func (s *server) Stop() int {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.t.Fatalf("parley serve did not stop within 30s of SIGTERM:\n%s", s.Log())
	}
	return s.cmd.ProcessState.ExitCode()
}

// client talks to the API.
var client = &http.Client{
	Timeout:   30 * time.Second,
	Transport: &http.Transport{MaxIdleConnsPerHost: 16},
}

// call sends a JSON request and decodes a JSON answer into out (when not
// nil), returning the status. Transport errors are returned, not fatal:
// the durability tests expect them once the server is killed.
func call(ctx context.Context, method, url, token string, in, out any) (int, error) {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return 0, err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, err
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, fmt.Errorf("%s %s: decode %q: %w", method, url, b, err)
		}
	}
	return resp.StatusCode, nil
}

// MustCall is call for requests that must answer want.
func MustCall(t testing.TB, want int, method, url, token string, in, out any) {
	t.Helper()
	code, err := call(t.Context(), method, url, token, in, out)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if code != want {
		t.Fatalf("%s %s: status %d, want %d", method, url, code, want)
	}
}

// MustSignIn returns a new API token for name.
func MustSignIn(t testing.TB, s *server, name, password string) string {
	t.Helper()
	var tok struct {
		Token string `json:"token"`
	}
	MustCall(t, http.StatusCreated, "POST", s.URL+"/api/v1/tokens", "", map[string]string{"name": name, "password": password}, &tok)
	if tok.Token == "" {
		t.Fatal("POST /api/v1/tokens answered no token")
	}
	return tok.Token
}
