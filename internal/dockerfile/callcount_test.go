package dockerfile

import (
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// TestCallCountMatchesWalk: the pre-count that sizes a script's reserved
// block (callCount) visits exactly the commands callWalker records, for
// every kind of statement. A walk that learns a new statement kind without
// the count keeps the same output but loses the reservation; this test
// names the difference instead.
func TestCallCountMatchesWalk(t *testing.T) {
	for _, script := range []string{
		"apt-get update && apt-get install -y curl",
		"a || b; c | d |& e",
		"(cd /x && make) ; { f; g; }",
		"if a; then b; elif c; then d; else e; fi",
		"case $x in a) b ;; c|d) e; f ;; esac",
		"while a; do b; done; until c; do d; done",
		"for i in 1 2; do echo $i; done; for ((i=0;i<3;i++)); do x; done",
		"f() { a; b; }; function g { c; }",
		"time a; coproc b; a &",
		"export A=1 B; local c; readonly D=2; declare -x E",
		"A=1 B=2 cmd arg; C=3",
		"echo $(inner cmd) `other` && x",
		"[[ -f a ]] && (( i++ )) && let j=1 && echo ok",
		"",
		"# only a comment",
	} {
		f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
		if err != nil {
			t.Fatalf("%q: %v", script, err)
		}
		var n callCount
		n.stmts(f.Stmts)
		file, err := Parse("Dockerfile", []byte("FROM scratch\nRUN "+script+"\n"), Options{})
		if err != nil {
			t.Fatalf("%q: %v", script, err)
		}
		in := file.Stages[0].Instructions[0]
		if in.Script == nil || in.Script.Err != nil {
			t.Fatalf("%q: script %+v", script, in.Script)
		}
		if n.calls != len(in.Script.Calls) {
			t.Errorf("%q: counted %d calls, the walk recorded %d", script, n.calls, len(in.Script.Calls))
		}
	}
}
