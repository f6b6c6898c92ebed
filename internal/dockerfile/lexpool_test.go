package dockerfile

import (
	"maps"
	"os"
	"reflect"
	"slices"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// TestPooledLexerKeepsNoState checks that a lexer given back to the pool
// and taken again expands like a new one: the matches and unmatched names
// of its previous word are not carried over, nor are earlier results changed.
func TestPooledLexerKeepsNoState(t *testing.T) {
	env := shell.EnvsFromSlice([]string{"A=1"})
	first := GetLex('\\')
	r1, err := first.ProcessWordWithMatches("$A-$MISSING1", env)
	if err != nil {
		t.Fatal(err)
	}
	PutLex('\\', first)
	for range 3 { // the pool may hand back the same lexer or a new one
		l := GetLex('\\')
		r2, err := l.ProcessWordWithMatches("$A-$MISSING2", env)
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := shell.NewLex('\\').ProcessWordWithMatches("$A-$MISSING2", env)
		if err != nil {
			t.Fatal(err)
		}
		if r2.Result != fresh.Result || !maps.Equal(r2.Unmatched, fresh.Unmatched) || !maps.Equal(r2.Matched, fresh.Matched) {
			t.Errorf("pooled lexer: %q unmatched %v matched %v; new lexer: %q %v %v",
				r2.Result, slices.Sorted(maps.Keys(r2.Unmatched)), slices.Sorted(maps.Keys(r2.Matched)),
				fresh.Result, slices.Sorted(maps.Keys(fresh.Unmatched)), slices.Sorted(maps.Keys(fresh.Matched)))
		}
		PutLex('\\', l)
	}
	if r1.Result != "1-" || len(r1.Unmatched) != 1 {
		t.Errorf("the first result changed after the lexer was reused: %q %v", r1.Result, r1.Unmatched)
	}
}

// TestLexerInputSameResult: BuildKit's lexer expands LexerInput(word) to
// what it expands word to, for words with bytes that are not UTF-8 in
// literals, quotes, variable names and defaults (the raw runs print to
// stderr; it is silenced here).
func TestLexerInputSameResult(t *testing.T) {
	env := shell.EnvsFromSlice([]string{"A=caf\xe9"})
	devNull, err := os.Open(os.DevNull)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	for _, word := range []string{
		"plain", "caf\xe9", "\xff", "\xff\xfe\xfd", "a\xe9$A\xe9", "${A:-\xe9}", "\"q\xe9\" 'r\xe9'", "$A\xff", "\xe2\x82",
		"\\\xe9", "x\uFFFDy\xff", "\xef\xbb\xbfbom\xff",
	} {
		if got := LexerInput(word); got == word && word != "plain" && word != "x\uFFFDy\xff" {
			t.Errorf("LexerInput(%q) = the word itself", word)
		}
		for _, escape := range []rune{'\\', '`'} {
			lex := shell.NewLex(escape)
			saved := os.Stderr
			os.Stderr = devNull
			raw, rawErr := lex.ProcessWordWithMatches(word, env)
			os.Stderr = saved
			clean, cleanErr := lex.ProcessWordWithMatches(LexerInput(word), env)
			if !reflect.DeepEqual(raw, clean) || (rawErr == nil) != (cleanErr == nil) {
				t.Errorf("%q (escape %q): %+v, %v; LexerInput gives %+v, %v", word, escape, raw, rawErr, clean, cleanErr)
			}
		}
	}
}
