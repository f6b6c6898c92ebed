package bkcheck

import (
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
)

// plain lets the checks skip BuildKit's lexer; it must only ever say so for
// words the lexer returns unchanged with no variable.
func FuzzPlainMatchesLexer(f *testing.F) {
	for _, s := range []string{"", "alpine:3.20", "/usr/local/bin", "a b\tc", "${X}", "$X", `a\ b`, "'q'", `"q"`, "a`b", "é", "x\x00y", "--flag=v", "~/x", "a=b", "*.md"} {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, word string, backtick bool) {
		esc := '\\'
		if backtick {
			esc = '`'
		}
		if !plain(word, esc) {
			return
		}
		lex := shell.NewLex(esc)
		got, unmatched, err := lex.ProcessWord(word, &envList{})
		if err != nil || got != word || len(unmatched) > 0 {
			t.Errorf("plain(%q) but the lexer gives %q, %v, %v", word, got, unmatched, err)
		}
	})
}

// BuildKit's checks run on whatever the front end makes of any input
// without panicking (the engine would turn a panic into an error for the
// file, and the file would go unchecked).
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"FROM alpine:${V} AS b\nARG X\nENV A=$X B $Y\nWORKDIR ${Z}\nCOPY --from=b / /\nEXPOSE 80/TCP 1:2:3\nCMD run\nCMD [\"x\"]\n",
		"# check=skip=all;error=true\nFROM --platform=$TARGETPLATFORM scratch\nRUN --mount=type=cache,target=$T x\nONBUILD RUN y\nHEALTHCHECK CMD z\nHEALTHCHECK NONE\n",
		"from a as B\nMAINTAINER m\nLABEL a b\nCOPY <<EOF /x\n$HOME\nEOF\nSHELL [\"pwsh\"]\nCMD a \\\n\n  b\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		file, _ := dockerfile.Parse("Dockerfile", []byte(src), dockerfile.Options{})
		res := Check(file, Env{})
		for _, w := range res.Warnings {
			if w.Range.Start.Line < 1 || w.Range.Start.Line > len(file.Lines)+1 {
				t.Errorf("%s at line %d of a %d-line file", w.Rule, w.Range.Start.Line, len(file.Lines))
			}
		}
		res.Resolved(linter.RuleUndefinedVar.Name, func(*dockerfile.Stage) (*image.Image, bool) {
			return &image.Image{OS: "linux", Architecture: "arm64"}, true
		})
	})
}
