package dockerfile

import (
	"bytes"
	"fmt"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// parseChecked parses src with the zero Options and fails the test if Parse
// panics, returns an error, or produces a range outside the file. It has no
// time limit: TestParseScalesLinearly catches blowups by growth ratios, and
// a real hang fails the run at go test's -timeout.
func parseChecked(t *testing.T, src []byte) *File {
	t.Helper()
	var f *File
	var err error
	func() {
		defer func() {
			if p := recover(); p != nil {
				t.Fatalf("Parse panicked: %v\n%s", p, debug.Stack())
			}
		}()
		f, err = Parse("Dockerfile", src, Options{})
	}()
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	t.Logf("parsed %d bytes: %d instructions, %d errors", len(src), len(f.Instructions), len(f.Errors))
	for _, b := range checkRanges(f) {
		t.Error(b)
	}
	return f
}

func errorMessages(f *File) []string {
	var out []string
	for _, e := range f.Errors {
		out = append(out, fmt.Sprintf("%d: %s", e.Range.Start.Line, e.Message))
	}
	return out
}

// realistic is a few hundred bytes of an ordinary Dockerfile body.
const realistic = `RUN apt-get update \
    && apt-get install -y --no-install-recommends curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
ENV PATH=/opt/bin:$PATH LANG=C.UTF-8
COPY --from=build --chown=app:app /src/out /app
RUN <<EOF
set -e
echo "heredoc $HOME" | tee /tmp/x
EOF
# a comment
ARG VERSION=1.0
LABEL version="${VERSION}" description="test image"
RUN sh -c 'echo nested && ls -la' || true
`

func TestParseRobust(t *testing.T) {
	cases := []struct {
		name string
		src  func() []byte
		// check inspects the result; nil means "no panic, no hang" is enough.
		check func(t *testing.T, f *File)
	}{
		{"empty", func() []byte { return nil }, func(t *testing.T, f *File) {
			if len(f.Instructions) != 0 || len(f.Errors) != 1 {
				t.Errorf("got %d instructions, errors %q; want one error", len(f.Instructions), errorMessages(f))
			}
		}},
		{"only newlines", func() []byte { return []byte("\n\n\n") }, nil},
		{"only comments", func() []byte { return []byte("# one\n# two\n\n   # three\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || len(f.Comments) != 3 {
				t.Errorf("errors %q, %d comments; want one error and 3 comments", errorMessages(f), len(f.Comments))
			}
		}},
		{"binary", func() []byte { return []byte("FROM alpine\n\x00\x01\x02\x7fELF\x00") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || !strings.Contains(f.Errors[0].Message, "binary") || f.Errors[0].Range.Start.Line != 2 {
				t.Errorf("errors %q; want one binary-content error on line 2", errorMessages(f))
			}
		}},
		{"invalid utf-8", func() []byte {
			return []byte("FROM alpine:\xff\xfe\nRUN echo \x80\x81 && apt-get install -y \xc3(\nLABEL \xe2\x82=\xa1 x=\"\xf0\x28\x8c\xbc\"\nCOPY --chown=\xff:\xff a b\nRUN [\"sh\", \"-c\", \"echo \xff\"]\n")
		}, func(t *testing.T, f *File) {
			if len(f.Instructions) != 5 {
				t.Errorf("got %d instructions, want 5", len(f.Instructions))
			}
		}},
		{"1 MB", func() []byte {
			var b bytes.Buffer
			b.WriteString("FROM debian:bookworm AS base\n")
			for b.Len() < 1<<20 {
				b.WriteString(realistic)
			}
			return b.Bytes()
		}, func(t *testing.T, f *File) {
			if len(f.Errors) != 0 {
				t.Errorf("errors %q", errorMessages(f)[:min(3, len(f.Errors))])
			}
		}},
		{"20000 continuation lines", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine\nRUN echo start \\\n")
			for i := range 20000 {
				fmt.Fprintf(&b, "    && echo line%d \\\n", i)
			}
			b.WriteString("    && echo end\nRUN echo after\n")
			return []byte(b.String())
		}, func(t *testing.T, f *File) {
			if len(f.Instructions) != 3 || f.Instructions[1].Script == nil || len(f.Instructions[1].Script.Calls) != 20002 {
				t.Errorf("got %d instructions; want 3 with a RUN of 20002 calls", len(f.Instructions))
			}
			if in := f.Instructions[1]; in.EndLine != 20003 || in.Range.End.Line != 20003 {
				t.Errorf("RUN ends on line %d (range %v), want 20003", in.EndLine, in.Range)
			}
		}},
		{"20000 comment lines inside a continuation", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine\nRUN echo start \\\n")
			for range 20000 {
				b.WriteString("# comment\n\n")
			}
			b.WriteString("    && echo end\n")
			return []byte(b.String())
		}, nil},
		{"1 MB single line", func() []byte {
			return []byte("FROM alpine\nRUN echo " + strings.Repeat("x", 1<<20) + "\nRUN echo after\n")
		}, func(t *testing.T, f *File) {
			// BuildKit refuses lines over 64 KiB; the rest still parses.
			if len(f.Errors) != 1 || f.Errors[0].Range.Start.Line != 2 || len(f.Instructions) != 2 {
				t.Errorf("errors %q, %d instructions; want one error on line 2 and 2 instructions", errorMessages(f), len(f.Instructions))
			}
		}},
		{"1 MB single line of words", func() []byte {
			return []byte("FROM alpine\nRUN " + strings.Repeat("ab ", 1<<20/3) + "\n")
		}, nil},
		{"longest line BuildKit reads, many words", func() []byte {
			line := "RUN " + strings.Repeat("é ", (maxLineLen-10)/3)
			return []byte("FROM alpine\n" + line + "\n")
		}, func(t *testing.T, f *File) {
			if len(f.Errors) != 0 || len(f.Instructions) != 2 {
				t.Errorf("errors %q, %d instructions", errorMessages(f), len(f.Instructions))
			}
		}},
		{"1 MB logical line", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine\nRUN true")
			for b.Len() < 1<<20 {
				b.WriteString(" \\\n && echo " + strings.Repeat("y", 60))
			}
			b.WriteString("\n")
			return []byte(b.String())
		}, nil},
		{"unterminated heredoc", func() []byte { return []byte("FROM alpine\nRUN echo before\nRUN <<EOF\necho hi\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || f.Errors[0].Range.Start.Line != 3 || len(f.Instructions) != 2 {
				t.Errorf("errors %q, %d instructions; want one error on line 3 and the 2 instructions before it", errorMessages(f), len(f.Instructions))
			}
		}},
		{"unknown instructions", func() []byte {
			return []byte("FROM alpine\nFOO x\nRUN apt-get update\nBAR\nfoo bar baz\nUSER app\n")
		}, func(t *testing.T, f *File) {
			if len(f.Errors) != 3 || len(f.Instructions) != 6 {
				t.Errorf("errors %q, %d instructions; want 3 errors and 6 instructions", errorMessages(f), len(f.Instructions))
			}
			if run := f.Instructions[2]; run.Script == nil || len(run.Script.Calls) != 1 {
				t.Errorf("the RUN after an unknown instruction has no script")
			}
		}},
		{"parser errors do not hide the rest", func() []byte {
			return []byte("FROM alpine\nENV A\nRUN echo one\nLABEL x\nCMD [\"a\", 1]\nRUN echo two\nRUN <<EOF\n")
		}, func(t *testing.T, f *File) {
			want := []int{2, 4, 5, 7}
			var got []int
			for _, e := range f.Errors {
				got = append(got, e.Range.Start.Line)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) || len(f.Instructions) != 3 {
				t.Errorf("errors %q, %d instructions; want errors on lines %v and 3 instructions", errorMessages(f), len(f.Instructions), want)
			}
		}},
		{"many parser errors", func() []byte {
			return []byte("FROM alpine\n" + strings.Repeat("ENV A\n", 50000) + "RUN echo end\n")
		}, func(t *testing.T, f *File) {
			if len(f.Errors) == 0 || len(f.Errors) > maxRecoveries+2 {
				t.Errorf("%d errors", len(f.Errors))
			}
		}},
		{"bad escape directive", func() []byte { return []byte("# escape=x\nFROM alpine\nRUN echo hi\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || f.Errors[0].Range.Start.Line != 1 || len(f.Instructions) != 2 {
				t.Errorf("errors %q, %d instructions; want one error on line 1, 2 instructions", errorMessages(f), len(f.Instructions))
			}
		}},
		{"repeated directive", func() []byte { return []byte("# escape=`\n# escape=`\nFROM alpine\nRUN echo a `\n  b\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || f.Errors[0].Range.Start.Line != 2 || len(f.Instructions) != 2 || f.Escape != '`' {
				t.Errorf("errors %q, %d instructions, escape %q; want one error on line 2, 2 instructions, backtick", errorMessages(f), len(f.Instructions), f.Escape)
			}
		}},
		{"FROM without args", func() []byte { return []byte("FROM\nRUN echo hi\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 1 || len(f.Instructions) != 2 {
				t.Errorf("errors %q", errorMessages(f))
			}
		}},
		{"instructions before FROM", func() []byte { return []byte("RUN echo a\nUSER x\nARG A=1\nFROM alpine\n") }, func(t *testing.T, f *File) {
			if len(f.Errors) != 2 || len(f.MetaArgs) != 1 {
				t.Errorf("errors %q, %d meta args", errorMessages(f), len(f.MetaArgs))
			}
		}},
		{"no FROM at all", func() []byte { return []byte("RUN echo a\n") }, nil},
		{"deeply nested sh -c", func() []byte {
			s := "apt-get install -y curl"
			for range 8 {
				s = "sh -c '" + strings.ReplaceAll(s, "'", `'\''`) + "'"
			}
			return []byte("FROM alpine\nRUN " + s + "\n")
		}, nil},
		{"nested double-quoted sh -c", func() []byte {
			s := "echo deep"
			for range 12 {
				s = `sh -c "` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, `$`, `\$`).Replace(s) + `"`
			}
			return []byte("FROM alpine\nRUN " + s + "\n")
		}, nil},
		{"unbalanced quotes and brackets", func() []byte {
			return []byte("FROM alpine\nRUN sh -c \"echo 'a\nCMD [\"a\", \nVOLUME [\"/a\", /b\nRUN $(( (( ${a:-${b:-${c\n")
		}, nil},
		{"many heredocs on one line", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine\nRUN cat")
			for i := range 500 {
				fmt.Fprintf(&b, " <<E%d", i)
			}
			b.WriteString("\n")
			for i := range 500 {
				fmt.Fprintf(&b, "body %d\nE%d\n", i, i)
			}
			return []byte(b.String())
		}, nil},
		{"many ENV and ARG", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine AS a\n")
			for i := range 30000 {
				fmt.Fprintf(&b, "ENV V%d=${V%d}x\nARG A%d=$V%d\n", i, max(i-1, 0), i, i)
			}
			b.WriteString("FROM a\nUSER $V29999\n")
			return []byte(b.String())
		}, func(t *testing.T, f *File) {
			user := f.Instructions[len(f.Instructions)-1]
			if v, unresolved := user.Expand("$V2"); v != "xxx" || len(unresolved) != 0 {
				t.Errorf("Expand($V2) = %q %q", v, unresolved)
			}
		}},
		{"many stages", func() []byte {
			var b strings.Builder
			b.WriteString("FROM alpine AS s0\n")
			for i := 1; i < 5000; i++ {
				fmt.Fprintf(&b, "FROM s%d AS s%d\nCOPY --from=s%d /a /b\nRUN echo %d\n", i-1, i, i/2, i)
			}
			return []byte(b.String())
		}, func(t *testing.T, f *File) {
			if len(f.FinalChain()) != 5000 {
				t.Errorf("final chain of %d stages", len(f.FinalChain()))
			}
		}},
		{"CRLF and lone CRs", func() []byte { return []byte("FROM alpine\r\r\nRUN echo \\\r\n a\r\rb\r\n\r") }, nil},
		{"BOM only", func() []byte { return []byte("\xef\xbb\xbf") }, nil},
		{"mounts and flags", func() []byte {
			return []byte("FROM alpine\nRUN --mount=type=cache,target=/x,from=$X --mount=\"type=bind,\\\"from=a\" --mount=type=nope true\nRUN --mount= --network --security=x= -- true\nCOPY --from= a b\nCOPY --from=\"\" a b\n")
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := parseChecked(t, c.src())
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

// TestLongLineLimit pins maxLineLen to the line length (newline included) at
// which BuildKit's scanner starts failing, and checks that Parse reports such
// a line instead of losing the file.
func TestLongLineLimit(t *testing.T) {
	line := func(n int) []byte { // a file whose line 2 has n bytes with its newline
		return []byte("FROM alpine\nRUN " + strings.Repeat("x", n-5) + "\n")
	}
	if _, err := parser.Parse(bytes.NewReader(line(maxLineLen))); err != nil {
		t.Errorf("BuildKit fails on a line of %d bytes: %v", maxLineLen, err)
	}
	if _, err := parser.Parse(bytes.NewReader(line(maxLineLen + 1))); err == nil {
		t.Errorf("BuildKit reads a line of %d bytes; maxLineLen is out of date", maxLineLen+1)
	}
	if f := parseChecked(t, line(maxLineLen)); len(f.Errors) != 0 || len(f.Instructions) != 2 {
		t.Errorf("line of %d bytes: errors %q", maxLineLen, errorMessages(f))
	}
	// The over-long line is reported and skipped; FROM remains.
	if f := parseChecked(t, line(maxLineLen+1)); len(f.Errors) != 1 || len(f.Instructions) != 1 {
		t.Errorf("line of %d bytes: errors %q, %d instructions; want one error and FROM", maxLineLen+1, errorMessages(f), len(f.Instructions))
	}
}
