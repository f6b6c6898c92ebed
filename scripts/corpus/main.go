// Command corpus lints every Dockerfile of the shared corpus and fails on a
// crash or an exit code 2, or when a CI format (sarif, github, gitlab,
// checkstyle) is invalid or differs from json, or a problem matcher misreads
// a gnu line. It prints findings per rule, throughput, peak
// memory, the cost of a full lint relative to BuildKit's parser alone (the
// floor), and the wall time of linting one small file from a cold process.
//
//	go run ./scripts/corpus -bin bin/dockvet -dir ../shared/corpus
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/rules"
)

func main() {
	bin := flag.String("bin", "bin/dockvet", "dockvet binary")
	dir := flag.String("dir", "../shared/corpus", "corpus directory (with MANIFEST.tsv)")
	rounds := flag.Int("rounds", 5, "in-process timing rounds (the best is kept)")
	flag.Parse()
	if err := run(*bin, *dir, *rounds); err != nil {
		fmt.Fprintln(os.Stderr, "corpus:", err)
		os.Exit(1)
	}
}

func run(bin, dir string, rounds int) error {
	files, err := manifest(dir)
	if err != nil {
		return err
	}
	fmt.Printf("corpus: %d files in %s\n", len(files), dir)

	// 1. The real binary, as a user runs it, on every file at once.
	start := time.Now()
	cmd := exec.Command(bin, append([]string{"lint", "-f", "json", "--fail-on", "none", "--offline"}, files...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	wall := time.Since(start)
	if runErr != nil {
		return fmt.Errorf("dockvet exited with %w\n%s", runErr, tail(stderr.String(), 40))
	}
	var out struct {
		Findings []struct {
			Rule, Name, Severity, File string
		}
		Errors []struct{ File, Message string }
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return fmt.Errorf("bad JSON output: %w", err)
	}
	if len(out.Errors) > 0 {
		for _, e := range out.Errors[:min(10, len(out.Errors))] {
			fmt.Printf("  error: %s: %s\n", e.File, e.Message)
		}
		return fmt.Errorf("%d files could not be linted", len(out.Errors))
	}
	rss := int64(0)
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	printCounts(out.Findings, len(files))
	// Every other format on the same files: valid for its consumer, and the same findings.
	if err := checkFormats(bin, files, stdout.Bytes()); err != nil {
		return err
	}
	fmt.Printf("process: %d files in %v = %.0f files/s (GOMAXPROCS=%s), peak RSS %.1f MB\n",
		len(files), wall.Round(time.Millisecond), float64(len(files))/wall.Seconds(), gomaxprocs(), float64(rss)/1024)

	// 2. In one process, one goroutine: a full lint against BuildKit's parser alone.
	srcs := make([][]byte, len(files))
	for i, f := range files {
		if srcs[i], err = os.ReadFile(f); err != nil {
			return err
		}
	}
	eng, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		return err
	}
	floor, full := time.Duration(1<<62), time.Duration(1<<62)
	for range rounds {
		floor = min(floor, timeIt(func() { buildkitFloor(srcs) }))
		full = min(full, timeIt(func() {
			for i, src := range srcs {
				_, _, _ = eng.LintFile(engine.Input{Name: files[i], Src: src}, dockerfile.Options{})
			}
		}))
	}
	fmt.Printf("in-process, 1 goroutine, best of %d: BuildKit parse floor %v, dockvet lint %v, ratio %.2fx (target <= 2x)\n",
		rounds, floor.Round(time.Millisecond), full.Round(time.Millisecond), full.Seconds()/floor.Seconds())

	// 3. Cold start: one small file, fresh process each time; median of 21.
	small := filepath.Join("examples", "good", "Dockerfile")
	var times []time.Duration
	for range 21 {
		t0 := time.Now()
		c := exec.Command(bin, "lint", "--offline", small)
		if err := c.Run(); err != nil {
			return fmt.Errorf("cold run on %s: %w", small, err)
		}
		times = append(times, time.Since(t0))
	}
	slices.Sort(times)
	fmt.Printf("cold start: lint %s in %v median wall (target < 25ms)\n", small, times[len(times)/2].Round(100*time.Microsecond))
	return nil
}

// buildkitFloor is the least any Dockerfile linter on BuildKit must do.
func buildkitFloor(srcs [][]byte) {
	for _, src := range srcs {
		res, err := parser.Parse(bytes.NewReader(src))
		if err != nil {
			continue
		}
		_, _, _ = instructions.Parse(res.AST, nil)
	}
}

func timeIt(f func()) time.Duration {
	t0 := time.Now()
	f()
	return time.Since(t0)
}

func manifest(dir string) ([]string, error) {
	fh, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var files []string
	sc := bufio.NewScanner(fh)
	for sc.Scan() {
		name, _, _ := strings.Cut(sc.Text(), "\t")
		if name == "" || name == "saved_name" {
			continue
		}
		files = append(files, filepath.Join(dir, name))
	}
	return files, sc.Err()
}

func printCounts(findings []struct{ Rule, Name, Severity, File string }, nfiles int) {
	type count struct {
		rule, name  string
		n           int
		seenInFiles map[string]bool
	}
	byRule := map[string]*count{}
	withFindings := map[string]bool{}
	for _, f := range findings {
		c := byRule[f.Rule]
		if c == nil {
			c = &count{rule: f.Rule, name: f.Name, seenInFiles: map[string]bool{}}
			byRule[f.Rule] = c
		}
		c.n++
		c.seenInFiles[f.File] = true
		withFindings[f.File] = true
	}
	var keys []string
	for k := range byRule {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Printf("findings: %d in %d of %d files\n", len(findings), len(withFindings), nfiles)
	for _, k := range keys {
		c := byRule[k]
		fmt.Printf("  %-6s %-26s %6d findings in %4d files\n", c.rule, c.name, c.n, len(c.seenInFiles))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func gomaxprocs() string {
	if v := os.Getenv("GOMAXPROCS"); v != "" {
		return v
	}
	return fmt.Sprint(runtimeNumCPU())
}
