package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// usageError is a mistake in the command line or the environment. It is
// reported as one sentence and exit status 2.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usageErrorf(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// helpRequest is -h or --help on a command: its usage goes to stdout and the
// exit status is 0.
type helpRequest struct{ text string }

func (h *helpRequest) Error() string { return "help requested" }

// newFlagSet returns a FlagSet that prints nothing: report turns its errors
// into one line, and -h into the command's usage.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// envName is the environment variable that sets a flag: --db is PARLEY_DB,
// --some-flag is PARLEY_SOME_FLAG.
func envName(flagName string) string {
	return "PARLEY_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// commandLine is a parsed command line: its positional arguments, and where
// each flag's value came from, so that an error can name what to fix.
type commandLine struct {
	args    []string
	fromEnv map[string]bool
}

// origin names the place the value of flag name came from: the environment
// variable when it was set there, otherwise the flag.
func (c *commandLine) origin(name string) string {
	if c.fromEnv[name] {
		return envName(name)
	}
	return "--" + name
}

// one returns the command's single positional argument, what.
func (c *commandLine) one(cmd, what string) (string, error) {
	switch len(c.args) {
	case 0:
		return "", usageErrorf("%s: missing %s", cmd, what)
	case 1:
		return c.args[0], nil
	}
	return "", usageErrorf("%s: one argument, %s, expected; unexpected %q", cmd, what, c.args[1])
}

// parse fills fs's flags, defaults first, then the environment, then the
// command line, and returns the positional arguments. Flags may come before
// or after positional arguments (`user add NAME --role admin`); the flag
// package stops at the first non-flag, so parsing resumes after each one.
// After "--" everything is positional.
func parse(fs *flag.FlagSet, synopsis string, args []string, getenv env) (*commandLine, error) {
	cl := &commandLine{fromEnv: map[string]bool{}}
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, &helpRequest{text: help(fs, synopsis)}
			}
			return nil, usageErrorf("%s: %v", fs.Name(), err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if used := len(args) - len(rest); used > 0 && args[used-1] == "--" {
			cl.args = append(cl.args, rest...)
			break
		}
		cl.args = append(cl.args, rest[0])
		args = rest[1:]
	}

	onCommandLine := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { onCommandLine[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if err != nil || onCommandLine[f.Name] {
			return
		}
		// An empty variable counts as unset, as most shells' users expect
		// of `PARLEY_DB= parley …`.
		v, ok := getenv(envName(f.Name))
		if !ok || v == "" {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = usageErrorf("%s: %s: %v", fs.Name(), envName(f.Name), e)
			return
		}
		cl.fromEnv[f.Name] = true
	})
	if err != nil {
		return nil, err
	}
	return cl, nil
}

// help is a command's usage: its synopsis and its flags.
func help(fs *flag.FlagSet, synopsis string) string {
	var b bytes.Buffer
	fmt.Fprintf(&b, "Usage:\n  %s\n\nFlags (each also read from PARLEY_<NAME>, e.g. PARLEY_DB):\n", synopsis)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
