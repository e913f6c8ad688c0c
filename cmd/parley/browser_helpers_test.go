package main_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// browserTimeout bounds a whole browser test: a hung browser fails the
// test rather than hanging it.
const browserTimeout = 60 * time.Second

// stepTimeout bounds one step, well within browserTimeout, so that a step
// that waits for what never comes fails with the page still there to
// describe.
const stepTimeout = 15 * time.Second

// chromiumPath is the browser the tests drive: $PARLEY_TEST_CHROMIUM, else
// chromium on PATH. Without one the test is skipped, unless $CI is set.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PARLEY_TEST_CHROMIUM"); p != "" {
		path, err := exec.LookPath(p)
		if err != nil {
			t.Fatalf("PARLEY_TEST_CHROMIUM=%s: %v", p, err)
		}
		return path
	}
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no browser for the browser tests, and CI is set: install chromium or set PARLEY_TEST_CHROMIUM (%v)", err)
		}
		t.Skip("skipping: no browser found; install chromium or set PARLEY_TEST_CHROMIUM to run the browser tests")
	}
	return path
}

// tab is one browser tab on a running parley, with JavaScript on or off.
type tab struct {
	t    *testing.T
	ctx  context.Context // the tab's context; ends at browserTimeout
	base string          // the server's URL

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

// MustBrowser starts a headless Chromium of its own with one tab on s;
// it is closed at the end of the test.
func MustBrowser(t *testing.T, s *server, javaScript bool) *tab {
	t.Helper()
	path := chromiumPath(t)
	profile := t.TempDir() // made before the Cleanup below, so removed after it
	ctx, cancel := context.WithTimeout(t.Context(), browserTimeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root
		chromedp.Headless,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-dev-shm-usage", true), // containers have a small /dev/shm
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	b := &tab{t: t, ctx: tabCtx, base: s.URL}
	consoleDone := make(chan struct{})
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		cancel()
		<-consoleDone
	})
	if err := chromedp.Do(tabCtx); err != nil {
		close(consoleDone)
		t.Fatalf("start %s: %v", path, err)
	}
	messages := chromedp.Console(tabCtx)
	go func() {
		defer close(consoleDone)
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	if !javaScript {
		b.Do("turn JavaScript off", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
			return err
		}))
	}
	return b
}

// Fatalf fails the test with what the reader sees: the address and the
// text of the page, and what the page's script said.
func (b *tab) Fatalf(format string, args ...any) {
	b.t.Helper()
	b.t.Fatalf("%s\n%s", fmt.Sprintf(format, args...), b.describe())
}

// Errorf is Fatalf that lets the test go on.
func (b *tab) Errorf(format string, args ...any) {
	b.t.Helper()
	b.t.Errorf("%s\n%s", fmt.Sprintf(format, args...), b.describe())
}

