package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// captureRealStderr runs fn with os.Stderr routed as main routes it, into
// a file standing for the real stderr, and returns what reached that file.
func captureRealStderr(t *testing.T, fn func()) string {
	t.Helper()
	real, err := os.Create(filepath.Join(t.TempDir(), "stderr"))
	if err != nil {
		t.Fatal(err)
	}
	defer real.Close()
	saved := os.Stderr
	os.Stderr = real // what is not routed lands there too
	done := routeLibraryStderr(real)
	fn()
	done()
	if os.Stderr != real {
		t.Errorf("os.Stderr not restored")
	}
	os.Stderr = saved
	b, err := os.ReadFile(real.Name())
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestInvalidUTF8PrintsNothingStray: a Dockerfile in Latin-1 (bytes that
// are not UTF-8 in every place a shell lexer reads, heredoc lines
// included) is linted without a line on the process's own stderr.
// BuildKit's lexer gives its text/scanner no error handler, and the
// scanner then printed "<input>:1:2: invalid UTF-8 encoding" there, past
// dockvet's writers: from dockvet's own expansions (LexerInput) and from
// BuildKit's parser on heredoc lines (routeLibraryStderr).
func TestInvalidUTF8PrintsNothingStray(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	src := "FROM \xe9base\nARG X=caf\xe9\nARG B=\xff$X\nENV A=$X PATH=/x\xfe:$PATH\nLABEL maintainer=\"Ren\xe9\"\n" +
		"WORKDIR /d\xe9p\nCOPY caf\xe9 /b\nCOPY --from=\xff /a /b\nEXPOSE 80\xff\nRUN echo $A \xe9\nCMD echo \xe9\n" +
		"RUN cat <<< \"Gr\xfc\xdfe\" > /motd\nCOPY <<F\xe9 /x\nhi\nF\xe9\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	var (
		code           int
		stdout, stderr string
	)
	stray := captureRealStderr(t, func() {
		code, stdout, stderr = runCLI(t, "", "lint", "--fail-on", "none", path)
	})
	if stray != "" {
		t.Errorf("written to the process's stderr, past dockvet's writers:\n%s", stray)
	}
	if code != 0 || !strings.Contains(stdout, "Dockerfile") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the file linted", code, stdout, stderr)
	}
}

// TestRouteLibraryStderr: what a library prints to os.Stderr reaches the
// real stderr after "dockvet: ", escaped, except text/scanner's errors;
// lines longer than any buffer pass, and nothing written before done is
// lost.
func TestRouteLibraryStderr(t *testing.T) {
	long := strings.Repeat("x", 200<<10)
	got := captureRealStderr(t, func() {
		fmt.Fprintln(os.Stderr, "<input>:1:16: invalid UTF-8 encoding")
		fmt.Fprintln(os.Stderr, "Failed to create credential store from DOCKER_AUTH_CONFIG: bad\x1b[31m")
		fmt.Fprintln(os.Stderr, "<input>: not a scanner error")
		fmt.Fprintln(os.Stderr, "<input>:12:x: not one either")
		fmt.Fprintln(os.Stderr, long)
		fmt.Fprint(os.Stderr, "no newline at the end")
	})
	want := "dockvet: Failed to create credential store from DOCKER_AUTH_CONFIG: bad\\x1b[31m\n" +
		"dockvet: <input>: not a scanner error\n" +
		"dockvet: <input>:12:x: not one either\n" +
		"dockvet: " + long + "\n" +
		"dockvet: no newline at the end\n"
	if got != want {
		if len(got) > 400 {
			got = got[:200] + "..." + got[len(got)-200:]
		}
		t.Errorf("real stderr got:\n%q", got)
	}
}
