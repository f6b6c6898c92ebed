package engine_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/rules"
)

// TestReadBuffersAreNotReused guards what dockerfile.Parse relies on: the
// buffer a file is read into is its own, never written again, since the
// File's Lines (which a FileResult carries until the run's report is
// written) are views of it. Each way lint reads a file (cmd/dockvet's
// readInput; stdin is io.ReadAll's fresh buffer) reads many files, all
// held until the run ends: a reader that reused its buffer for the next
// file would change the lines of the earlier ones.
func TestReadBuffersAreNotReused(t *testing.T) {
	dir := t.TempDir()
	const n = 40
	paths := make([]string, n)
	want := make([][]string, n)
	for i := range paths {
		// The same length for every file, so that a reused buffer would
		// hold another file's text rather than fail to read.
		src := fmt.Sprintf("FROM ubuntu:latest\r\nMAINTAINER me%03d\nRUN echo %03d\n", i, i)
		paths[i] = filepath.Join(dir, fmt.Sprintf("Dockerfile.%03d", i))
		if err := os.WriteFile(paths[i], []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		want[i] = strings.Split(strings.TrimSuffix(strings.ReplaceAll(src, "\r", ""), "\n"), "\n")
	}
	id := func(path string) safefile.FileID {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return safefile.IDOf(fi)
	}
	readers := []struct {
		name string
		read func(path string) ([]byte, error)
	}{
		{"ReadFile", func(p string) ([]byte, error) { return safefile.ReadFile(p, 1<<20) }},
		{"ReadFileSame", func(p string) ([]byte, error) { return safefile.ReadFileSame(p, 1<<20, id(p)) }},
		{"ReadExamined", func(p string) ([]byte, error) { return safefile.ReadExamined(p, 1<<20, id(p)) }},
	}
	e, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range readers {
		t.Run(r.name, func(t *testing.T) {
			jobs := make([]engine.Job, n)
			for i, p := range paths {
				jobs[i] = engine.Job{Engine: e, Input: engine.Input{Name: p, Path: p}, Opts: dockerfile.Options{},
					Read: func() ([]byte, error) { return r.read(p) }}
			}
			got := make([][]string, n)
			err := engine.Stream(context.Background(), jobs, func(i int, res engine.FileResult) error {
				if res.ReadErr != nil {
					return fmt.Errorf("%s: %w", paths[i], res.ReadErr)
				}
				if res.Err != nil {
					return fmt.Errorf("%s: %s", paths[i], res.Err.Message)
				}
				got[i] = res.Lines
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if strings.Join(got[i], "\n") != strings.Join(want[i], "\n") {
					t.Errorf("%s: lines at the end of the run %q, want %q", paths[i], got[i], want[i])
				}
			}
		})
	}
}
