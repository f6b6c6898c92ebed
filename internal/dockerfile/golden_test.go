package dockerfile

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files")

// goldenCases are the testdata Dockerfiles and the options to parse them with.
// A Dockerfile without an entry is parsed with the zero Options into
// NAME.golden.
var goldenCases = []struct {
	golden  string // testdata/<golden>.golden
	file    string // testdata/<file>.Dockerfile; golden when empty
	opts    Options
	wantErr error
}{
	{golden: "args-buildargs", file: "args", opts: Options{
		BuildArgs: map[string]string{"TAG": "9.9", "OVERRIDE": "from-cli", "NODEF": "given", "TARGETARCH": "riscv64"},
		Platform:  "linux/arm64/v8",
	}},
	{golden: "args-arm64", file: "args", opts: Options{Platform: "linux/arm64"}},
	{golden: "stages-target-test", file: "stages", opts: Options{Target: "test"}},
	{golden: "stages-target-debug", file: "stages", opts: Options{Target: "DEBUG"}},
	{golden: "stages-target-missing", file: "stages", opts: Options{Target: "nope"}, wantErr: ErrTargetNotFound},
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/*.Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	type tc struct {
		golden, file string
		opts         Options
		wantErr      error
	}
	var cases []tc
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".Dockerfile")
		cases = append(cases, tc{golden: name, file: name})
	}
	for _, c := range goldenCases {
		file := c.file
		if file == "" {
			file = c.golden
		}
		cases = append(cases, tc{c.golden, file, c.opts, c.wantErr})
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.golden] {
			t.Fatalf("duplicate golden %s", c.golden)
		}
		seen[c.golden] = true
		t.Run(c.golden, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", c.file+".Dockerfile"))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(c.file+".Dockerfile", src, c.opts)
			if c.wantErr != nil {
				if !errors.Is(err, c.wantErr) {
					t.Fatalf("Parse error = %v, want %v", err, c.wantErr)
				}
			} else if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			for _, b := range checkRanges(f) {
				t.Error(b)
			}
			got := dump(f)
			if err != nil {
				got = "parse error: " + err.Error() + "\n" + got
			}
			path := filepath.Join("testdata", c.golden+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("dump differs from %s (run go test -update and review the diff):\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// lineDiff is a minimal diff: the lines of want and got that differ, by index.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	n := 0
	for i := 0; i < max(len(w), len(g)) && n < 40; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			n++
			b.WriteString("- " + wl + "\n+ " + gl + "\n")
		}
	}
	return b.String()
}
