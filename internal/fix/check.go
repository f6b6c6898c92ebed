package fix

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockvet/dockvet/internal/finding"
)

// UnsafeError says that applying fixes changed what BuildKit reads beyond
// the fixed instructions: a bug in a rule's fix, never the user's.
type UnsafeError struct {
	Reason string
}

func (e *UnsafeError) Error() string { return "the fixed file " + e.Reason }

// checkSafe parses before and after with BuildKit's parser and checks that
// the instruction lists differ only in the instructions that the applied
// fixes touched: every untouched instruction is still there, unchanged and
// in order, and the fixes made no more instructions than they touched (a
// merge makes fewer). The escape character must be the same.
func checkSafe(before, after []byte, applied []finding.Finding) error {
	old, err := parser.Parse(bytes.NewReader(before))
	if err != nil {
		// Run never fixes such a file (it has syntax errors); without the
		// original's instructions nothing can be compared.
		return &UnsafeError{Reason: "cannot be compared: the original does not parse: " + err.Error()}
	}
	nw, err := parser.Parse(bytes.NewReader(after))
	if err != nil {
		return &UnsafeError{Reason: "no longer parses: " + err.Error()}
	}
	if old.EscapeToken != nw.EscapeToken {
		return &UnsafeError{Reason: fmt.Sprintf("has escape character %q instead of %q", nw.EscapeToken, old.EscapeToken)}
	}
	touched := touchedLines(applied)
	var kept []string
	nTouched := 0
	for _, n := range old.AST.Children {
		hit := false
		for l := n.StartLine; l <= n.EndLine; l++ {
			if touched[l] {
				hit = true
				break
			}
		}
		if hit {
			nTouched++
			continue
		}
		kept = append(kept, nodeKey(n))
	}
	newKeys := make([]string, len(nw.AST.Children))
	for i, n := range nw.AST.Children {
		newKeys[i] = nodeKey(n)
	}
	if len(newKeys) > len(kept)+nTouched {
		return &UnsafeError{Reason: fmt.Sprintf("has %d instructions where the fixes touched %d of %d", len(newKeys), nTouched, len(old.AST.Children))}
	}
	i := 0
	for _, k := range newKeys {
		if i < len(kept) && k == kept[i] {
			i++
		}
	}
	if i < len(kept) {
		return &UnsafeError{Reason: fmt.Sprintf("lost or changed an instruction no fix touched: %s", firstLine(kept[i]))}
	}
	return nil
}

// nodeKey is what BuildKit makes of an instruction: its logical line (flags
// and arguments, continuations joined) and its heredoc bodies.
func nodeKey(n *parser.Node) string {
	var sb strings.Builder
	sb.WriteString(n.Original)
	for _, h := range n.Heredocs {
		fmt.Fprintf(&sb, "\x00%s\x00%d\x00%t\x00%t\x00%s", h.Name, h.FileDescriptor, h.Expand, h.Chomp, h.Content)
	}
	return sb.String()
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\x00")
	return s
}
