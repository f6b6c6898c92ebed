package formatcheck

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

// Matcher is one problem matcher pattern (single line), as GitHub Actions
// and VS Code define them: a regular expression and the groups that hold
// each field (0: none).
type Matcher struct {
	Owner                                       string
	DefaultSeverity                             string
	Regexp                                      *regexp.Regexp
	File, Line, Column, Severity, Message, Code int
}

// Problem is what a matcher reads from one output line, with the severity
// already mapped the consumer's way and named as dockvet names it (error,
// warning, info); "" when the consumer drops the line.
type Problem struct {
	File          string
	Line, Column  int
	Severity      string
	Message, Code string
}

type patternJSON struct {
	Regexp   string `json:"regexp"`
	File     int    `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Severity int    `json:"severity"`
	Message  int    `json:"message"`
	Code     int    `json:"code"`
}

func (p patternJSON) matcher(owner, severity string) (Matcher, error) {
	// The runner compiles with .NET's ECMAScript option and VS Code with
	// JavaScript's RegExp; the patterns use only what those and Go's RE2
	// agree on (groups, lazy quantifiers, \d, anchors).
	re, err := regexp.Compile(p.Regexp)
	if err != nil {
		return Matcher{}, err
	}
	m := Matcher{Owner: owner, DefaultSeverity: severity, Regexp: re,
		File: p.File, Line: p.Line, Column: p.Column, Severity: p.Severity, Message: p.Message, Code: p.Code}
	for _, g := range []int{m.File, m.Line, m.Column, m.Severity, m.Message, m.Code} {
		if g > re.NumSubexp() {
			return Matcher{}, fmt.Errorf("matcher %s: group %d out of range", owner, g)
		}
	}
	if m.Message == 0 {
		return Matcher{}, fmt.Errorf("matcher %s: no message group", owner)
	}
	return m, nil
}

// LoadGitHubMatchers reads a GitHub Actions problem matcher file.
func LoadGitHubMatchers(path string) ([]Matcher, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var file struct {
		ProblemMatcher []struct {
			Owner    string        `json:"owner"`
			Severity string        `json:"severity"`
			Pattern  []patternJSON `json:"pattern"`
		} `json:"problemMatcher"`
	}
	if err := strictUnmarshal(data, &file); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []Matcher
	owners := map[string]bool{}
	for _, pm := range file.ProblemMatcher {
		// The runner's own checks: a unique owner, a known default
		// severity, one pattern here (dockvet's output is one line each).
		if pm.Owner == "" || owners[strings.ToLower(pm.Owner)] {
			return nil, fmt.Errorf("%s: empty or repeated owner %q", path, pm.Owner)
		}
		owners[strings.ToLower(pm.Owner)] = true
		switch strings.ToLower(pm.Severity) {
		case "", "error", "warning", "notice":
		default:
			return nil, fmt.Errorf("%s: default severity %q", path, pm.Severity)
		}
		if len(pm.Pattern) != 1 {
			return nil, fmt.Errorf("%s: matcher %s has %d patterns, want 1", path, pm.Owner, len(pm.Pattern))
		}
		m, err := pm.Pattern[0].matcher(pm.Owner, pm.Severity)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// LoadVSCodeMatcher reads the problem matcher of the first task of a VS Code
// tasks.json (written as plain JSON, without comments).
func LoadVSCodeMatcher(path string) (Matcher, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Matcher{}, err
	}
	var file struct {
		Tasks []struct {
			ProblemMatcher struct {
				Owner    string      `json:"owner"`
				Severity string      `json:"severity"`
				Pattern  patternJSON `json:"pattern"`
			} `json:"problemMatcher"`
		} `json:"tasks"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		return Matcher{}, fmt.Errorf("%s: %w", path, err)
	}
	if len(file.Tasks) == 0 {
		return Matcher{}, fmt.Errorf("%s: no task", path)
	}
	pm := file.Tasks[0].ProblemMatcher
	return pm.Pattern.matcher(pm.Owner, pm.Severity)
}

func (m Matcher) match(line string) (Problem, string, bool) {
	g := m.Regexp.FindStringSubmatch(line)
	if g == nil {
		return Problem{}, "", false
	}
	get := func(i int) string {
		if i == 0 {
			return ""
		}
		return g[i]
	}
	p := Problem{File: get(m.File), Message: get(m.Message), Code: get(m.Code)}
	p.Line, _ = strconv.Atoi(get(m.Line))
	p.Column, _ = strconv.Atoi(get(m.Column))
	return p, get(m.Severity), true
}

// MatchGitHub runs the matchers over a line as the Actions runner does: the
// first matcher that matches takes the line; its severity is the group's
// value or the matcher's default; "error", "warning" and "notice" are known
// (any case), an empty one is an error, any other drops the line.
func MatchGitHub(ms []Matcher, line string) (Problem, bool) {
	for _, m := range ms {
		p, sev, ok := m.match(line)
		if !ok {
			continue
		}
		if sev == "" {
			sev = m.DefaultSeverity
		}
		switch strings.ToLower(sev) {
		case "", "error":
			p.Severity = "error"
		case "warning":
			p.Severity = "warning"
		case "notice":
			p.Severity = "info"
		}
		return p, true
	}
	return Problem{}, false
}

// MatchVSCode applies a VS Code matcher: severities "error", "warning" (or
// "warn"), "info" are known; anything else takes the default, or error.
func MatchVSCode(m Matcher, line string) (Problem, bool) {
	p, sev, ok := m.match(line)
	if !ok {
		return Problem{}, false
	}
	if sev == "" {
		sev = m.DefaultSeverity
	}
	switch strings.ToLower(sev) {
	case "warning", "warn":
		p.Severity = "warning"
	case "info":
		p.Severity = "info"
	default:
		p.Severity = "error"
	}
	return p, true
}
