package dockerfile

import (
	"os"
	"reflect"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// TestLexerInputSameResult: BuildKit's lexer expands LexerInput(word) to
// what it expands word to, for words with bytes that are not UTF-8 in
// literals, quotes, variable names and defaults (the raw runs print to
// stderr; it is silenced here).
func TestLexerInputSameResult(t *testing.T) {
	env := testEnv{"A": "caf\xe9"}
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

// testEnv is a fixed shell.EnvGetter.
type testEnv map[string]string

func (e testEnv) Get(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e testEnv) Keys() []string {
	keys := make([]string, 0, len(e))
	for k := range e {
		keys = append(keys, k)
	}
	return keys
}
