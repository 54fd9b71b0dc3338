package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	hookcheckapi "github.com/hookcheck/hookcheck"
)

// Exit codes shared by every command.
const (
	exitOK     = 0
	exitFailed = 1 // the check or delivery failed
	exitUsage  = 2 // the user's flags or files are wrong, or setup failed
)

// streams are the process's standard streams, replaceable in tests.
type streams struct {
	in       io.Reader
	out, err io.Writer
	// signals, when set, replaces the process's Ctrl-C and SIGTERM for
	// commands that count them (serve-api's second Ctrl-C), so a test
	// can send them without signalling itself.
	signals <-chan os.Signal
}

// app is what every command shares: streams, environment, logger.
type app struct {
	streams
	getenv  func(string) string
	verbose bool
	cmd     *cobra.Command // the command being run
}

// flagChanged reports whether the user set the named flag.
func (a *app) flagChanged(name string) bool {
	if a.cmd == nil {
		return false
	}
	f := a.cmd.Flags().Lookup(name)
	return f != nil && f.Changed
}

// logger returns a text logger on stderr: debug with --verbose, else warn.
func (a *app) logger() *slog.Logger {
	level := slog.LevelWarn
	if a.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: level}))
}

// requestLogger logs one info line per request a server serves; with
// --verbose, its debug lines too (each answer, fetch, attempt).
func (a *app) requestLogger() *slog.Logger {
	level := slog.LevelInfo
	if a.verbose {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewTextHandler(a.err, &slog.HandlerOptions{Level: level}))
}

// verboseHelp is what --verbose logs, for each command it acts on: a
// command that logs nothing more with it (report, capture, diff, version)
// does not list it.
var verboseHelp = map[string]string{
	"run":       "log every attempt to stderr",
	"send":      "log every attempt to stderr",
	"replay":    "log every attempt to stderr",
	"serve-api": "log every API request, transcript and delivery attempt to stderr",
	"receiver":  "log every answer and transcript fetch to stderr",
}

// addVerbose gives -v/--verbose to the commands under root it acts on.
func addVerbose(a *app, root *cobra.Command) {
	for _, c := range root.Commands() {
		if help, ok := verboseHelp[c.Name()]; ok {
			c.Flags().BoolVarP(&a.verbose, "verbose", "v", false, help)
		}
	}
}

// usageError marks an error as the user's: exit code 2.
type usageError struct{ err error }

func (u usageError) Error() string { return u.err.Error() }
func (u usageError) Unwrap() error { return u.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitError carries a non-zero exit code for an outcome already reported.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "hookcheck",
		Short: "Check that a webhook receiver survives AssemblyAI's real delivery behaviour",
		Long: `hookcheck sends webhooks exactly as AssemblyAI does (10 s deadline, up to 10
attempts 10 s apart, no retry after a 4xx, fixed source addresses, optional
auth header) and tells you whether your receiver copes.`,
		Version:       hookcheckapi.Version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetOut(a.out)
	root.SetErr(a.err)
	root.SetIn(a.in)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	root.PersistentPreRun = func(cmd *cobra.Command, _ []string) { a.cmd = cmd }
	root.AddCommand(newRunCmd(a), newSendCmd(a), newReceiverCmd(a), newServeAPICmd(a), newReportCmd(a), newVersionCmd(a),
		newCaptureCmd(a), newDiffCmd(a), newReplayCmd(a), newVectorsCmd(a), newLoadCmd(a))
	addVerbose(a, root)
	// --version without cobra's -v shorthand: -v is --verbose on the
	// commands it acts on, and "hookcheck -v run" must not print the
	// version and then refuse run's flags.
	root.Flags().Bool("version", false, "print hookcheck's version")
	registerCompletions(root)
	return root
}

// run executes the command line and returns the exit code. Errors are
// printed as one line; a user's mistake never shows a stack trace.
func run(ctx context.Context, args []string, s streams, getenv func(string) string) int {
	a := &app{streams: s, getenv: getenv}
	root := newRootCmd(a)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	var ex exitError
	if errors.As(err, &ex) {
		return ex.code
	}
	var ue usageError
	msg := strings.ReplaceAll(err.Error(), "\n", "; ")
	if errors.As(err, &ue) || isCobraUsage(err) {
		fmt.Fprintf(a.err, "hookcheck: %s (see '%s --help')\n", msg, cmd.CommandPath())
		return exitUsage
	}
	fmt.Fprintf(a.err, "hookcheck: %s\n", msg)
	return exitFailed
}

// isCobraUsage recognises cobra's own argument errors.
func isCobraUsage(err error) bool {
	m := err.Error()
	return strings.HasPrefix(m, "unknown command") || strings.HasPrefix(m, "required flag") ||
		strings.Contains(m, "accepts ") || strings.HasPrefix(m, "unknown flag") ||
		strings.HasPrefix(m, "invalid argument")
}
