package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockvet/dockvet/internal/finding"
)

// Stream writes a run's result file by file, so that a long run prints each
// file's findings as soon as they are known and keeps no file's source once
// its findings are written. Every format is a Stream; its Formatter is the
// same Stream fed from a whole Result (writeResult), so streamed and
// buffered output are the same bytes.
//
// The caller gives the files in output order (sorted by name, as
// finding.Sort orders findings) and each file's findings sorted.
type Stream interface {
	// File writes the findings of one file, all with the same File, and
	// lines, that file's source lines (nil when the run did not keep them:
	// images, config files). Neither is used after File returns.
	File(fs []finding.Finding, lines []string) error
	// Close writes what follows the last file (file errors in the formats
	// that carry them, summaries, the end of the document); linted is the
	// number of files linted, with or without findings.
	Close(errs []finding.FileError, linted int) error
}

// NewStream returns the stream of the named format writing to w.
func NewStream(name string, w io.Writer, opts Options) (Stream, error) {
	for _, f := range formats {
		if f.name == name {
			return f.stream(w, opts), nil
		}
	}
	_, err := Lookup(name)
	return nil, err
}

// writeResult feeds a whole result to a stream: one File call per run of
// findings with the same File, with that file's source from res.Sources.
func writeResult(s Stream, res *finding.Result) error {
	fs := res.Findings
	for i := 0; i < len(fs); {
		j := i + 1
		for j < len(fs) && fs[j].File == fs[i].File {
			j++
		}
		if err := s.File(fs[i:j], res.Sources[fs[i].File]); err != nil {
			return err
		}
		i = j
	}
	return s.Close(res.Errors, res.Files)
}

// tally counts what the closing summary line reports.
type tally struct {
	findings int
	bySev    map[finding.Severity]int
	files    map[string]bool // files with findings
	linted   int
}

func newTally() *tally {
	return &tally{bySev: map[finding.Severity]int{}, files: map[string]bool{}}
}

func (t *tally) add(fs []finding.Finding) {
	for _, f := range fs {
		t.findings++
		t.bySev[f.Severity]++
		t.files[f.File] = true
	}
}

// line is the closing line, e.g. "3 findings (1 error, 2 warnings) in 2 files".
func (t *tally) line() string {
	if t.findings == 0 {
		return "no findings in " + plural(t.linted, "file", "files")
	}
	var parts []string
	for _, s := range []struct {
		sev         finding.Severity
		one, plenty string
	}{
		{finding.SeverityError, "error", "errors"},
		{finding.SeverityWarning, "warning", "warnings"},
		{finding.SeverityInfo, "info", "info"}, // "info" is uncountable: "2 info", not "2 infos"
	} {
		if n := t.bySev[s.sev]; n > 0 {
			parts = append(parts, plural(n, s.one, s.plenty))
		}
	}
	return fmt.Sprintf("%s (%s) in %s",
		plural(t.findings, "finding", "findings"),
		strings.Join(parts, ", "),
		plural(len(t.files), "file", "files"))
}
