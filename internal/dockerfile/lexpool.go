package dockerfile

import (
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// A shell.Lex is ~1.3 KB (its scanner's buffer). The lexers that live only
// for one expansion come from these pools, one per escape character
// BuildKit allows, instead of one allocation per expansion.
var lexPools = map[rune]*sync.Pool{
	'\\': {New: func() any { return shell.NewLex('\\') }},
	'`':  {New: func() any { return shell.NewLex('`') }},
}

// GetLex returns a lexer for escape from the pool (the front end and
// BuildKit's checks share it); PutLex gives it back once its result is read
// (results are new strings and maps, not the lexer's).
func GetLex(escape rune) *shell.Lex {
	if p := lexPools[escape]; p != nil {
		return p.Get().(*shell.Lex)
	}
	return shell.NewLex(escape)
}

func PutLex(escape rune, l *shell.Lex) {
	if p := lexPools[escape]; p != nil && !l.RawQuotes && !l.RawEscapes && !l.SkipProcessQuotes && !l.SkipUnsetEnv {
		p.Put(l)
	}
}
