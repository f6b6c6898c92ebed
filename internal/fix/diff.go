package fix

import (
	"bytes"
	"fmt"
	"io"
	"path/filepath"
	"slices"
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

// diffLines computes a shortest edit script (Myers' algorithm) over the
// lines between the common prefix and suffix. Its cost grows with the
// number of changed lines, not with the file's length squared: fixes change
// a few lines of files that may be long.
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
	for _, o := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		ops = append(ops, op{o.kind, pre + o.ai, pre + o.bi})
	}
	for k := range suf {
		ops = append(ops, op{' ', len(a) - suf + k, len(b) - suf + k})
	}
	return ops
}

// myers returns a shortest edit script from a to b; removals come before
// the additions that replace them, as diff -u prints them.
func myers(a, b []string) []op {
	n, m := len(a), len(b)
	// v[k] is the furthest x reached on diagonal k (k = x - y); trace[d]
	// keeps v[-d..d] as it was before round d, for the way back.
	v := map[int]int{1: 0}
	var trace []map[int]int
	found := false
	for d := 0; d <= n+m && !found; d++ {
		snap := make(map[int]int, 2*d+2)
		for k := -d - 1; k <= d+1; k++ {
			if x, ok := v[k]; ok {
				snap[k] = x
			}
		}
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[k-1] < v[k+1]) {
				x = v[k+1] // down: an addition
			} else {
				x = v[k-1] + 1 // right: a removal
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x++
				y++
			}
			v[k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	var rev []op
	x, y := n, m
	for d := len(trace) - 1; d > 0; d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[k-1] < vd[k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, op{' ', x, y})
		}
		if x == prevX {
			y--
			rev = append(rev, op{'+', x, y})
		} else {
			x--
			rev = append(rev, op{'-', x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, op{' ', x, y})
	}
	slices.Reverse(rev)
	return orderChanges(rev)
}

// orderChanges moves, within each run of changed lines, the removals
// before the additions (the script stays valid: both sides keep their
// order).
func orderChanges(ops []op) []op {
	out := make([]op, 0, len(ops))
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			out = append(out, ops[i])
			i++
			continue
		}
		j := i
		for j < len(ops) && ops[j].kind != ' ' {
			j++
		}
		// Where the run starts in a and in b: a hunk that starts with it
		// reads its first op's positions.
		startA, startB := ops[i].ai, ops[i].bi
		removed := 0
		for _, o := range ops[i:j] {
			if o.kind == '-' {
				out = append(out, op{'-', o.ai, startB})
				removed++
			}
		}
		for _, o := range ops[i:j] {
			if o.kind == '+' {
				out = append(out, op{'+', startA + removed, o.bi})
			}
		}
		i = j
	}
	return out
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
