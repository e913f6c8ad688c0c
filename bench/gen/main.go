// Command gen writes a synthetic "SI-shaped" forum to stdout in Parley's
// export format v1: a huge, old, very talkative message board (one giant
// board holding nine messages in ten, a few dozen small ones, some twenty
// thousand members of whom a few write most of the text), for benchmarks
// and import tests at realistic scale. The file holds every member first,
// then the boards in slug order, each followed by its messages numbered
// from 1; flags set the size, seed and period (-h lists them).
//
//	go run ./bench/gen -messages 1575535 -seed 1 > dump.jsonl
//
// The same flags give the same bytes on every run and machine.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"
)

func main() {
	cfg, err := parseFlags(os.Args[1:], os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		os.Exit(2)
	}
	if err := generate(os.Stdout, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

const dateLayout = "2006-01-02"

// parseFlags reads the command line into a config, reporting any mistake
// (with the usage) on stderr.
func parseFlags(args []string, stderr io.Writer) (config, error) {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: gen [flags] > dump.jsonl")
		fs.PrintDefaults()
	}
	cfg := config{}
	var start, end string
	fs.IntVar(&cfg.messages, "messages", 10000, "number of messages, at least 1")
	fs.Uint64Var(&cfg.seed, "seed", 1, "random seed; the same seed and flags give the same output")
	fs.IntVar(&cfg.authors, "authors", 0, "number of members (0: min(20000, max(10, messages/20)))")
	fs.IntVar(&cfg.boards, "boards", 0, "number of boards including the giant one (0: about sqrt(messages)/25+1, at most 61)")
	fs.StringVar(&start, "start", "2015-01-01", "date (UTC) from which messages are written")
	fs.StringVar(&end, "end", "2026-01-01", "date (UTC) by which the last message is written")
	if err := fs.Parse(args); err != nil {
		return config{}, err
	}
	fail := func(format string, a ...any) (config, error) {
		err := fmt.Errorf(format, a...)
		fmt.Fprintln(stderr, "gen:", err)
		fs.Usage()
		return config{}, err
	}
	if fs.NArg() > 0 {
		return fail("unexpected argument %q", fs.Arg(0))
	}
	var err error
	if cfg.start, err = time.Parse(dateLayout, start); err != nil {
		return fail("-start: want a date such as 2015-01-01, got %q", start)
	}
	if cfg.end, err = time.Parse(dateLayout, end); err != nil {
		return fail("-end: want a date such as 2026-01-01, got %q", end)
	}
	if err := cfg.check(); err != nil {
		return fail("%v", err)
	}
	return cfg, nil
}

// check rejects configurations that cannot be generated.
func (c config) check() error {
	switch {
	case c.messages < 1:
		return errors.New("-messages must be at least 1")
	case c.authors < 0:
		return errors.New("-authors must not be negative")
	case c.authors > maxAuthors:
		return fmt.Errorf("-authors must be at most %d", maxAuthors)
	case c.boards < 0:
		return errors.New("-boards must not be negative")
	case c.boards > c.messages:
		return errors.New("-boards must be at most -messages: every board holds a message")
	case c.boards > maxBoards:
		return fmt.Errorf("-boards must be at most %d", maxBoards)
	case !c.start.Before(c.end):
		return errors.New("-start must be before -end")
	}
	return nil
}