func (b *tab) describe() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	var d strings.Builder
	if loc, err := chromedp.Run(ctx, chromedp.Location()); err == nil {
		fmt.Fprintf(&d, "page: %s\n", loc)
	}
	if text, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`)); err == nil {
		if len(text) > 3000 {
			text = text[:3000] + " …"
		}
		fmt.Fprintf(&d, "page text:\n\t%s\n", strings.ReplaceAll(strings.TrimSpace(text), "\n", "\n\t"))
	} else {
		fmt.Fprintf(&d, "page text: unreadable: %v\n", err)
	}
	for _, m := range b.Console() {
		fmt.Fprintf(&d, "console %s: %s %s:%d\n", m.Type, m.Text, m.URL, m.Line+1)
	}
	if dir := os.Getenv("PARLEY_SCREENSHOTS"); dir != "" {
		if png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
			name := filepath.Join(dir, "failed-"+strings.NewReplacer("/", "-", " ", "_").Replace(b.t.Name())+".png")
			if os.MkdirAll(dir, 0o755) == nil && os.WriteFile(name, png, 0o644) == nil {
				fmt.Fprintf(&d, "screenshot: %s\n", name)
			}
		}
	}
	return d.String()
}

// Console is what the page's script and the browser logged so far.
func (b *tab) Console() []chromedp.ConsoleMessage {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]chromedp.ConsoleMessage(nil), b.console...)
}

// Do runs the steps within stepTimeout; what says what they do, for the
// failure message.
func (b *tab) Do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	MustRun(b, what, chromedp.Steps(steps...))
}

// MustRun runs one action within stepTimeout and returns its value.
func MustRun[T any](b *tab, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("not done within %v", stepTimeout)
		}
		b.Fatalf("%s: %v", what, err)
	}
	return v
}

// Open loads the page at path (on the server) and wants it answered 200.
func (b *tab) Open(path string) {
	b.t.Helper()
	resp := MustRun(b, "open "+path, chromedp.NavigateResponse(b.base+path))
	if resp == nil || resp.Status != http.StatusOK {
		b.Fatalf("open %s: status %v, want 200", path, status(resp))
	}
}

// Follow clicks the element sel, which must read label, waits for the
// page it leads to (a link or a form's button) and wants it at path.
func (b *tab) Follow(sel, label, path string) {
	b.t.Helper()
	b.WantText(sel, label)
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		b.Fatalf("click %q (%s) and wait for the next page: %v", label, sel, err)
	}
	if resp != nil && resp.Status != http.StatusOK {
		b.Fatalf("click %q (%s): status %v, want 200", label, sel, status(resp))
	}
	b.WantPath(path)
}

func status(resp *network.Response) string {
	if resp == nil {
		return "(no response)"
	}
	return fmt.Sprintf("%d %s", resp.Status, resp.StatusText)
}

// Click clicks the element sel, which must read label, when the click
// stays on the page.
func (b *tab) Click(sel, label string) {
	b.t.Helper()
	b.WantText(sel, label)
	b.Do(fmt.Sprintf("click %q (%s)", label, sel), chromedp.Click(chromedp.CSS(sel)))
}

// Type types text into the field sel as a reader would, key by key.
func (b *tab) Type(sel, text string) {
	b.t.Helper()
	b.Do(fmt.Sprintf("type into %s", sel), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// TypeAtEnd types text at the end of what the field sel holds.
func (b *tab) TypeAtEnd(sel, text string) {
	b.t.Helper()
	b.Do(fmt.Sprintf("type at the end of %s", sel),
		chromedp.Focus(chromedp.CSS(sel)),
		chromedp.KeyEvent(kb.End, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.SendKeys(chromedp.CSS(sel), text),
	)
}

// Path is the page's address on the server: path, query and fragment.
func (b *tab) Path() string {
	b.t.Helper()
	loc := MustRun(b, "read the address", chromedp.Location())
	return strings.TrimPrefix(loc, b.base)
}

// WantPath wants the page at path (with query and fragment).
func (b *tab) WantPath(path string) {
	b.t.Helper()
	if got := b.Path(); got != path {
		b.Fatalf("the page is at %s, want %s", got, path)
	}
}

// Text is the text the reader sees in the first element sel, waiting
// for it to be there.
func (b *tab) Text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(MustRun(b, "read the text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// WantText wants the text of sel, whitespace folded, to be want.
func (b *tab) WantText(sel, want string) {
	b.t.Helper()
	if got := fold(b.Text(sel)); got != want {
		b.Fatalf("%s reads %q, want %q", sel, got, want)
	}
}

// WantTextHas wants the text of sel, whitespace folded, to hold each of
// wants.
func (b *tab) WantTextHas(sel string, wants ...string) {
	b.t.Helper()
	got := fold(b.Text(sel))
	for _, want := range wants {
		if !strings.Contains(got, want) {
			b.Fatalf("%s reads %q, want it to hold %q", sel, got, want)
		}
	}
}

// Value is what the form field sel holds.
func (b *tab) Value(sel string) string {
	b.t.Helper()
	return MustRun(b, "read the value of "+sel, chromedp.Value(chromedp.CSS(sel)))
}

// WaitVisible waits for sel to be shown.
func (b *tab) WaitVisible(sel string) {
	b.t.Helper()
	b.Do("wait for "+sel+" to be visible", chromedp.WaitVisible(chromedp.CSS(sel)))
}

// Count is how many elements match sel now.
func (b *tab) Count(sel string) int {
	b.t.Helper()
	return MustRun(b, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf("document.querySelectorAll(%q).length", sel)))
}

// Texts are the texts of every element sel, as the page has them now.
func (b *tab) Texts(sel string) []string {
	b.t.Helper()
	return MustRun(b, "read the texts of "+sel, chromedp.Evaluate[[]string](
		fmt.Sprintf("Array.from(document.querySelectorAll(%q), e => e.textContent.trim())", sel)))
}

// Press presses key on the page, as when nothing has the focus.
func (b *tab) Press(key string) {
	b.t.Helper()
	b.Do("press "+key, chromedp.KeyEvent(key))
}

// Screenshot writes the whole page as a PNG file name in dir, light or
// dark as the reader's system asks.
func (b *tab) Screenshot(dir, name string, dark bool) {
	b.t.Helper()
	scheme := "light"
	if dark {
		scheme = "dark"
	}
	b.Do("prefer the "+scheme+" colour scheme", chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	}))
	png := MustRun(b, "take a screenshot", chromedp.FullScreenshot(100))
	if !bytes.HasPrefix(png, []byte("\x89PNG")) {
		b.Fatalf("the screenshot %s is not a PNG", name)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// fold folds runs of whitespace into one space.
func fold(s string) string { return strings.Join(strings.Fields(s), " ") }
