// Command harness measures Parley end to end on this machine, in one run:
// it generates an SI-shaped dataset (bench/gen), imports it with `parley
// import`, serves it with `parley serve`, loads it over HTTP (bench/load)
// and prints one table. Each figure stands beside the ceiling measured in
// the same run: the import beside raw batched inserts of 1 KB rows, and each
// page beside the same bytes served from memory by a plain net/http handler.
//
// From the repository's root:
//
//	go run ./bench/harness -messages 10000,1575535 -stores sqlite,postgres \
//		-pg postgres://postgres@127.0.0.1:5432/test
//
// Datasets and databases go to -dir (a temporary directory by default);
// PostgreSQL runs get a fresh schema each, dropped at the end.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

type config struct {
	sizes    []int64
	stores   []string
	pg       string
	seed     int64
	conns    int
	duration time.Duration
	warmup   time.Duration
	dir      string
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "harness:", err)
		os.Exit(1)
	}
}

func parseFlags(args []string) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("harness", flag.ContinueOnError)
	sizes := fs.String("messages", "10000", "comma-separated dataset `sizes`, in messages")
	stores := fs.String("stores", "sqlite", "comma-separated stores to measure: sqlite, postgres")
	fs.StringVar(&cfg.pg, "pg", os.Getenv("PARLEY_TEST_POSTGRES"), "PostgreSQL `URL` for -stores postgres (a schema is created in it per run)")
	fs.Int64Var(&cfg.seed, "seed", 1, "the generator's seed")
	fs.IntVar(&cfg.conns, "conns", 32, "concurrent connections of each load")
	fs.DurationVar(&cfg.duration, "duration", 10*time.Second, "how long each load is measured")
	fs.DurationVar(&cfg.warmup, "warmup", 2*time.Second, "how long each load runs before it is measured")
	fs.StringVar(&cfg.dir, "dir", "", "`directory` for binaries, datasets and databases (default: a new temporary one, removed at the end)")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		return cfg, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil || n < 100 {
			return cfg, fmt.Errorf("-messages: %q is not a size of at least 100", s)
		}
		cfg.sizes = append(cfg.sizes, n)
	}
	for _, s := range strings.Split(*stores, ",") {
		switch s = strings.TrimSpace(s); s {
		case "sqlite":
		case "postgres":
			if cfg.pg == "" {
				return cfg, errors.New("-stores postgres needs -pg URL (or PARLEY_TEST_POSTGRES)")
			}
		default:
			return cfg, fmt.Errorf("-stores: unknown store %q (sqlite, postgres)", s)
		}
		cfg.stores = append(cfg.stores, s)
	}
	if cfg.conns < 1 || cfg.duration <= 0 || cfg.warmup < 0 {
		return cfg, errors.New("-conns must be at least 1, -duration positive, -warmup not negative")
	}
	return cfg, nil
}

func run(ctx context.Context, cfg config) error {
	if cfg.dir == "" {
		dir, err := os.MkdirTemp("", "parley-harness-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		cfg.dir = dir
	}
	bin, err := build(ctx, cfg.dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "harness: %s\n", machine())
	var cols []column
	for _, size := range cfg.sizes {
		dump := filepath.Join(cfg.dir, fmt.Sprintf("dump-%d-%d.jsonl", size, cfg.seed))
		if err := generate(ctx, bin, dump, size, cfg.seed); err != nil {
			return err
		}
		for _, store := range cfg.stores {
			col, err := measure(ctx, cfg, bin, store, size, dump)
			if err != nil {
				return fmt.Errorf("%s, %d messages: %w", store, size, err)
			}
			cols = append(cols, col)
		}
	}
	printTable(os.Stdout, cfg, cols)
	return nil
}
