package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/source"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

var dockerfile = []string{
	"FROM ubuntu:latest",
	"RUN apt-get update && \\",
	"    apt-get install -y curl",
	"RUN rm -rf /var/lib/apt/lists/*",
	"\tRUN\tpip\tinstall flask",
	`RUN echo "héllo wörld ☕" && apt-get install -y jq`,
	`VOLUME ["/data"]`,
	`CMD ["npm", "start"`,
}

// at returns the range of the first occurrence of token on a 1-based line of
// dockerfile, in character columns, so fixtures stay readable.
func at(line int, token string) source.Range {
	text := dockerfile[line-1]
	i := strings.Index(text, token)
	if i < 0 {
		panic("token " + token + " not on line")
	}
	start := source.Column(text, i)
	return source.Range{Start: source.Pos{Line: line, Col: start}, End: source.Pos{Line: line, Col: source.Column(text, i+len(token))}}
}

// fullResult holds every severity across two files, related locations, a fix, a
// multi-line range, tabs, non-ASCII text, a zero-width range at the end of a line,
// a file without source text, a position-less finding and file errors.
func fullResult() *finding.Result {
	multiLine := at(2, "apt-get update")
	multiLine.End = at(3, "curl").End
	eol := source.Pos{Line: 8, Col: source.Column(dockerfile[7], len(dockerfile[7]))}
	return &finding.Result{
		Files: 3,
		Sources: map[string][]string{
			"Dockerfile": dockerfile,
		},
		Findings: []finding.Finding{
			{
				RuleID: "DV200", RuleName: "latest-tag", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: at(1, "latest"),
				Message: `image "ubuntu:latest" uses the tag latest`,
				Fix: &finding.Fix{
					Description: "pin a release tag",
					Edits:       []finding.Edit{{Range: at(1, "latest"), NewText: "24.04"}},
				},
			},
			{
				RuleID: "DV400", RuleName: "apt-lists-not-removed", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: multiLine,
				Message: "apt-get install leaves /var/lib/apt/lists in the layer",
			},
			{
				RuleID: "DV401", RuleName: "split-apt-cleanup", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: at(4, "rm -rf /var/lib/apt/lists/*"),
				Message: "apt lists are removed in a later layer than the install",
				Related: []finding.Related{
					{File: "Dockerfile", Range: at(2, "apt-get update"), Message: "lists downloaded here"},
				},
			},
			{
				RuleID: "DV403", RuleName: "package-cache-left", Severity: finding.SeverityInfo,
				File: "Dockerfile", Range: at(5, "pip\tinstall"),
				Message: "pip install without --no-cache-dir keeps the cache <~/.cache/pip> in the layer",
			},
			{
				RuleID: "DV400", RuleName: "apt-lists-not-removed", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: at(6, "apt-get install"),
				Message: "apt-get install leaves /var/lib/apt/lists in the layer",
			},
			{
				RuleID: "DV100", RuleName: "volume-instruction", Severity: finding.SeverityWarning,
				File: "Dockerfile", Range: at(7, `"/data"`),
				Message: "VOLUME makes containerd copy /data into every container",
			},
			{
				RuleID: "DV101", RuleName: "volume-over-image-data", Severity: finding.SeverityError,
				File: "Dockerfile", Range: at(7, `"/data"`),
				Message: "VOLUME /data holds 512 MiB of image content",
			},
			{
				RuleID: "DV000", RuleName: "syntax-error", Severity: finding.SeverityError,
				File: "Dockerfile", Range: source.Range{Start: eol, End: eol},
				Message: "unterminated JSON array",
			},
			{
				RuleID: "DV411", RuleName: "oversized-image", Severity: finding.SeverityWarning,
				File:    "web/Containerfile",
				Message: "image is 3.1 GiB, more than max-image-size 1 GiB",
			},
			{
				RuleID: "DV001", RuleName: "base-image-unresolved", Severity: finding.SeverityInfo,
				File: "web/Containerfile", Range: source.Range{Start: source.Pos{Line: 1, Col: 6}, End: source.Pos{Line: 1, Col: 13}},
				Message: "base image node:22 not fetched, volume and user checks skipped:\nGET https://registry-1.docker.io/v2/: i/o timeout",
			},
		},
		Errors: []finding.FileError{
			{File: "missing/Dockerfile", Message: "open missing/Dockerfile: no such file or directory"},
		},
	}
}

