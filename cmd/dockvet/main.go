// Command dockvet lints Dockerfiles for the mistakes that hurt in production.
//
// This package only wires the command line to the internal packages.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/safefile"
)

// Exit codes are part of the contract with CI.
const (
	exitOK       = 0 // no finding at or above --fail-on
	exitFindings = 1 // at least one
	exitError    = 2 // usage, configuration or I/O error
	// exitInterrupted is the shell's code for a process ended by SIGINT
	// (128 + 2), also used for SIGTERM: the run was cancelled.
	exitInterrupted = 130
)

func main() {
	tuneGC(os.Getenv)
	// Ctrl-C (or SIGTERM) cancels registry lookups through the context; a
	// second one kills the process the default way.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop()
	}()
	stderr := os.Stderr
	libraryOutputDone := routeLibraryStderr(stderr)
	code := runContext(ctx, os.Args[1:], os.Stdin, os.Stdout, stderr)
	stop()
	libraryOutputDone()
	os.Exit(code)
}

// env is what a command may touch, so that tests can run it in-process.
type env struct {
	// ctx is cancelled by Ctrl-C; a cancelled run exits 130.
	ctx            context.Context
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	isTerminal     func(io.Writer) bool
	exit           int

	// registryDeadline ends every registry lookup of the run (set by the
	// first resolver, see newResolver).
	registryDeadline time.Time

	// inputIDs are the files discovery examined, by path: --fix writes
	// only over the same file (fix.go).
	inputIDs map[string]safefile.FileID
	// fixWriterWrap, when set, wraps the writer of each file --fix writes
	// (tests make it fail as a full disk would).
	fixWriterWrap func(io.Writer) io.Writer

	// composeEnv lets Compose interpolation read the process environment
	// (manifests --env).
	composeEnv bool
}

// exitError carries an exit code through cobra.
type codeError struct {
	code int
	err  error
}

func (e *codeError) Error() string { return e.err.Error() }
func (e *codeError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &codeError{code: exitError, err: fmt.Errorf(format, args...)}
}

func runContext(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{ctx: ctx, stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv, isTerminal: isTerminal}
	return e.run(args)
}

func (e *env) run(args []string) int {
	ctx := e.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	root := e.rootCommand()
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	err := root.ExecuteContext(ctx)
	if ctx.Err() != nil {
		// Whatever the command printed or failed with, the run did not
		// complete: that is the one thing to say.
		fmt.Fprintln(e.stderr, "dockvet: interrupted")
		return exitInterrupted
	}
	if err == nil {
		return e.exit
	}
	// Errors name files and images under review: escape what they hold.
	fmt.Fprintf(e.stderr, "dockvet: %s\n", report.Escape(err.Error()))
	var ce *codeError
	if errors.As(err, &ce) {
		return ce.code
	}
	// cobra's own errors: unknown command, unknown flag, bad flag value.
	return exitError
}

func (e *env) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "dockvet",
		Short: "Lint Dockerfiles for the mistakes that take production down",
		Long: `dockvet lints Dockerfiles for the mistakes that hurt in production: VOLUME
declarations that make containerd copy image data into every container at
start, latest tags, shell-form CMD that swallows SIGTERM, root users, and apt
caches cleaned in a later layer. Every finding points at file:line:column.
"dockvet image" checks built images the same way, from their config and
history, without a Docker daemon.

Exit codes: 0 no finding at or above --fail-on, 1 at least one, 2 usage,
configuration or I/O error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version prints what `dockvet version` does.
	root.Version = versionString()
	root.SetVersionTemplate(versionLine() + "\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, c.CommandPath())
	})
	root.AddCommand(e.lintCommand(), e.imageCommand(), e.manifestsCommand(), e.rulesCommand(), e.explainCommand(), e.configCommand(), e.versionCommand())
	return root
}

// stringsFlag is pflag's StringArray (each use adds one value, commas and
// all; the first replaces the default) without its start-up cost: pflag
// renders every StringArray's default through encoding/csv when the flag
// is defined, a 4 KiB writer per flag in every run. Help is the same: the
// type is named stringArray and an empty default is not shown.
type stringsFlag struct {
	values *[]string
	set    bool
}

func newStringsFlag(p *[]string) *stringsFlag { return &stringsFlag{values: p} }

func (s *stringsFlag) Set(v string) error {
	if !s.set {
		*s.values, s.set = nil, true
	}
	*s.values = append(*s.values, v)
	return nil
}

func (s *stringsFlag) Type() string { return "stringArray" }

func (s *stringsFlag) String() string {
	if len(*s.values) == 0 {
		return ""
	}
	return "[" + strings.Join(*s.values, ",") + "]"
}
