package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"parley/internal/forum"
)

// reindexConfig is the configuration of `parley reindex`.
type reindexConfig struct {
	DB    string
	Board string
}

const reindexSynopsis = `parley reindex [--board SLUG] [--db FILE|URL]`

func parseReindex(args []string, getenv env) (reindexConfig, error) {
	var cfg reindexConfig
	fs := newFlagSet("reindex")
	fs.StringVar(&cfg.Board, "board", "", "rebuild only this board's part of the index (`slug`)")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, reindexSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if len(cl.args) > 0 {
		return cfg, usageErrorf("reindex: unexpected argument %q; name a board with --board", cl.args[0])
	}
	return cfg, checkDB(cl, cfg.DB)
}

// reindex rebuilds the search index from the messages: after restoring a
// database from elsewhere, or to check that search sees what is stored.
func reindex(ctx context.Context, args []string, getenv env, stdout io.Writer) error {
	cfg, err := parseReindex(args, getenv)
	if err != nil {
		return err
	}
	return withForum(ctx, cfg.DB, forum.Config{}, slog.Default(), func(svc *forum.Service) error {
		start := time.Now()
		if err := svc.Reindex(ctx, cfg.Board); err != nil {
			return err
		}
		what := "every board"
		if cfg.Board != "" {
			what = "board " + cfg.Board
		}
		fmt.Fprintf(stdout, "Rebuilt the search index of %s in %s.\n", what, time.Since(start).Round(time.Millisecond))
		return nil
	})
}
