package dockerfile

import (
	"testing"
)

// TestArgEnvValuesFollowBuildKit: ARG and ENV values are stored as BuildKit's
// dispatcher computes them with its shell lexer (quotes removed, escapes
// processed, variables expanded), --build-arg values are literal, and every
// ENV name and value is expanded in the scope before the instruction (issue
// 7, item 2: values without '$' kept their quotes).
func TestArgEnvValuesFollowBuildKit(t *testing.T) {
	type want struct {
		line     int    // the instruction whose scope is read (after a stage ARG/ENV, before a meta ARG)
		name     string // variable
		value    string
		resolved bool
	}
	cases := []struct {
		name      string
		src       string
		buildArgs map[string]string
		want      []want
		refs      []string // expected Expanded of every image reference, in order
	}{
		{name: "double-quoted meta ARG", src: "ARG VERSION=\"latest\"\nFROM busybox:${VERSION}\n",
			want: []want{{2, "VERSION", "latest", true}}, refs: []string{"busybox:latest"}},
		{name: "empty quoted meta ARG", src: "ARG DEBUG=\"\"\nFROM scratch${DEBUG}\n",
			want: []want{{2, "DEBUG", "", true}}, refs: []string{"scratch"}},
		{name: "single-quoted meta ARG", src: "ARG T='1.0'\nFROM alpine:$T\n", refs: []string{"alpine:1.0"}},
		{name: "quoted FROM word", src: "FROM \"alpine:3.20\"\n", refs: []string{"alpine:3.20"}},
		{name: "stage ARG and ENV", src: "FROM alpine\nARG DATA=\"/data\"\nENV HOME='/home/app' X=a\\ b Y=\"a\\\"b\"\nUSER app\n",
			want: []want{{3, "DATA", "/data", true}, {4, "HOME", "/home/app", true}, {4, "X", "a b", true}, {4, "Y", `a"b`, true}}},
		{name: "single quotes keep dollars", src: "FROM alpine\nENV A=1\nENV B='$A' C=\\$A D=\"$A\"\nUSER x\n",
			want: []want{{4, "B", "$A", true}, {4, "C", "$A", true}, {4, "D", "1", true}}},
		{name: "ENV expands in the scope before it", src: "FROM alpine\nENV A=0\nENV A=1 B=$A\nUSER x\n",
			want: []want{{4, "A", "1", true}, {4, "B", "0", true}}},
		{name: "ARG sees earlier ARGs of the same instruction", src: "FROM alpine\nARG A=1 B=$A\nUSER x\n",
			want: []want{{3, "B", "1", true}}},
		{name: "legacy ENV form", src: "FROM alpine\nENV GREETING \"hello world\" 'and more'\nUSER x\n",
			want: []want{{3, "GREETING", "hello world and more", true}}},
		{name: "ENV name from a variable", src: "FROM alpine\nARG K=NAME\nENV $K=v\nUSER x\n",
			want: []want{{4, "NAME", "v", true}}},
		{name: "ARG without value takes the meta value", src: "ARG V=\"1.2\"\nFROM alpine\nARG V\nARG W\nUSER x\n",
			want: []want{{5, "V", "1.2", true}, {5, "W", "", false}}},
		{name: "build args are literal", src: "ARG V=\"1.2\"\nFROM alpine:$V\nARG W=x\nUSER x\n",
			buildArgs: map[string]string{"V": `"3"`, "W": `'$HOME'`},
			want:      []want{{2, "V", `"3"`, true}, {4, "W", `'$HOME'`, true}}, refs: []string{`alpine:"3"`}},
		{name: "backtick escape", src: "# escape=`\nFROM alpine\nENV P=\"C:\\x\" Q=a`$b R=a\\b\nUSER x\n",
			want: []want{{4, "P", `C:\x`, true}, {4, "Q", "a$b", true}, {4, "R", `a\b`, true}}},
		{name: "non-ASCII", src: "FROM alpine\nENV U=\"é ü\"\nUSER x\n",
			want: []want{{3, "U", "é ü", true}}},
		{name: "SBOM scan ARGs stay out of the environment", src: "FROM alpine\nARG BUILDKIT_SBOM_SCAN_STAGE=true\nUSER x\n",
			want: []want{{3, "BUILDKIT_SBOM_SCAN_STAGE", "", false}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte(c.src), Options{BuildArgs: c.buildArgs})
			if err != nil {
				t.Fatal(err)
			}
			if len(f.Errors) != 0 {
				t.Fatalf("errors %q", errorMessages(f))
			}
			for _, w := range c.want {
				var in *Instruction
				for _, i := range f.Instructions {
					if i.StartLine == w.line {
						in = i
					}
				}
				if in == nil {
					t.Fatalf("no instruction on line %d", w.line)
				}
				v, ok := in.env.Get(w.name)
				if v != w.value || ok != w.resolved {
					t.Errorf("line %d: %s = %q, %v; want %q, %v", w.line, w.name, v, ok, w.value, w.resolved)
				}
			}
			var refs []string
			for _, r := range f.ImageRefs {
				refs = append(refs, r.Expanded)
			}
			if c.refs != nil && !slicesEqual(refs, c.refs) {
				t.Errorf("image references %q, want %q", refs, c.refs)
			}
		})
	}
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
