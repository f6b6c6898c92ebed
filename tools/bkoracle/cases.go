package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// handWritten are checks the oracle cannot run (CopyIgnoredFile needs a
// BuildKit client to read .dockerignore): their lines in an existing .want
// are kept as written, the rest is regenerated.
var handWritten = []string{"CopyIgnoredFile"}

// WantLines renders a verdict as a .want file: one `Check:line` per
// warning, sorted, then `#error:LINE: message` when BuildKit stopped at a
// hard error (warnings past it are missing from BuildKit's answer).
func WantLines(v Verdict, kept []string) []string {
	var lines []string
	for _, w := range v.Warnings {
		lines = append(lines, fmt.Sprintf("%s:%d", w.Rule, w.Line))
	}
	lines = append(lines, kept...)
	slices.SortFunc(lines, compareWant)
	if v.Error != "" {
		lines = append(lines, fmt.Sprintf("#error:%d: %s", v.ErrorLine, strings.ReplaceAll(v.Error, "\n", " ")))
	}
	return lines
}

// compareWant orders `Check:line` by line, then check.
func compareWant(a, b string) int {
	ra, la, _ := strings.Cut(a, ":")
	rb, lb, _ := strings.Cut(b, ":")
	na, _ := strconv.Atoi(la)
	nb, _ := strconv.Atoi(lb)
	if na != nb {
		return na - nb
	}
	return strings.Compare(ra, rb)
}

// WriteCases regenerates every <case>.want under dir from the oracle.
func WriteCases(ctx context.Context, dir string, log io.Writer) error {
	var n int
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".Dockerfile") {
			return err
		}
		base, err := baseFor(path, nil)
		if err != nil {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		v := Lint(ctx, path, src, base)
		if v.Panic != "" {
			return fmt.Errorf("%s: BuildKit panicked: %s", path, v.Panic)
		}
		want := strings.TrimSuffix(path, ".Dockerfile") + ".want"
		kept, err := keptLines(want)
		if err != nil {
			return err
		}
		out := strings.Join(WantLines(v, kept), "\n")
		if out != "" {
			out += "\n"
		}
		if err := os.WriteFile(want, []byte(out), 0o644); err != nil {
			return err
		}
		n++
		return nil
	})
	if err == nil {
		fmt.Fprintf(log, "wrote %d .want files under %s\n", n, dir)
	}
	return err
}

// keptLines returns the hand-written lines of an existing .want.
func keptLines(path string) ([]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var kept []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rule, _, _ := strings.Cut(sc.Text(), ":")
		if slices.Contains(handWritten, rule) {
			kept = append(kept, sc.Text())
		}
	}
	return kept, sc.Err()
}