func singleResult() *finding.Result {
	return &finding.Result{
		Files:   1,
		Sources: map[string][]string{"Dockerfile": dockerfile},
		Findings: []finding.Finding{{
			RuleID: "DV100", RuleName: "volume-instruction", Severity: finding.SeverityWarning,
			File: "Dockerfile", Range: at(7, `"/data"`),
			Message: "VOLUME makes containerd copy /data into every container",
		}},
	}
}

func TestGolden(t *testing.T) {
	tests := []struct {
		golden, format string
		res            *finding.Result
		color          bool
	}{
		{"text_full", "text", fullResult(), false},
		{"text_full_color", "text", fullResult(), true},
		{"text_single", "text", singleResult(), false},
		{"text_empty", "text", &finding.Result{Files: 4}, false},
		{"gnu_full", "gnu", fullResult(), false},
		{"gnu_empty", "gnu", &finding.Result{Files: 4}, false},
		{"json_full", "json", fullResult(), false},
		{"json_empty", "json", &finding.Result{Files: 4}, false},
		{"json_errors_only", "json", &finding.Result{Errors: fullResult().Errors}, false},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			checkGolden(t, tt.golden, render(t, tt.format, tt.res, tt.color))
		})
	}
}

func render(t *testing.T, format string, res *finding.Result, color bool) string {
	t.Helper()
	fn, err := Lookup(format)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := fn(&buf, res, Options{Color: color}); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
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
		t.Errorf("output differs from %s (run go test -update to accept):\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

func TestLookupUnknown(t *testing.T) {
	fn, err := Lookup("xml")
	if err == nil || fn != nil {
		t.Fatalf("Lookup(xml) = %v, %v; want an error", fn, err)
	}
	for _, name := range []string{"xml", "text", "gnu", "json"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error %q does not mention %q", err, name)
		}
	}
}

func TestNames(t *testing.T) {
	if got := strings.Join(Names(), ","); got != "text,gnu,json,sarif,github,gitlab,checkstyle" {
		t.Errorf("Names() = %s, want text,gnu,json,sarif,github,gitlab,checkstyle", got)
	}
}

func TestColor(t *testing.T) {
	tests := []struct {
		format string
		color  bool
		want   bool // ANSI escapes expected
	}{
		{"text", true, true},
		{"text", false, false},
		{"gnu", true, false}, // problem matchers must never see escapes
		{"json", true, false},
	}
	for _, tt := range tests {
		got := strings.Contains(render(t, tt.format, fullResult(), tt.color), "\x1b[")
		if got != tt.want {
			t.Errorf("%s with Color=%v: escapes present = %v, want %v", tt.format, tt.color, got, tt.want)
		}
	}
}

func TestTextSummary(t *testing.T) {
	tests := []struct {
		res  *finding.Result
		want string
	}{
		{&finding.Result{Files: 0}, "no findings in 0 files"},
		{&finding.Result{Files: 1}, "no findings in 1 file"},
		{singleResult(), "1 finding (1 warning) in 1 file"},
		{fullResult(), "10 findings (2 errors, 6 warnings, 2 info) in 2 files"},
	}
	for _, tt := range tests {
		if got := summary(tt.res); got != tt.want {
			t.Errorf("summary = %q, want %q", got, tt.want)
		}
	}
}

func TestUnderline(t *testing.T) {
	r := func(l1, c1, l2, c2 int) source.Range {
		return source.Range{Start: source.Pos{Line: l1, Col: c1}, End: source.Pos{Line: l2, Col: c2}}
	}
	tests := []struct {
		name, line string
		rng        source.Range
		want       string
	}{
		{"plain", "FROM ubuntu:latest", r(1, 13, 1, 19), "            ^^^^^^"},
		{"zero width", "FROM ubuntu", r(1, 6, 1, 6), "     ^"},
		{"end before start", "FROM ubuntu", r(1, 6, 0, 0), "     ^"},
		{"past end of line", "CMD [", r(1, 6, 1, 6), "     ^"},
		{"multi-line", "RUN a && \\", r(1, 5, 3, 2), "    ^^^^^^"},
		{"tabs copied", "\tRUN\tpip", r(1, 6, 1, 9), "\t   \t^^^"},
		{"tab inside range", "a\tb c", r(1, 1, 1, 4), "^\t^"},
		{"non-ASCII counts characters", "é☕ x", r(1, 4, 1, 5), "   ^"},
		{"invalid UTF-8 byte is printed as \\xff, four wide", "\xff x", r(1, 3, 1, 4), "     ^"},
		{"escaped ESC under the carets", "RUN \x1b[2Jx", r(1, 5, 1, 9), "    ^^^^^^^"},
		{"escaped ESC before the range", "\x1b[31mRUN x", r(1, 10, 1, 11), "            ^"},
		{"unknown column", "FROM x", r(1, 0, 1, 0), "^"},
	}
	for _, tt := range tests {
		if got := underline(tt.line, tt.rng); got != tt.want {
			t.Errorf("%s: underline(%q, %v) = %q, want %q", tt.name, tt.line, tt.rng, got, tt.want)
		}
	}
}

func TestGNUOneLinePerFinding(t *testing.T) {
	res := fullResult()
	out := render(t, "gnu", res, false)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(res.Findings) {
		t.Fatalf("got %d lines for %d findings:\n%s", len(lines), len(res.Findings), out)
	}
	shape := regexp.MustCompile(`^[^:]+(:\d+:\d+)?: (error|warning|info): .+ \[DV\d{3}\]$`)
	for _, l := range lines {
		if !shape.MatchString(l) {
			t.Errorf("line does not match %s: %q", shape, l)
		}
	}
}

func TestJSONShape(t *testing.T) {
	res := fullResult()
	res.Findings[0].Message = "bad \xff byte"
	out := render(t, "json", res, false)
	if !json.Valid([]byte(out)) {
		t.Fatalf("invalid JSON:\n%s", out)
	}
	if !strings.HasSuffix(out, "}\n") {
		t.Errorf("JSON output lacks a trailing newline")
	}
	var doc struct {
		Version  int              `json:"version"`
		Findings []map[string]any `json:"findings"`
		Errors   []map[string]any `json:"errors"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != 1 || len(doc.Findings) != len(res.Findings) || len(doc.Errors) != 1 {
		t.Fatalf("version %d, %d findings, %d errors", doc.Version, len(doc.Findings), len(doc.Errors))
	}
	if got := doc.Findings[0]["message"]; got != "bad \ufffd byte" {
		t.Errorf("message = %q, want the invalid byte replaced by U+FFFD", got)
	}
	if _, ok := doc.Findings[1]["related"]; ok {
		t.Errorf("related present on a finding without related locations")
	}
	if _, ok := doc.Findings[1]["fix"]; ok {
		t.Errorf("fix present on a finding without a fix")
	}

	empty := render(t, "json", &finding.Result{}, false)
	if want := "{\n  \"version\": 1,\n  \"findings\": [],\n  \"errors\": []\n}\n"; empty != want {
		t.Errorf("empty result:\n%s\nwant:\n%s", empty, want)
	}
}

func TestWriteErrors(t *testing.T) {
	var buf bytes.Buffer
	err := WriteErrors(&buf, []finding.FileError{
		{File: "a/Dockerfile", Message: "open a/Dockerfile: permission denied"},
		{File: "b", Message: "read b: is a directory"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "a/Dockerfile: error: open a/Dockerfile: permission denied\nb: error: read b: is a directory\n"
	if buf.String() != want {
		t.Errorf("got %q, want %q", buf.String(), want)
	}
}

// failWriter fails every write, as a closed pipe would.
type failWriter struct{}

var errWrite = errors.New("broken pipe")

func (failWriter) Write([]byte) (int, error) { return 0, errWrite }

func TestWriteErrorsAreReturned(t *testing.T) {
	for _, format := range Names() {
		fn, _ := Lookup(format)
		if err := fn(failWriter{}, fullResult(), Options{}); !errors.Is(err, errWrite) {
			t.Errorf("%s: err = %v, want %v", format, err, errWrite)
		}
	}
	if err := WriteErrors(failWriter{}, fullResult().Errors); !errors.Is(err, errWrite) {
		t.Errorf("WriteErrors: err = %v, want %v", err, errWrite)
	}
}
