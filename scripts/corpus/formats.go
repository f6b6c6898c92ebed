package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os/exec"

	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/report/formatcheck"
)

// checkFormats runs the binary in every CI format on the files and requires
// each document to be valid for its consumer (formatcheck) and to carry
// exactly the JSON findings, in order, with the same exit code; then it runs
// the shipped problem matchers over the gnu output and requires every line
// to be matched with the JSON finding's file, line, column and severity.
func checkFormats(bin string, files []string, jsonDoc []byte) error {
	want, err := formatcheck.Parse("json", jsonDoc)
	if err != nil {
		return err
	}
	args := append([]string{"lint", "--fail-on", "none", "--offline"}, files...)
	for _, format := range formatcheck.Formats {
		out, err := runFormat(bin, format, args)
		if err != nil {
			return err
		}
		got, err := formatcheck.Parse(format, out)
		if err != nil {
			return fmt.Errorf("%s output is not valid: %w", format, err)
		}
		if err := formatcheck.Compare(format, want, got, report.CarriesErrors(format)); err != nil {
			return err
		}
		fmt.Printf("format %-10s valid, %d findings, same as json (%d bytes)\n", format, len(got.Findings), len(out))
	}

	github, err := formatcheck.LoadGitHubMatchers(".github/dockvet-problem-matcher.json")
	if err != nil {
		return err
	}
	vscode, err := formatcheck.LoadVSCodeMatcher("docs/vscode/tasks.json")
	if err != nil {
		return err
	}
	gnu, err := runFormat(bin, "gnu", args)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(gnu))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	n := 0
	for ; sc.Scan(); n++ {
		if n >= len(want.Findings) {
			return fmt.Errorf("gnu: more lines than the %d findings", len(want.Findings))
		}
		k := want.Findings[n]
		wantP := formatcheck.Problem{File: report.Escape(k.File), Line: k.Line, Column: k.Col,
			Severity: k.Severity, Message: report.Escape(k.Message), Code: k.Rule}
		if k.Line == 0 {
			wantP.Column = 0
		}
		if p, ok := formatcheck.MatchGitHub(github, sc.Text()); !ok || p != wantP {
			return fmt.Errorf("GitHub problem matcher on gnu line %d %q: got %+v, want %+v", n+1, sc.Text(), p, wantP)
		}
		if p, ok := formatcheck.MatchVSCode(vscode, sc.Text()); !ok || p != wantP {
			return fmt.Errorf("VS Code problem matcher on gnu line %d %q: got %+v, want %+v", n+1, sc.Text(), p, wantP)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if n != len(want.Findings) {
		return fmt.Errorf("gnu: %d lines for %d findings", n, len(want.Findings))
	}
	fmt.Printf("format gnu        %d lines, each matched by the GitHub and VS Code problem matchers with its file, line, column and severity\n", n)
	return nil
}

// runFormat runs dockvet with -f format; --fail-on none makes any exit code
// but 0 a failure.
func runFormat(bin, format string, args []string) ([]byte, error) {
	cmd := exec.Command(bin, append([]string{args[0], "-f", format}, args[1:]...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("dockvet -f %s exited with %w\n%s", format, err, tail(stderr.String(), 20))
	}
	return stdout.Bytes(), nil
}
