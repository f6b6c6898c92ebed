package dockerfile

import (
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockvet/dockvet/internal/source"
)

// A shell.Lex is ~1.3 KB (its scanner's buffer). The lexers that live only
// for one expansion come from these pools, one per escape character
// BuildKit allows, instead of one allocation per expansion.
var (
	backslashLexers = sync.Pool{New: func() any { return shell.NewLex('\\') }}
	backtickLexers  = sync.Pool{New: func() any { return shell.NewLex('`') }}
)

// lexPool is the pool of lexers for escape, nil for another character.
func lexPool(escape rune) *sync.Pool {
	switch escape {
	case '\\':
		return &backslashLexers
	case '`':
		return &backtickLexers
	}
	return nil
}

// GetLex returns a lexer for escape from the pool (the front end and
// BuildKit's checks share it); PutLex gives it back once its result is read
// (results are new strings and maps, not the lexer's).
func GetLex(escape rune) *shell.Lex {
	if p := lexPool(escape); p != nil {
		return p.Get().(*shell.Lex)
	}
	return shell.NewLex(escape)
}

func PutLex(escape rune, l *shell.Lex) {
	if p := lexPool(escape); p != nil && !l.RawQuotes && !l.RawEscapes && !l.SkipProcessQuotes && !l.SkipUnsetEnv {
		p.Put(l)
	}
}

// LexerInput is word as BuildKit's shell lexer reads it: each byte that is
// not UTF-8 becomes U+FFFD. The lexer reads words with text/scanner, which
// decodes such a byte as U+FFFD anyway, but BuildKit gives the scanner no
// error handler, so it would also print "<input>:1:2: invalid UTF-8
// encoding" to the process's stderr, unattributed, once per byte: a
// Latin-1 Dockerfile filled a CI log with them. Every word dockvet hands to
// a lexer goes through LexerInput first; the lexer's result is the same.
// (BuildKit's parser runs a lexer of its own on heredoc lines: main routes
// what that prints, see cmd/dockvet/stderr.go.)
func LexerInput(word string) string { return source.ValidUTF8(word) }
