// Package distbuild builds what dockvet ships: stamped static binaries for
// every release target with their SHA256SUMS (scripts/release, `make
// release`) and dockvet's own OCI image (scripts/image, `make image`), built
// without a Docker daemon with go-containerregistry, as ko does.
//
// Everything is reproducible: a build of one commit gives the same bytes
// wherever and whenever it runs. Binaries are built with -trimpath, no VCS
// stamp of Go's own, no build id, and the version, commit and commit date
// passed through -ldflags; image layers carry the commit date as every mtime.
package distbuild

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Target is one GOOS/GOARCH pair.
type Target struct{ OS, Arch string }

// Targets are the release platforms (issue 8: linux, darwin, windows on
// amd64 and arm64).
var Targets = []Target{
	{"linux", "amd64"}, {"linux", "arm64"},
	{"darwin", "amd64"}, {"darwin", "arm64"},
	{"windows", "amd64"}, {"windows", "arm64"},
}

// String is "linux/amd64".
func (t Target) String() string { return t.OS + "/" + t.Arch }

// BinaryName is the release asset name, "dockvet-linux-amd64" or
// "dockvet-windows-amd64.exe": plain binaries, so a download needs no
// unpacking and SHA256SUMS checks exactly what runs.
func (t Target) BinaryName() string {
	name := "dockvet-" + t.OS + "-" + t.Arch
	if t.OS == "windows" {
		name += ".exe"
	}
	return name
}

// ParseTarget reads "linux/amd64".
func ParseTarget(s string) (Target, error) {
	goos, goarch, ok := strings.Cut(s, "/")
	if !ok || goos == "" || goarch == "" || strings.Contains(goarch, "/") {
		return Target{}, fmt.Errorf("target %q: want GOOS/GOARCH", s)
	}
	return Target{goos, goarch}, nil
}

// Stamp is what a build records about itself.
type Stamp struct {
	Version string    // "v1.2.3", "v1.2.3-4-gabcdef0", or "devel"
	Commit  string    // full commit hash, "" outside a git checkout
	Date    time.Time // the commit date (or SOURCE_DATE_EPOCH), UTC
}

// StampFromGit reads the stamp of the checkout in dir. version, when not
// empty, overrides `git describe`. SOURCE_DATE_EPOCH, when set, overrides
// the commit date (the reproducible-builds convention). Outside a git
// checkout the commit is empty, the version "devel" and the date the Unix
// epoch, so the build is still reproducible.
func StampFromGit(ctx context.Context, dir, version string) (Stamp, error) {
	git := func(args ...string) string {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		out, err := cmd.Output()
		if err != nil {
			return ""
		}
		return strings.TrimSpace(string(out))
	}
	s := Stamp{Version: version, Commit: git("rev-parse", "HEAD"), Date: time.Unix(0, 0).UTC()}
	if s.Version == "" {
		s.Version = git("describe", "--tags", "--always", "--dirty")
	}
	if s.Version == "" {
		s.Version = "devel"
	}
	epoch := os.Getenv("SOURCE_DATE_EPOCH")
	if epoch == "" && s.Commit != "" {
		epoch = git("log", "-1", "--format=%ct", "HEAD")
	}
	if epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return Stamp{}, fmt.Errorf("SOURCE_DATE_EPOCH %q: not a number of seconds", epoch)
		}
		s.Date = time.Unix(sec, 0).UTC()
	}
	return s, nil
}

// LDFlags are the linker flags of a release build: no symbol table or
// DWARF (-s -w), an empty build id, and the stamp in cmd/dockvet's
// version, commit and date variables.
func (s Stamp) LDFlags() string {
	return strings.Join([]string{
		"-s", "-w", "-buildid=",
		"-X", "main.version=" + s.Version,
		"-X", "main.commit=" + s.Commit,
		"-X", "main.date=" + s.Date.Format(time.RFC3339),
	}, " ")
}

// BuildCommand is the `go build` of cmd/dockvet for t, run in the module
// root moduleDir, writing out. The environment pins what changes bytes:
// CGO off (static), GOFLAGS cleared (a user's -race or -cover would leak
// in), no Go toolchain switch.
func BuildCommand(ctx context.Context, goBin, moduleDir string, t Target, s Stamp, out string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, goBin, "build",
		"-trimpath", "-buildvcs=false", "-ldflags", s.LDFlags(),
		"-o", out, "./cmd/dockvet")
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(),
		"CGO_ENABLED=0", "GOOS="+t.OS, "GOARCH="+t.Arch,
		"GOFLAGS=", "GOTOOLCHAIN=local", "GOAMD64=v1", "GOARM64=v8.0")
	return cmd
}

// Build builds dockvet for t into out.
func Build(ctx context.Context, moduleDir string, t Target, s Stamp, out string) error {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return err
	}
	cmd := BuildCommand(ctx, goBin, moduleDir, t, s, out)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", t, err, stderr.Bytes())
	}
	return nil
}

// FileSHA256 is the hex SHA-256 of a file.
func FileSHA256(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// WriteChecksums writes dir/SHA256SUMS for the named files of dir, in the
// format of `sha256sum` ("<hex>  <name>", sorted by name), so `sha256sum
// -c SHA256SUMS` checks a download.
func WriteChecksums(dir string, names []string) error {
	names = slices.Sorted(slices.Values(names))
	var b strings.Builder
	for _, name := range names {
		sum, err := FileSHA256(filepath.Join(dir, name))
		if err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	return os.WriteFile(filepath.Join(dir, "SHA256SUMS"), []byte(b.String()), 0o644)
}

// ReadChecksums parses a SHA256SUMS file into name → hex digest.
func ReadChecksums(data []byte) (map[string]string, error) {
	sums := map[string]string{}
	for i, line := range strings.Split(strings.TrimRight(string(data), "\n"), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 || name == "" {
			return nil, fmt.Errorf("SHA256SUMS line %d: want \"<sha256>  <name>\"", i+1)
		}
		sums[strings.TrimPrefix(name, "*")] = sum
	}
	return sums, nil
}
