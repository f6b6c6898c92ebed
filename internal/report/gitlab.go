package report

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strconv"

	"github.com/dockvet/dockvet/internal/finding"
)

// GitLab Code Quality report: a JSON array of issues with the fields GitLab
// documents as required (description, check_name, fingerprint, severity,
// location.path, location.lines.begin).

type gitlabIssue struct {
	Description string         `json:"description"`
	CheckName   string         `json:"check_name"`
	Fingerprint string         `json:"fingerprint"`
	Severity    string         `json:"severity"`
	Location    gitlabLocation `json:"location"`
}

type gitlabLocation struct {
	Path  string      `json:"path"`
	Lines gitlabLines `json:"lines"`
}

type gitlabLines struct {
	Begin int `json:"begin"`
	End   int `json:"end"`
}

// gitlabSeverity maps dockvet severities to GitLab's scale (info, minor,
// major, critical, blocker) as the SPEC fixes it.
func gitlabSeverity(s finding.Severity) string {
	switch s {
	case finding.SeverityError:
		return "major"
	case finding.SeverityWarning:
		return "minor"
	}
	return "info"
}

// writeGitLab writes the report; file errors go to stderr (the caller), as
// the format has no place for them. A finding without a line (an image config
// finding) is placed on line 1: GitLab needs a line.
func writeGitLab(w io.Writer, res *finding.Result, _ Options) error {
	out := make([]gitlabIssue, 0, len(res.Findings))
	fp := newFingerprinter(res.Sources)
	for _, f := range res.Findings {
		begin := max(f.Range.Start.Line, 1)
		lines := gitlabLines{Begin: begin, End: max(f.Range.End.Line, begin)}
		out = append(out, gitlabIssue{
			Description: f.Message,
			CheckName:   f.RuleID,
			Fingerprint: gitlabFingerprint(f, fp),
			Severity:    gitlabSeverity(f.Severity),
			Location:    gitlabLocation{Path: f.File, Lines: lines},
		})
	}
	return encodeJSON(w, out)
}

// gitlabFingerprint is unique in the report (the path, and the rule, flagged
// text and occurrence that fingerprinter hashes) and stable when unrelated
// lines move, which is what GitLab compares between a merge request and its
// target branch.
func gitlabFingerprint(f finding.Finding, fp *fingerprinter) string {
	hash, n := fp.next(f)
	sum := sha256.Sum256([]byte(f.File + "\x00" + hash + "\x00" + strconv.Itoa(n)))
	return hex.EncodeToString(sum[:16])
}
