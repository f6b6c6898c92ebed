package bkcheck

import (
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// A shell.Lex is ~1.3 KB (its scanner's buffer): the one each file's
// dispatch uses comes from these pools, one per escape character BuildKit
// allows, instead of one allocation per file.
var lexPools = map[rune]*sync.Pool{
	'\\': {New: func() any { return shell.NewLex('\\') }},
	'`':  {New: func() any { return shell.NewLex('`') }},
}

func getLex(escape rune) *shell.Lex {
	if p := lexPools[escape]; p != nil {
		return p.Get().(*shell.Lex)
	}
	return shell.NewLex(escape)
}

// putLex gives l back once the results it produced were read (they are new
// strings and maps, not the lexer's).
func putLex(escape rune, l *shell.Lex) {
	if p := lexPools[escape]; p != nil && !l.RawQuotes && !l.RawEscapes && !l.SkipProcessQuotes && !l.SkipUnsetEnv {
		p.Put(l)
	}
}
