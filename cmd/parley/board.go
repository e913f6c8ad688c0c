package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

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

const boardAddSynopsis = `parley board add SLUG --title "…" [--description "…"] [--by NAME] [--db FILE|URL]`

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
func boardAdd(ctx context.Context, args []string, getenv env, stdout io.Writer) error {
	cfg, err := parseBoardAdd(args, getenv)
	if err != nil {
		return err
	}
	return withForum(ctx, cfg.DB, forum.Config{}, slog.Default(), func(svc *forum.Service) error {
		actor, err := boardOpener(ctx, svc, cfg.By)
		if err != nil {
			return err
		}
		b, err := svc.CreateBoard(ctx, actor, cfg.Board)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "opened board %s (%s)\n", b.Slug, b.Title)
		return nil
	})
}

// boardOpener is the member named by --by, or the first admin.
func boardOpener(ctx context.Context, svc *forum.Service, by string) (*forum.User, error) {
	if by == "" {
		return svc.FirstAdmin(ctx)
	}
	u, err := svc.User(ctx, by)
	if forum.ErrorCode(err) == forum.CodeNotFound {
		return nil, fmt.Errorf("there is no member %q to open the board; name one with --by NAME, or add one with 'parley user add'", by)
	}
	return u, err
}
