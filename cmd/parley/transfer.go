package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"parley/internal/markup"
	"parley/internal/transfer"
)

// exportConfig is the configuration of `parley export`.
type exportConfig struct {
	DB    string
	Board string
}

const exportSynopsis = `parley export [--board SLUG] [--db FILE|URL]   (to stdout)`

func parseExport(args []string, getenv env) (exportConfig, error) {
	var cfg exportConfig
	fs := newFlagSet("export")
	fs.StringVar(&cfg.Board, "board", "", "export only this board (`slug`), with its creator and the members who wrote in it")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, exportSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if len(cl.args) > 0 {
		return cfg, usageErrorf("export: unexpected argument %q; the export goes to stdout", cl.args[0])
	}
	return cfg, checkDB(cl, cfg.DB)
}

// export writes the forum, or one board, to stdout in the export format.
func export(ctx context.Context, args []string, getenv env, stdout io.Writer) error {
	cfg, err := parseExport(args, getenv)
	if err != nil {
		return err
	}
	return withStore(ctx, cfg.DB, slog.Default(), func(st store) error {
		return transfer.Export(ctx, st, stdout, cfg.Board)
	})
}

// importConfig is the configuration of `parley import`.
type importConfig struct {
	DB           string
	File         string
	SkipExisting bool
}

const importSynopsis = `parley import FILE|- [--skip-existing] [--db FILE|URL]`

func parseImport(args []string, getenv env) (importConfig, error) {
	var cfg importConfig
	fs := newFlagSet("import")
	fs.BoolVar(&cfg.SkipExisting, "skip-existing", false,
		"leave the messages a board has already as they are and import the rest, instead of refusing them")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, importSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.File, err = cl.one("import", "the FILE to import (- for stdin)"); err != nil {
		return cfg, err
	}
	return cfg, checkDB(cl, cfg.DB)
}

// importFailed is an import refused for what the file holds. It wraps
// nothing on purpose: report prints it whole, every bad line with its
// number, not the message of the first error inside.
type importFailed struct{ msg string }

func (e *importFailed) Error() string { return e.msg }

// importFile loads a file in the export format into the database.
func importFile(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseImport(args, getenv)
	if err != nil {
		return err
	}
	in, size := stdin, int64(-1)
	if cfg.File != "-" {
		f, err := os.Open(cfg.File)
		if err != nil {
			return usageErrorf("import: %v", err)
		}
		defer f.Close()
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			size = fi.Size()
		}
		in = f
	}
	start := time.Now()
	show := newProgress(stderr, size, start)
	var sum transfer.Summary
	err = withStore(ctx, cfg.DB, slog.Default(), func(st store) error {
		sum, err = transfer.Import(ctx, st, in, transfer.Options{
			Render:       markup.Render,
			SkipExisting: cfg.SkipExisting,
			Progress:     show.update,
		})
		return err
	})
	show.done()
	took := time.Since(start)
	fmt.Fprintf(stdout, "imported %s, %s and %s in %s (%.0f messages/s)\n",
		plural(sum.Messages, "message", "messages"), plural(sum.Boards, "board", "boards"), plural(sum.Users, "member", "members"),
		took.Round(100*time.Millisecond), float64(sum.Messages)/took.Seconds())
	if sum.UsersKept > 0 {
		fmt.Fprintf(stdout, "%s existed already and kept their accounts\n", plural(sum.UsersKept, "member", "members"))
	}
	if sum.Skipped > 0 {
		fmt.Fprintf(stdout, "%s stored already were left as they are\n", plural(sum.Skipped, "message", "messages"))
	}
	if errors.Is(err, context.Canceled) {
		return errors.New("import: interrupted; the boards stored before the one being read are kept, that one is not")
	}
	var lines []string
	for _, e := range unjoin(err) {
		if le, ok := errors.AsType[*transfer.LineError](e); ok {
			lines = append(lines, "  "+le.Error())
		}
	}
	if len(lines) == 0 {
		return err
	}
	return &importFailed{msg: fmt.Sprintf("import: %s; the board holding the first was not imported, nor anything after it:\n%s",
		plural(int64(len(lines)), "bad line", "bad lines"), strings.Join(lines, "\n"))}
}

// unjoin lists the errors errors.Join put together, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	if err == nil {
		return nil
	}
	return []error{err}
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// progress shows how an import goes: a bar on a terminal, otherwise a line
// every logEvery, for logs.
type progress struct {
	bar   *progressbar.ProgressBar
	w     io.Writer
	size  int64
	start time.Time
	last  time.Time
}

const logEvery = 10 * time.Second

func newProgress(stderr io.Writer, size int64, start time.Time) *progress {
	p := &progress{w: stderr, size: size, start: start, last: start}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(stderr),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetWidth(30),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionSetRenderBlankState(true),
		)
	}
	return p
}

func (p *progress) update(pr transfer.Progress) {
	rate := float64(pr.Messages) / time.Since(p.start).Seconds()
	if p.bar != nil {
		p.bar.Describe(fmt.Sprintf("%d messages, %.0f/s", pr.Messages, rate))
		p.bar.Set64(pr.Bytes)
		return
	}
	if now := time.Now(); now.Sub(p.last) >= logEvery {
		p.last = now
		done := ""
		if p.size > 0 {
			done = fmt.Sprintf(", %.0f%% of the file", 100*float64(pr.Bytes)/float64(p.size))
		}
		fmt.Fprintf(p.w, "import: %d messages (%.0f/s)%s\n", pr.Messages, rate, done)
	}
}

func (p *progress) done() {
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.w)
	}
}
