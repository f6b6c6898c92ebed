// Command bench-cli measures the dockvet binary against its floors in one
// paired run (make bench-cli):
//
//   - the corpus: dockvet lint -f json over every file, against floor/
//     (BuildKit's parser alone, one thread, built in this module graph):
//     wall and CPU ratios, files/s;
//   - peak RSS of dockvet over 1x and 4x the corpus (4x: four copies);
//   - one small file from a cold process, against a hello-world binary and
//     against the floor program on the same file (the start-up of any tool
//     that links BuildKit's parser).
//
// -cold-only measures the cold starts alone (seconds, not minutes).
//
// Runs alternate (dockvet, floor, dockvet, floor...) so that load on the
// machine falls on both; medians are reported. Timings are measurements,
// never pass/fail: the targets are printed beside them.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"
)

func main() {
	corpus := flag.String("corpus", "../shared/corpus", "corpus directory with MANIFEST.tsv")
	runs := flag.Int("runs", 5, "paired runs of the corpus")
	coldRuns := flag.Int("cold-runs", 30, "paired cold starts")
	bin := flag.String("bin", "", "dockvet binary to measure (default: build ./cmd/dockvet with CGO_ENABLED=0)")
	baseline := flag.String("baseline", "", "another dockvet binary (an earlier build) to measure in the same paired runs, for before/after figures")
	coldOnly := flag.Bool("cold-only", false, "measure only the one-file cold starts (no corpus, no RSS runs)")
	flag.Parse()
	if *coldOnly {
		*runs = 0
	}
	bins := []string{*bin}
	if *baseline != "" {
		bins = append([]string{*baseline}, bins...)
	}
	if err := run(*corpus, bins, *runs, *coldRuns); err != nil {
		fmt.Fprintln(os.Stderr, "bench-cli:", err)
		os.Exit(1)
	}
}

// measure is one process run.
type measure struct {
	wall, cpu time.Duration
	maxRSS    int64 // bytes
}

