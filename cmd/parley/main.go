// Command parley is the Parley message-board server and its operator's
// tools. This file only dispatches subcommands; each lives in its own file.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"parley/internal/forum"
)

func main() {
	// The first SIGINT or SIGTERM cancels ctx and serve shuts down
	// gracefully; run stops listening for them once it has begun, so a
	// second one kills the process at once.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr))
}

// Exit statuses. Anything wrong with what the operator typed — arguments,
// flags, environment, or values the forum's rules refuse — is exitUsage, so
// scripts can tell a typo from a failure.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// env looks up an environment variable; os.LookupEnv in production.
type env func(key string) (string, bool)

// run executes one command line and returns the process's exit status.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	var err error
	switch cmd, rest := args[0], args[1:]; cmd {
	case "help", "-h", "-help", "--help":
		fmt.Fprint(stdout, usage)
		return exitOK
	case "serve":
		err = serve(ctx, rest, getenv, stderr)
	case "user":
		err = subcommand(cmd, rest, map[string]func() error{
			"add":      func() error { return userAdd(ctx, rest[1:], getenv, stdin, stdout, stderr) },
			"password": func() error { return userPassword(ctx, rest[1:], getenv, stdin, stdout, stderr) },
		})
	case "board":
		err = subcommand(cmd, rest, map[string]func() error{
			"add": func() error { return boardAdd(ctx, rest[1:], getenv, stdout) },
		})
	case "import":
		err = importFile(ctx, rest, getenv, stdin, stdout, stderr)
	case "export":
		err = export(ctx, rest, getenv, stdout)
	case "reindex":
		err = reindex(ctx, rest, getenv, stdout)
	default:
		fmt.Fprintf(stderr, "parley: unknown command %q\n\n%s", cmd, usage)
		return exitUsage
	}
	return report(err, stdout, stderr)
}

// subcommand dispatches the second word of commands such as `user add`.
func subcommand(cmd string, args []string, subs map[string]func() error) error {
	if len(args) == 0 {
		return usageErrorf("%s: missing subcommand (see 'parley help')", cmd)
	}
	f, ok := subs[args[0]]
	if !ok {
		return usageErrorf("%s: unknown subcommand %q (see 'parley help')", cmd, args[0])
	}
	return f()
}

// report prints err as one line and returns the exit status it deserves.
func report(err error, stdout, stderr io.Writer) int {
	if err == nil {
		return exitOK
	}
	if h, ok := errors.AsType[*helpRequest](err); ok {
		fmt.Fprint(stdout, h.text)
		return exitOK
	}
	if u, ok := errors.AsType[*usageError](err); ok {
		fmt.Fprintf(stderr, "parley: %s\n", u.msg)
		return exitUsage
	}
	// A domain error's message is written for the person at the keyboard;
	// an internal error's cause (a path, an SQLite code) helps an operator
	// and, on a CLI, reaches nobody else.
	code := forum.ErrorCode(err)
	msg := err.Error()
	if code != forum.CodeInternal {
		msg = forum.ErrorMessage(err)
	}
	fmt.Fprintf(stderr, "parley: %s\n", msg)
	if code == forum.CodeInvalid {
		return exitUsage
	}
	return exitFailure
}

const usage = `Parley is a message-board server.

Usage:
  parley serve [--addr 127.0.0.1:8080] [--db parley.db] [--registration open|closed]
  parley user add NAME [--role member|moderator|admin] [--db parley.db]
        (the password is read from stdin, one line)
  parley user password NAME [--db parley.db]
        (the new password from stdin; ends the member's sessions and tokens)
  parley board add SLUG --title TITLE [--description TEXT] [--by NAME] [--db parley.db]
  parley import FILE|- [--skip-existing] [--db parley.db]
  parley export [--board SLUG] [--db parley.db]   (to stdout)
  parley reindex [--board SLUG] [--db parley.db]
        (rebuilds the search index from the messages)
  parley help

Every flag may also be set by an environment variable: PARLEY_ and the
flag's name in capitals (PARLEY_ADDR, PARLEY_DB, PARLEY_ROLE, ...). A flag
given on the command line wins over the environment.
Run 'parley COMMAND -h' for a command's flags.
`
