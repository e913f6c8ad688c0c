package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"parley/internal/forum"
)

// boardAddConfig is the configuration of `parley board add`.
type boardAddConfig struct {
	DB    string
	Board forum.NewBoard
	// By names the member recorded as the board's creator. Opening a board
	// is something a member does, so the CLI acts as one: by default the
	// forum's first admin, the operator's own account.
	By string
}

const boardAddSynopsis = `parley board add SLUG --title "…" [--description "…"] [--by NAME] [--db FILE]`

func parseBoardAdd(args []string, getenv env) (boardAddConfig, error) {
	var cfg boardAddConfig
	fs := newFlagSet("board add")
	fs.StringVar(&cfg.Board.Title, "title", "", "the board's `title` (required)")
	fs.StringVar(&cfg.Board.Description, "description", "", "what the board is about")
	fs.StringVar(&cfg.By, "by", "", "the existing member who opens the board, recorded as its creator (default: the first admin)")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, boardAddSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.Board.Slug, err = cl.one("board add", "the board's SLUG"); err != nil {
		return cfg, err
	}
	return cfg, checkDB(cl, cfg.DB)
}

// boardAdd opens a board in the name of an existing member.
func boardAdd(ctx context.Context, args []string, getenv env, stdout io.Writer) (err error) {
	cfg, err := parseBoardAdd(args, getenv)
	if err != nil {
		return err
	}
	svc, store, err := openForum(ctx, cfg.DB, forum.Config{})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, store.Close()) }()
	var actor *forum.User
	if cfg.By == "" {
		actor, err = svc.FirstAdmin(ctx)
	} else {
		actor, err = svc.User(ctx, cfg.By)
		if forum.ErrorCode(err) == forum.CodeNotFound {
			return fmt.Errorf("there is no member %q to open the board; name one with --by NAME, or add one with 'parley user add'", cfg.By)
		}
	}
	if err != nil {
		return err
	}
	b, err := svc.CreateBoard(ctx, actor, cfg.Board)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "opened board %s (%s)\n", b.Slug, b.Title)
	return nil
}
