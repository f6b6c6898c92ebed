package main

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// startupAllocs is how many allocations each of dockvet's packages may make
// when the program starts, before main runs. Every run pays for that work,
// also one that never reads what it built (issue 11: a pre-commit hook or
// an editor starts dockvet once per save), so tables are literals, switches
// or built on first use (sync.OnceValue), and the counts below only go
// down. A package not listed may allocate nothing.
var startupAllocs = map[string]int{
	// sync.OnceValue and errors.New values make one allocation each: a
	// closure or an error, no table.
	"internal/dockerfile": 4,
	"internal/secrets":    2,
	"internal/report":     4,
	"internal/registry":   10,
	// The 22 BuildKit checks copy their names and URLs from BuildKit's
	// linter package into the rule list.
	"rules": 4,
	// A test-only validator of the output formats, not in the binary.
	"internal/report/formatcheck": 4,
}

// TestNoStartupWork runs this test binary again with the runtime's init
// trace, which prints each package's initialisation and what it allocated:
// the count is exact, whatever the machine's load. The test binary links
// every package the dockvet binary links (and a few test-only ones, held to
// the same rule); cmd/dockvet itself is left out, since its test files
// declare variables of their own.
func TestNoStartupWork(t *testing.T) {
	if os.Getenv("DOCKVET_INITTRACE_CHILD") != "" {
		t.Skip("the child only starts")
	}
	if testing.CoverMode() != "" {
		t.Skip("coverage counters add their own allocations at start-up (-coverpkg)")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1", "DOCKVET_INITTRACE_CHILD=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%v: %s", err, stderr.Bytes())
	}
	traced := parseInitTrace(stderr.Bytes())
	if len(traced) == 0 {
		t.Fatalf("no init trace in the child's stderr:\n%s", stderr.Bytes())
	}
	const module = "github.com/dockvet/dockvet/"
	seen := false
	for pkg, allocs := range traced {
		rel, ok := strings.CutPrefix(pkg, module)
		if !ok || rel == "cmd/dockvet" {
			continue
		}
		seen = true
		if limit := startupAllocs[rel]; allocs > limit {
			t.Errorf("%s makes %d allocations at start-up (at most %d): build its tables on first use (sync.OnceValue) or write them as literals or switches", rel, allocs, limit)
		}
	}
	if !seen {
		t.Fatalf("the init trace names none of dockvet's packages:\n%s", stderr.Bytes())
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
