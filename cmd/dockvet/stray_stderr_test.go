package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestInvalidUTF8PrintsNothingStray: a Dockerfile in Latin-1 (bytes that
// are not UTF-8 in every place BuildKit's shell lexer expands) is linted
// without a line on the process's own stderr. BuildKit's lexer gives its
// text/scanner no error handler, and the scanner then printed
// "<input>:1:2: invalid UTF-8 encoding" there, past dockvet's writers.
func TestInvalidUTF8PrintsNothingStray(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	src := "FROM \xe9base\nARG X=caf\xe9\nARG B=\xff$X\nENV A=$X PATH=/x\xfe:$PATH\nLABEL maintainer=\"Ren\xe9\"\n" +
		"WORKDIR /d\xe9p\nCOPY caf\xe9 /b\nCOPY --from=\xff /a /b\nEXPOSE 80\xff\nRUN echo $A \xe9\nCMD echo \xe9\n"
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	code, stdout, stderr := runCLI(t, "", "lint", "--fail-on", "none", path)
	os.Stderr = saved
	w.Close()
	stray, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	if len(stray) > 0 {
		t.Errorf("written to the process's stderr, past dockvet's writers:\n%s", stray)
	}
	if code != 0 || !strings.Contains(stdout, "Dockerfile") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the file linted", code, stdout, stderr)
	}
}
