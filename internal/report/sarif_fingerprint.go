package report

import (
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"unicode"

	"github.com/dockvet/dockvet/internal/finding"
)

// fingerprinter gives each finding an identity that survives edits elsewhere
// in its file, for the formats whose consumers track findings across runs
// (SARIF partialFingerprints, GitLab fingerprints). The identity is a hash of
// the rule and the text of the flagged lines with all whitespace removed — not
// the line number, so inserting lines above a finding keeps it — and, to keep
// identical lines apart, the occurrence number of that hash in the file, in
// output order. Without the source text (images without history, a source the
// run did not keep) the message stands in for it.
type fingerprinter struct {
	sources map[string][]string
	seen    map[string]int // file + hash -> occurrences so far
}

func newFingerprinter(sources map[string][]string) *fingerprinter {
	return &fingerprinter{sources: sources, seen: map[string]int{}}
}

// nextIn returns the content hash of f (16 hex digits) and its occurrence
// number (from 1). Call it once per finding, in output order.
//
// lines are the source lines of f's file (nil: none kept): a stream has each
// file's source only while it writes the file.
func (fp *fingerprinter) nextIn(f finding.Finding, lines []string) (hash string, occurrence int) {
	h := sha256.New()
	h.Write([]byte(f.RuleID))
	h.Write([]byte{0})
	if text, ok := flaggedText(f, lines); ok {
		h.Write([]byte(text))
	} else {
		h.Write([]byte{1}) // keeps a message from colliding with source text
		h.Write([]byte(f.Message))
	}
	hash = hex.EncodeToString(h.Sum(nil)[:8])
	key := f.File + "\x00" + hash
	fp.seen[key]++
	return hash, fp.seen[key]
}

// lineHash is the "hash:occurrence" form GitHub code scanning uses for
// partialFingerprints.primaryLocationLineHash.
func (fp *fingerprinter) lineHash(f finding.Finding) string {
	return fp.lineHashIn(f, fp.sources[f.File])
}

// lineHashIn is lineHash with the source lines of f's file given.
func (fp *fingerprinter) lineHashIn(f finding.Finding, lines []string) string {
	hash, n := fp.nextIn(f, lines)
	return hash + ":" + strconv.Itoa(n)
}

// flaggedText is the text of the lines a finding covers, whitespace removed,
// so that re-indenting does not change it either.
func flaggedText(f finding.Finding, lines []string) (string, bool) {
	start, end := f.Range.Start.Line, f.Range.End.Line
	if start <= 0 || start > len(lines) {
		return "", false
	}
	end = min(max(end, start), len(lines))
	var b strings.Builder
	for _, l := range lines[start-1 : end] {
		for _, r := range l {
			if !unicode.IsSpace(r) {
				b.WriteRune(r)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), true
}