func run(corpus string, bins []string, runs, coldRuns int) error {
	tmp, err := os.MkdirTemp("", "bench-cli")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	build := func(out, pkg string) error {
		cmd := exec.Command("go", "build", "-trimpath", "-o", out, pkg)
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		return cmd.Run()
	}
	if bins[len(bins)-1] == "" {
		bins[len(bins)-1] = filepath.Join(tmp, "dockvet")
		if err := build(bins[len(bins)-1], "./cmd/dockvet"); err != nil {
			return err
		}
	}
	floor, hello := filepath.Join(tmp, "floor"), filepath.Join(tmp, "hello")
	if err := build(floor, "./scripts/bench-cli/floor"); err != nil {
		return err
	}
	if err := build(hello, "./scripts/bench-cli/hello"); err != nil {
		return err
	}

	var files []string
	if runs > 0 {
		if files, err = manifest(corpus); err != nil {
			return err
		}
	}
	list1 := filepath.Join(tmp, "list1")
	if err := os.WriteFile(list1, []byte(strings.Join(files, "\n")+"\n"), 0o644); err != nil {
		return err
	}
	// 4x: four copies of the corpus, so that no file is the same file twice.
	var files4 []string
	for k := range 4 {
		for _, f := range files {
			dst := filepath.Join(tmp, fmt.Sprintf("copy%d", k), filepath.Base(filepath.Dir(f)), filepath.Base(f))
			if err := copyFile(f, dst); err != nil {
				return err
			}
			files4 = append(files4, dst)
		}
	}
	lint := func(paths []string) []string {
		return append([]string{"lint", "-f", "json", "--fail-on", "none", "--offline", "--no-cache"}, paths...)
	}

	// Each binary's runs, and the floor's, alternate in every round.
	dv := make([][]measure, len(bins))
	rss4 := make([][]measure, len(bins))
	cold := make([][]measure, len(bins))
	var fl, hw, flCold []measure
	for range runs {
		for i, bin := range bins {
			m, err := runOnce(bin, lint(files)...)
			if err != nil {
				return err
			}
			dv[i] = append(dv[i], m)
		}
		m, err := runOnce(floor, list1)
		if err != nil {
			return err
		}
		fl = append(fl, m)
	}
	for range min(runs, max(runs/2, 1)) {
		for i, bin := range bins {
			m, err := runOnce(bin, lint(files4)...)
			if err != nil {
				return err
			}
			rss4[i] = append(rss4[i], m)
		}
	}
	small := filepath.Join(tmp, "Dockerfile")
	if err := os.WriteFile(small, []byte("FROM alpine:3.20\nRUN apk add --no-cache curl\nUSER 1000\nCMD [\"curl\", \"--version\"]\n"), 0o644); err != nil {
		return err
	}
	smallList := filepath.Join(tmp, "small.list")
	if err := os.WriteFile(smallList, []byte(small+"\n"), 0o644); err != nil {
		return err
	}
	for range coldRuns {
		for i, bin := range bins {
			m, err := runOnce(bin, "lint", "--offline", "--no-cache", "--fail-on", "none", small)
			if err != nil {
				return err
			}
			cold[i] = append(cold[i], m)
		}
		m, err := runOnce(hello)
		if err != nil {
			return err
		}
		hw = append(hw, m)
		if m, err = runOnce(floor, smallList); err != nil {
			return err
		}
		flCold = append(flCold, m)
	}

	med := func(ms []measure, f func(measure) float64) float64 {
		v := make([]float64, len(ms))
		for i, m := range ms {
			v[i] = f(m)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	wall := func(m measure) float64 { return m.wall.Seconds() }
	cpu := func(m measure) float64 { return m.cpu.Seconds() }
	rss := func(m measure) float64 { return float64(m.maxRSS) / (1 << 20) }
	helloMs, floorMs := med(hw, wall)*1000, med(flCold, wall)*1000
	if runs > 0 {
		flWall, flCPU := med(fl, wall), med(fl, cpu)
		fmt.Printf("corpus: %d files, %d paired runs, medians; floor (BuildKit parse, 1 thread): wall %.3fs cpu %.3fs\n",
			len(files), runs, flWall, flCPU)
		for i, bin := range bins {
			dvWall, dvCPU := med(dv[i], wall), med(dv[i], cpu)
			rss1, rss4x := med(dv[i], rss), med(rss4[i], rss)
			fmt.Printf("%s\n", bin)
			fmt.Printf("  corpus wall %.3fs (%.2fx the floor, target <= 1.3x)  cpu %.3fs (%.2fx, target <= 1.8x)  %.0f files/s\n",
				dvWall, dvWall/flWall, dvCPU, dvCPU/flCPU, float64(len(files))/dvWall)
			fmt.Printf("  peak RSS 1x %.1f MiB, 4x %.1f MiB: %.2fx (target <= 1.3x)\n", rss1, rss4x, rss4x/rss1)
		}
	}
	fmt.Printf("cold start, one small file, %d paired runs, medians: hello-world %.1f ms; floor (BuildKit parse of the file) %.1f ms, hello-world +%.1f ms\n",
		coldRuns, helloMs, floorMs, floorMs-helloMs)
	for i, bin := range bins {
		coldMs := med(cold[i], wall) * 1000
		fmt.Printf("  %s: %.1f ms, hello-world +%.1f ms (target <= +3 ms), floor +%.1f ms\n", bin, coldMs, coldMs-helloMs, coldMs-floorMs)
	}
	return nil
}

// runOnce runs a program with its output discarded and returns its wall
// time, CPU time (user+system) and peak RSS. Exit codes 0 and 1 (findings)
// are success.
func runOnce(prog string, args ...string) (measure, error) {
	cmd := exec.Command(prog, args...)
	cmd.Stdout = nil // /dev/null
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 1 {
		err = nil
	}
	if err != nil {
		return measure{}, fmt.Errorf("%s: %w\n%s", filepath.Base(prog), err, stderr.String())
	}
	ru, _ := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	m := measure{wall: wall, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru != nil {
		m.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return m, nil
}

// manifest lists the corpus files (first column of MANIFEST.tsv).
func manifest(dir string) ([]string, error) {
	f, err := os.Open(filepath.Join(dir, "MANIFEST.tsv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		if first {
			continue
		}
		name, _, _ := strings.Cut(sc.Text(), "\t")
		out = append(out, filepath.Join(dir, name))
	}
	return out, sc.Err()
}

func copyFile(src, dst string) error {
	data, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	return os.WriteFile(dst, data, 0o644)
}
