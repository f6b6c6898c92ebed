package fix

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// diffContext is the number of unchanged lines around each change, as in
// diff -u and git diff.
const diffContext = 3

// WriteDiff writes a unified diff from old to new for the file name (a
// relative, slash-separated path), with "a/" and "b/" prefixes so that both
// `git apply` and `patch -p1` apply it in the directory name is relative to.
// Nothing is written when the texts are equal.
func WriteDiff(w io.Writer, name string, old, new []byte) error {
	if bytes.Equal(old, new) {
		return nil
	}
	a, b := splitKeepEnds(old), splitKeepEnds(new)
	ops := diffLines(a, b)
	name = filepath.ToSlash(name)
	var buf bytes.Buffer
	fmt.Fprintf(&buf, "--- a/%s\n+++ b/%s\n", name, name)
	for _, h := range hunks(ops) {
		writeHunk(&buf, h, a, b)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// splitKeepEnds splits after each '\n'; the last line may lack one.
func splitKeepEnds(src []byte) []string {
	var out []string
	s := string(src)
	for s != "" {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			out = append(out, s)
			break
		}
		out = append(out, s[:i+1])
		s = s[i+1:]
	}
	return out
}

// op is one line of the edit script: kind ' ' (both), '-' (old only) or
// '+' (new only), with the line's index in old (ai) and new (bi).
type op struct {
	kind   byte
	ai, bi int
}

// diffLines computes a shortest edit script by longest common subsequence
// over the lines between the common prefix and suffix (fixes change a few
// lines of a file, so the middle is small).
func diffLines(a, b []string) []op {
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []op
	for i := range pre {
		ops = append(ops, op{' ', i, i})
	}
	ma, mb := a[pre:len(a)-suf], b[pre:len(b)-suf]
	// lcs[i][j] is the LCS length of ma[i:] and mb[j:].
	lcs := make([][]int, len(ma)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(mb)+1)
	}
	for i := len(ma) - 1; i >= 0; i-- {
		for j := len(mb) - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(ma) || j < len(mb) {
		switch {
		case i < len(ma) && j < len(mb) && ma[i] == mb[j]:
			ops = append(ops, op{' ', pre + i, pre + j})
			i++
			j++
		case i < len(ma) && (j == len(mb) || lcs[i+1][j] >= lcs[i][j+1]):
			// Removed lines come before added ones, as diff -u prints them.
			ops = append(ops, op{'-', pre + i, pre + j})
			i++
		default:
			ops = append(ops, op{'+', pre + i, pre + j})
			j++
		}
	}
	for k := range suf {
		ops = append(ops, op{' ', len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}

// hunks groups the script's changes with their context.
func hunks(ops []op) [][]op {
	var out [][]op
	start, end := -1, -1 // the current hunk's ops [start, end)
	for k, o := range ops {
		if o.kind == ' ' {
			continue
		}
		lo, hi := max(0, k-diffContext), min(len(ops), k+1+diffContext)
		if start >= 0 && lo <= end {
			end = max(end, hi)
			continue
		}
		if start >= 0 {
			out = append(out, ops[start:end])
		}
		start, end = lo, hi
	}
	if start >= 0 {
		out = append(out, ops[start:end])
	}
	return out
}

func writeHunk(buf *bytes.Buffer, h []op, a, b []string) {
	aStart, bStart := h[0].ai, h[0].bi
	aLen, bLen := 0, 0
	for _, o := range h {
		if o.kind != '+' {
			aLen++
		}
		if o.kind != '-' {
			bLen++
		}
	}
	fmt.Fprintf(buf, "@@ -%s +%s @@\n", hunkRange(aStart, aLen), hunkRange(bStart, bLen))
	for _, o := range h {
		line := ""
		switch o.kind {
		case '+':
			line = b[o.bi]
		default:
			line = a[o.ai]
		}
		buf.WriteByte(o.kind)
		buf.WriteString(line)
		if !strings.HasSuffix(line, "\n") {
			buf.WriteString("\n\\ No newline at end of file\n")
		}
	}
}

// hunkRange prints a hunk's start and length as diff -u does: an empty
// range starts at the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start)
	case 1:
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
