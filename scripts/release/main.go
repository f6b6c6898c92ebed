// Command release builds dockvet's release binaries (`make release`): a
// static, stamped binary per target in -out, and -out/SHA256SUMS.
//
//	go run ./scripts/release [-out dist] [-version v1.2.3] [-targets linux/amd64,...]
//	go run ./scripts/release -check linux/amd64 [-out dist]
//
// -check rebuilds one target from a copy of the checkout at another path
// and compares the result with -out/SHA256SUMS: two builds of one commit
// must give the same bytes (.ci/run runs it after `make release`).
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/dockvet/dockvet/internal/distbuild"
)

func main() {
	out := flag.String("out", "dist", "output directory (emptied of old binaries)")
	version := flag.String("version", os.Getenv("VERSION"), "version to stamp (default: git describe --tags --always --dirty)")
	targets := flag.String("targets", "", "comma-separated GOOS/GOARCH list (default: all release targets)")
	check := flag.String("check", "", "rebuild this GOOS/GOARCH from a copy of the checkout and compare with -out/SHA256SUMS")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if *check != "" {
		err = checkReproducible(ctx, *out, *version, *check)
	} else {
		err = release(ctx, *out, *version, *targets)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "release:", err)
		os.Exit(1)
	}
}

func release(ctx context.Context, out, version, targetList string) error {
	targets := distbuild.Targets
	if targetList != "" {
		targets = nil
		for _, s := range strings.Split(targetList, ",") {
			t, err := distbuild.ParseTarget(strings.TrimSpace(s))
			if err != nil {
				return err
			}
			targets = append(targets, t)
		}
	}
	stamp, err := distbuild.StampFromGit(ctx, ".", version)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	fmt.Printf("dockvet %s commit %s date %s\n", stamp.Version, stamp.Commit, stamp.Date.Format(time.RFC3339))
	var names []string
	for _, t := range targets {
		start := time.Now()
		name := t.BinaryName()
		if err := distbuild.Build(ctx, ".", t, stamp, filepath.Join(out, name)); err != nil {
			return err
		}
		fi, err := os.Stat(filepath.Join(out, name))
		if err != nil {
			return err
		}
		fmt.Printf("  %-28s %6.1f MiB  %v\n", name, float64(fi.Size())/(1<<20), time.Since(start).Round(100*time.Millisecond))
		names = append(names, name)
	}
	if err := distbuild.WriteChecksums(out, names); err != nil {
		return err
	}
	fmt.Printf("  %s/SHA256SUMS\n", out)
	return nil
}

// checkReproducible copies the tracked files of the checkout (as they are
// in the work tree) to a temporary directory, builds target there with the
// same stamp and an empty build cache, and compares the digest with the one
// in out/SHA256SUMS.
func checkReproducible(ctx context.Context, out, version, target string) error {
	t, err := distbuild.ParseTarget(target)
	if err != nil {
		return err
	}
	sumsData, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil {
		return fmt.Errorf("%w (run make release first)", err)
	}
	sums, err := distbuild.ReadChecksums(sumsData)
	if err != nil {
		return err
	}
	want, ok := sums[t.BinaryName()]
	if !ok {
		return fmt.Errorf("%s/SHA256SUMS has no %s", out, t.BinaryName())
	}
	stamp, err := distbuild.StampFromGit(ctx, ".", version)
	if err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "dockvet-repro-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	src := filepath.Join(tmp, "elsewhere", "dockvet")
	if err := copyTracked(ctx, ".", src); err != nil {
		return err
	}
	bin := filepath.Join(tmp, t.BinaryName())
	// An empty build cache: every package is compiled again, so the check
	// covers the compiler's output, not only the link.
	if err := os.Setenv("GOCACHE", filepath.Join(tmp, "gocache")); err != nil {
		return err
	}
	if err := distbuild.Build(ctx, src, t, stamp, bin); err != nil {
		return err
	}
	got, err := distbuild.FileSHA256(bin)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s is not reproducible: %s/SHA256SUMS says %s, a build from %s gives %s", t.BinaryName(), out, want, src, got)
	}
	fmt.Printf("reproducible: %s built again from another path: sha256 %s\n", t.BinaryName(), got)
	if t.OS != runtime.GOOS || t.Arch != runtime.GOARCH {
		return nil
	}
	// The stamp must reach `dockvet version` (and --version, which prints
	// the same line).
	line, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil {
		return fmt.Errorf("%s version: %w", bin, err)
	}
	wantLine := fmt.Sprintf("dockvet %s commit %s built %s ", stamp.Version, stamp.Commit[:min(12, len(stamp.Commit))], stamp.Date.Format(time.RFC3339))
	if stamp.Commit == "" {
		wantLine = fmt.Sprintf("dockvet %s built %s ", stamp.Version, stamp.Date.Format(time.RFC3339))
	}
	if !strings.HasPrefix(string(line), wantLine) {
		return fmt.Errorf("dockvet version printed %q, want it to start with %q", line, wantLine)
	}
	fmt.Printf("stamped: %s", line)
	return nil
}

// copyTracked copies the files git tracks (work tree contents) to dst.
func copyTracked(ctx context.Context, dir, dst string) error {
	cmd := exec.CommandContext(ctx, "git", "ls-files", "-z", "--cached")
	cmd.Dir = dir
	list, err := cmd.Output()
	if err != nil {
		return fmt.Errorf("git ls-files: %w", err)
	}
	for _, name := range strings.Split(strings.TrimRight(string(list), "\x00"), "\x00") {
		if err := copyFile(filepath.Join(dir, name), filepath.Join(dst, name)); err != nil {
			return err
		}
	}
	return nil
}

func copyFile(src, dst string) error {
	fi, err := os.Lstat(src)
	if err != nil {
		if os.IsNotExist(err) { // deleted in the work tree, not yet committed
			return nil
		}
		return err
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, fi.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
