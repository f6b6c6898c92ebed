package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/dockvet/dockvet/internal/report"
)

// routeLibraryStderr points os.Stderr at a pipe read here, for what
// dependencies print to os.Stderr themselves, past dockvet's own writers
// (which hold the real stderr): BuildKit's parser runs its shell lexer on
// every heredoc line, and the lexer gives its text/scanner no error
// handler, so a byte that is not UTF-8 there printed "<input>:1:16:
// invalid UTF-8 encoding", once per byte and with no file name;
// docker/cli's config loader prints a warning about a broken
// DOCKER_AUTH_CONFIG. The scanner's lines are dropped (the text was read
// as U+FFFD, as everywhere else); any other line is passed on to real,
// after "dockvet: ", with control characters escaped. done restores
// os.Stderr and returns once everything written has been passed on.
// Without a pipe, nothing changes.
func routeLibraryStderr(real *os.File) (done func()) {
	r, w, err := os.Pipe()
	if err != nil {
		return func() {}
	}
	os.Stderr = w
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		passLibraryLines(r, real)
		r.Close()
	}()
	return func() {
		os.Stderr = real
		w.Close()
		<-drained
	}
}

// passLibraryLines copies lines from r to real as routeLibraryStderr says,
// until r ends. Lines of any length are read: a reader that stopped would
// leave the writers blocked on a full pipe.
func passLibraryLines(r io.Reader, real io.Writer) {
	br := bufio.NewReader(r)
	for {
		line, err := br.ReadString('\n')
		if line = strings.TrimRight(line, "\r\n"); line != "" && !isScannerError(line) {
			fmt.Fprintf(real, "dockvet: %s\n", report.Escape(line))
		}
		if err != nil {
			return
		}
	}
}

// isScannerError reports whether line is what text/scanner prints for an
// error when given no handler and no file name: "<input>:LINE:COL: msg".
func isScannerError(line string) bool {
	rest, ok := strings.CutPrefix(line, "<input>:")
	if !ok {
		return false
	}
	for range 2 {
		i := strings.IndexByte(rest, ':')
		if i <= 0 || strings.Trim(rest[:i], "0123456789") != "" {
			return false
		}
		rest = rest[i+1:]
	}
	return true
}
