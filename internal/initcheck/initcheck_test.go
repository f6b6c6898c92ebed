package initcheck

import (
	"go/parser"
	"go/token"
	"slices"
	"testing"
)

// TestFile: each kind of start-up work is found, once, and the lazy or
// static declarations are not.
func TestFile(t *testing.T) {
	const src = `package p

import (
	"errors"
	"regexp"
	"sync"
)

var re = regexp.MustCompile("a+")

var (
	set   = map[string]bool{"a": true}
	table = func() (t [4]int) { t[1] = 1; return t }()
	nested = []*T{{Check: build("x")}}
)

var (
	lazy    = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile("a+") })
	errX    = errors.New("x")
	list    = []string{"a", "b"}
	ptr     = &T{Check: check}
	literal = func(s string) bool { return s == "" }
	n       = len("abc") + 1
)

type T struct{ Check func(string) bool }

func init() {}

func check(string) bool { return true }

func build(string) func(string) bool { return nil }
`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := File(fset, f)
	want := []string{
		"p.go:9: re: calls regexp.MustCompile",
		"p.go:12: set: map literal",
		"p.go:13: table: calls a function literal",
		"p.go:14: nested: calls build",
		"p.go:28: func init",
	}
	if !slices.Equal(got, want) {
		t.Errorf("File =\n%q\nwant\n%q", got, want)
	}
}
