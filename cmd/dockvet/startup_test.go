package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// startupAllocs is how many allocations each of dockvet's packages may make
// when the program starts, before main runs. Every run pays for that work,
// also one that never reads what it built (issue 11: a pre-commit hook or
// an editor starts dockvet once per save), so tables are literals, switches
// or built on first use, and these counts only go down. A package not
// listed may allocate nothing.
var startupAllocs = map[string]int{
	// Two allocations per sync.OnceValue (the state its closure shares),
	// the way to build a table on first use, and per strings.Replacer
	// (which builds its tables on first use itself): dockerfile's
	// instruction names and wrapper specs, report's two GitHub escapers,
	// rules' cache policies and quote remover, secrets' index, registry's
	// transport and four redaction regexps, main's build info.
	"internal/dockerfile": 4,
	"internal/report":     4,
	"rules":               4,
	"internal/secrets":    2,
	"internal/registry":   10,
	"main":                2,
}

// TestNoStartupWork builds dockvet and runs `dockvet version` with the
// runtime's init trace, which prints each package's initialisation and
// what it allocated: the count is exact, whatever the machine's load, and
// it is the binary users run (a test binary would add its test files'
// variables and test-only packages).
func TestNoStartupWork(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dockvet")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command on PATH to build dockvet with")
	}
	bin := filepath.Join(t.TempDir(), "dockvet")
	build := exec.Command(goTool, "build", "-o", bin, "./cmd/dockvet")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "version")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("dockvet version: %v: %s", err, stderr.Bytes())
	}
	traced := parseInitTrace(stderr.Bytes())
	if _, ok := traced["main"]; !ok {
		t.Fatalf("the init trace names no main package:\n%s", stderr.Bytes())
	}
	const module = "github.com/dockvet/dockvet/"
	for pkg, allocs := range traced {
		rel, ok := strings.CutPrefix(pkg, module)
		if !ok && pkg != "main" {
			continue
		}
		if !ok {
			rel = pkg
		}
		limit := startupAllocs[rel]
		switch {
		case allocs > limit:
			t.Errorf("%s makes %d allocations at start-up (at most %d): build its tables on first use (sync.OnceValue) or write them as literals or switches", rel, allocs, limit)
		case allocs < limit:
			t.Logf("%s makes %d allocations at start-up, fewer than its budget of %d: lower the budget", rel, allocs, limit)
		}
	}
}

// parseInitTrace reads GODEBUG=inittrace=1 lines,
// "init PKG @T ms, C ms clock, B bytes, N allocs", into allocations by
// package.
func parseInitTrace(b []byte) map[string]int {
	out := map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 11 || f[0] != "init" || f[10] != "allocs" {
			continue
		}
		n, err := strconv.Atoi(f[9])
		if err != nil {
			continue
		}
		out[f[1]] += n
	}
	return out
}

func TestParseInitTrace(t *testing.T) {
	got := parseInitTrace([]byte("init os @0.5 ms, 0.010 ms clock, 512 bytes, 9 allocs\n" +
		"init github.com/dockvet/dockvet/rules @46 ms, 0.13 ms clock, 144 bytes, 4 allocs\n" +
		"something else\n"))
	if len(got) != 2 || got["os"] != 9 || got["github.com/dockvet/dockvet/rules"] != 4 {
		t.Errorf("parseInitTrace = %v", got)
	}
}
