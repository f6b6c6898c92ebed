package formatcheck

import (
	"fmt"
)

// gitlabSeverities are the values GitLab's Code Quality report accepts.
var gitlabSeverities = map[string]string{
	"info": "info", "minor": "warning", "major": "error", "critical": "", "blocker": "",
}

// parseGitLab checks the fields GitLab documents as required (description,
// check_name, fingerprint, severity, location.path, location.lines.begin),
// that severities are GitLab's and fingerprints unique.
func parseGitLab(doc []byte) (*Result, error) {
	var issues []struct {
		Description *string `json:"description"`
		CheckName   *string `json:"check_name"`
		Fingerprint *string `json:"fingerprint"`
		Severity    *string `json:"severity"`
		Location    *struct {
			Path  *string `json:"path"`
			Lines *struct {
				Begin *int `json:"begin"`
				End   *int `json:"end"`
			} `json:"lines"`
		} `json:"location"`
	}
	if err := strictUnmarshal(doc, &issues); err != nil {
		return nil, fmt.Errorf("gitlab: %w", err)
	}
	if issues == nil {
		return nil, fmt.Errorf("gitlab: the report is not a JSON array")
	}
	res := &Result{}
	seen := map[string]int{}
	for i, is := range issues {
		if is.Description == nil || is.CheckName == nil || *is.CheckName == "" || is.Fingerprint == nil || *is.Fingerprint == "" ||
			is.Severity == nil || is.Location == nil || is.Location.Path == nil || *is.Location.Path == "" ||
			is.Location.Lines == nil || is.Location.Lines.Begin == nil {
			return nil, fmt.Errorf("gitlab: issue %d lacks a required field", i)
		}
		sev, ok := gitlabSeverities[*is.Severity]
		if !ok || sev == "" {
			return nil, fmt.Errorf("gitlab: issue %d: severity %q", i, *is.Severity)
		}
		if j, dup := seen[*is.Fingerprint]; dup {
			return nil, fmt.Errorf("gitlab: issues %d and %d share fingerprint %s", j, i, *is.Fingerprint)
		}
		seen[*is.Fingerprint] = i
		begin := *is.Location.Lines.Begin
		if begin < 1 {
			return nil, fmt.Errorf("gitlab: issue %d begins on line %d", i, begin)
		}
		end := 0
		if is.Location.Lines.End != nil {
			end = *is.Location.Lines.End
			if end < begin {
				return nil, fmt.Errorf("gitlab: issue %d ends on line %d before it begins (%d)", i, end, begin)
			}
		}
		res.Findings = append(res.Findings, Key{
			File: *is.Location.Path, Line: begin, EndLine: end,
			Rule: *is.CheckName, Severity: sev, Message: *is.Description,
		})
	}
	return res, nil
}

// GitLabFingerprints returns the fingerprints of a report in order, for
// stability tests.
func GitLabFingerprints(doc []byte) ([]string, error) {
	var issues []struct {
		Fingerprint string `json:"fingerprint"`
	}
	if err := strictUnmarshal(doc, &issues); err != nil {
		return nil, err
	}
	out := make([]string, len(issues))
	for i, is := range issues {
		out[i] = is.Fingerprint
	}
	return out, nil
}
