package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"parley/internal/forum"
)

// userAddConfig is the configuration of `parley user add`.
type userAddConfig struct {
	DB   string
	Name string
	Role forum.Role
}

const userAddSynopsis = "parley user add NAME [--role member|moderator|admin] [--db FILE|URL]   (password on stdin, one line)"

func parseUserAdd(args []string, getenv env) (userAddConfig, error) {
	cfg := userAddConfig{Role: forum.RoleMember}
	fs := newFlagSet("user add")
	role := string(cfg.Role)
	fs.StringVar(&role, "role", role, "the new user's `role`: member, moderator or admin")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, userAddSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.Name, err = cl.one("user add", "the user's NAME"); err != nil {
		return cfg, err
	}
	cfg.Role = forum.Role(role)
	if !cfg.Role.Valid() {
		return cfg, usageErrorf("user add: %s must be member, moderator or admin, not %q", cl.origin("role"), role)
	}
	return cfg, checkDB(cl, cfg.DB)
}

// userAdd creates an account of any role. It is the operator's way in, so
// closed registration does not apply.
func userAdd(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseUserAdd(args, getenv)
	if err != nil {
		return err
	}
	if isTerminal(stdin) {
		// Without a terminal library the input is echoed: say so.
		fmt.Fprintf(stderr, "Password for %s (one line; it will be echoed): ", cfg.Name)
	}
	pw, err := readPassword("user add", stdin)
	if err != nil {
		return err
	}
	return withForum(ctx, cfg.DB, forum.Config{}, slog.Default(), func(svc *forum.Service) error {
		u, err := svc.AddUser(ctx, cfg.Name, pw, cfg.Role)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "added %s %s\n", u.Role, u.Name)
		return nil
	})
}

// readPassword reads the first line of r, without its line ending, for
// the command cmd.
func readPassword(cmd string, r io.Reader) (string, error) {
	// Enough for the longest password the forum accepts, in 4-byte runes,
	// and a CRLF; one byte more tells a longer line apart.
	const limit = 4*forum.MaxPassword + 2
	line, err := bufio.NewReader(io.LimitReader(r, limit+1)).ReadString('\n')
	switch {
	case errors.Is(err, io.EOF) && line == "":
		return "", usageErrorf("%s: no password on stdin; give it as one line, e.g. printf '%%s\\n' \"$PASSWORD\" | parley %s NAME", cmd, cmd)
	case errors.Is(err, io.EOF) && len(line) > limit:
		return "", usageErrorf("%s: the password must be at most %d characters", cmd, forum.MaxPassword)
	case err != nil && !errors.Is(err, io.EOF):
		return "", fmt.Errorf("read the password from stdin: %w", err)
	}
	line = strings.TrimSuffix(line, "\n")
	return strings.TrimSuffix(line, "\r"), nil
}

// isTerminal reports whether r is an interactive terminal.
func isTerminal(r io.Reader) bool {
	f, ok := r.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// userPasswordConfig is the configuration of `parley user password`.
type userPasswordConfig struct {
	DB   string
	Name string
}

const userPasswordSynopsis = "parley user password NAME [--db FILE|URL]   (the new password on stdin, one line)"

func parseUserPassword(args []string, getenv env) (userPasswordConfig, error) {
	var cfg userPasswordConfig
	fs := newFlagSet("user password")
	dbFlag(fs, &cfg.DB)
	cl, err := parse(fs, userPasswordSynopsis, args, getenv)
	if err != nil {
		return cfg, err
	}
	if cfg.Name, err = cl.one("user password", "the member's NAME"); err != nil {
		return cfg, err
	}
	return cfg, checkDB(cl, cfg.DB)
}

// userPassword sets a member's password, as for an author an import
// created without one, and signs them out everywhere.
func userPassword(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	cfg, err := parseUserPassword(args, getenv)
	if err != nil {
		return err
	}
	if isTerminal(stdin) {
		fmt.Fprintf(stderr, "New password for %s (one line; it will be echoed): ", cfg.Name)
	}
	pw, err := readPassword("user password", stdin)
	if err != nil {
		return err
	}
	return withForum(ctx, cfg.DB, forum.Config{}, slog.Default(), func(svc *forum.Service) error {
		u, err := svc.SetPassword(ctx, cfg.Name, pw)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "set the password of %s %s; their sessions and tokens are ended\n", u.Role, u.Name)
		return nil
	})
}
