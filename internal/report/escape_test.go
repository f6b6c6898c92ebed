package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Dockerfile", "Dockerfile"},
		{"héllo ☕\tx", "héllo ☕\tx"},
		{`C:\app\Dockerfile`, `C:\app\Dockerfile`},
		{"a\nb\r\n", `a\nb\r\n`},
		{"\x1b[2J\x1b]0;title\x07", `\x1b[2J\x1b]0;title\x07`},
		{"del\x7f nul\x00", `del\x7f nul\x00`},
		{"c1 \u009b2J", `c1 \u009b2J`},
		{"bidi \u202egpj.exe\u202c \u2066x\u2069 \u200f", `bidi \u202egpj.exe\u202c \u2066x\u2069 \u200f`},
		{"sep\u2028x\u2029", `sep\u2028x\u2029`},
		{"bad \xff\xfe utf8", `bad \xff\xfe utf8`},
		// GitHub's runner runs "##[command]" from anywhere in a line, and
		// "::command::" from a line's start after blanks.
		{"Dockerfile.##[remove-matcher owner=dockvet]x", `Dockerfile.##\x5bremove-matcher owner=dockvet]x`},
		{"##[stop-commands]tok/Dockerfile", `##\x5bstop-commands]tok/Dockerfile`},
		{"a ##[x] ##[y]", `a ##\x5bx] ##\x5by]`},
		{"# [x] #[x] ## [x]", "# [x] #[x] ## [x]"},
		{"::stop-commands::tok/Dockerfile", `\x3a:stop-commands::tok/Dockerfile`},
		{"    ::add-mask::x", `    \x3a:add-mask::x`},
		{"\u00a0\t::error::x", "\u00a0\t\\x3a:error::x"},
		{"image::tag ::x", "image::tag ::x"},
		{":x", ":x"},
	}
	for _, tt := range tests {
		if got := Escape(tt.in); got != tt.want {
			t.Errorf("Escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// hostileResult is a run over a hostile repository: a file name with a
// newline followed by a forged finding, an ESC sequence in a Dockerfile line,
// and a VOLUME path with control characters from a base image's config.
func hostileResult() *finding.Result {
	forged := "x\nDockerfile:1:1: error: forged [DV999]\n"
	at := func(line, col, endCol int) source.Range {
		return source.Range{Start: source.Pos{Line: line, Col: col}, End: source.Pos{Line: line, Col: endCol}}
	}
	return &finding.Result{
		Files: 2,
		Findings: []finding.Finding{
			{
				RuleID: "DV203", RuleName: "latest-tag", Severity: finding.SeverityWarning,
				File: forged, Range: at(1, 6, 12), Message: "base image uses latest",
				Related: []finding.Related{{File: forged, Range: at(1, 1, 1), Message: "see\nDockerfile:2:2: error: forged"}},
			},
			{
				RuleID: "DV102", RuleName: "base-volume", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: at(1, 1, 5),
				Message: "base image declares VOLUME /data\n\x1b[2J\x1b[1;1Hok.go:1:1: error: forged",
			},
		},
		Errors: []finding.FileError{{File: forged, Message: "open " + forged + ": no such file"}},
		Sources: map[string][]string{
			"Dockerfile": {"FROM \x1b]0;pwned\x07alpine"},
			forged:       {"FROM ubuntu:latest"},
		},
	}
}

// TestHostileTextIsEscaped: whatever a repository or an image holds, text
// and gnu output (and the error lines on stderr) hold no control character
// but the line ends and tabs they write themselves, and no line that a
// problem matcher would read as a finding the run did not report.
// TestWorkflowCommandsInNamesAreEscaped: a file name or source line under
// review carrying a GitHub workflow command, in either syntax, reaches the
// text and gnu output and the error lines on stderr only escaped, and the
// carets under an escaped source line stay aligned.
func TestWorkflowCommandsInNamesAreEscaped(t *testing.T) {
	legacyName := "Dockerfile.##[remove-matcher owner=dockvet]x"
	v2Name := "::stop-commands::tok/Dockerfile"
	at := source.Range{Start: source.Pos{Line: 1, Col: 7}, End: source.Pos{Line: 1, Col: 12}}
	res := &finding.Result{
		Files: 2,
		Findings: []finding.Finding{
			{RuleID: "DV203", RuleName: "latest-tag", Severity: finding.SeverityWarning, File: legacyName, Range: at, Message: "base image uses ##[add-mask]latest"},
			{RuleID: "DV203", RuleName: "latest-tag", Severity: finding.SeverityWarning, File: v2Name, Range: at, Message: "base image uses latest"},
		},
		Errors: []finding.FileError{{File: v2Name, Message: "open " + legacyName + ": denied"}},
		Sources: map[string][]string{
			legacyName: {"##[x] ubuntu:latest"},
			v2Name:     {"::x:: ubuntu:latest"},
		},
	}
	legacy := regexp.MustCompile(`##\[`)
	v2 := regexp.MustCompile(`(?m)^\s*::`)
	check := func(what, out string) {
		t.Helper()
		if legacy.MatchString(out) || v2.MatchString(out) {
			t.Errorf("%s: a workflow command reaches the log:\n%s", what, out)
		}
	}
	for _, format := range []string{"text", "gnu"} {
		out := render(t, format, res, false)
		check(format, out)
		if format == "text" && !strings.Contains(out, "    ##\\x5bx] ubuntu:latest\n             ^^^^^\n") {
			t.Errorf("text: carets misaligned under the escaped line:\n%s", out)
		}
	}
	var stderr bytes.Buffer
	if err := WriteErrors(&stderr, res.Errors); err != nil {
		t.Fatal(err)
	}
	check("stderr", stderr.String())
}

func TestHostileTextIsEscaped(t *testing.T) {
	forgedLine := regexp.MustCompile(`(?m)^\s*(Dockerfile|ok\.go):\d+:\d+: error: forged`)
	controls := regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]")
	for _, format := range []string{"text", "gnu"} {
		out := render(t, format, hostileResult(), false)
		if forgedLine.MatchString(out) {
			t.Errorf("%s: a forged finding line:\n%s", format, out)
		}
		if loc := controls.FindStringIndex(out); loc != nil {
			t.Errorf("%s: raw control character %q in:\n%s", format, out[loc[0]:loc[1]], out)
		}
	}
	var stderr bytes.Buffer
	if err := WriteErrors(&stderr, hostileResult().Errors); err != nil {
		t.Fatal(err)
	}
	if forgedLine.MatchString(stderr.String()) || strings.Count(stderr.String(), "\n") != 1 {
		t.Errorf("WriteErrors: %q", stderr.String())
	}
	gnu := render(t, "gnu", hostileResult(), false)
	if want := `x\nDockerfile:1:1: error: forged [DV999]\n:1:6: warning: base image uses latest [DV203]`; !strings.HasPrefix(gnu, want) {
		t.Errorf("gnu first line = %q, want prefix %q", gnu, want)
	}
	text := render(t, "text", hostileResult(), false)
	if want := "    FROM \\x1b]0;pwned\\x07alpine\n    ^^^^\n"; !strings.Contains(text, want) {
		t.Errorf("text does not show the escaped source line %q:\n%s", want, text)
	}
}

// TestLayerTableCleansHostileText: a layer's created_by comes from an image
// config; a bidi override in it would make the table read differently from
// what the image holds, an ESC sequence rewrite the terminal.
func TestLayerTableCleansHostileText(t *testing.T) {
	for _, in := range []string{"RUN \u202eevil", "RUN \x1b[2Jx", "RUN a\u2066b", "RUN a\nfile:1:1: error: forged"} {
		got := clean(in)
		if loc := regexp.MustCompile("[\x00-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029]").FindStringIndex(got); loc != nil {
			t.Errorf("clean(%q) = %q keeps a control character", in, got)
		}
	}
	// GitHub's runner executes workflow commands from any log line.
	for in, want := range map[string]string{
		"RUN echo ##[stop-commands]tok":      `RUN echo ##\x5bstop-commands]tok`,
		"  ::remove-matcher owner=dockvet::": `\x3a:remove-matcher owner=dockvet::`,
	} {
		if got := clean(in); got != want {
			t.Errorf("clean(%q) = %q, want %q", in, got, want)
		}
	}
}
