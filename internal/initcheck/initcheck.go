// Package initcheck finds package-level initialisation that runs code when
// the program starts: a func init, a map literal or a function call in a
// package-level var (regexp.MustCompile, a table built by a loop). Such
// work is paid by every run, also by one that never reads the value; the
// packages on the lint path build their tables on first use instead
// (sync.OnceValue, runfacts.Words) or write them as literals the compiler
// lays out. Tests call Check on their own package's directory.
package initcheck

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

// allowed reports the calls that are cheap (len of a constant is one
// itself) or, for the sync ones, the way to defer the work.
func allowed(fn string) bool {
	switch fn {
	case "sync.OnceValue", "sync.OnceValues", "sync.OnceFunc", "errors.New", "len":
		return true
	}
	return false
}

// Check returns, for the non-test Go files of dir, each package-level
// declaration that runs code at start-up, as "file:line: what".
func Check(dir string) ([]string, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		return nil, err
	}
	fset := token.NewFileSet()
	var out []string
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		out = append(out, File(fset, f)...)
	}
	return out, nil
}

// File is Check for one parsed file.
func File(fset *token.FileSet, f *ast.File) []string {
	var out []string
	report := func(n ast.Node, format string, args ...any) {
		p := fset.Position(n.Pos())
		out = append(out, fmt.Sprintf("%s:%d: %s", filepath.Base(p.Filename), p.Line, fmt.Sprintf(format, args...)))
	}
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.Name == "init" {
				report(d, "func init")
			}
		case *ast.GenDecl:
			if d.Tok != token.VAR {
				continue
			}
			for _, spec := range d.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, v := range vs.Values {
					name := vs.Names[min(i, len(vs.Names)-1)].Name
					ast.Inspect(v, func(n ast.Node) bool {
						switch n := n.(type) {
						case *ast.FuncLit:
							return false // runs when called, not at start-up
						case *ast.CompositeLit:
							if _, ok := n.Type.(*ast.MapType); ok {
								report(n, "%s: map literal", name)
								return false
							}
						case *ast.CallExpr:
							if fn := callee(n.Fun); !allowed(fn) {
								report(n, "%s: calls %s", name, fn)
								return false
							}
						}
						return true
					})
				}
			}
		}
	}
	return out
}

func callee(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return callee(e.X) + "." + e.Sel.Name
	case *ast.IndexExpr:
		return callee(e.X)
	case *ast.ParenExpr:
		return callee(e.X)
	case *ast.FuncLit:
		return "a function literal"
	}
	return fmt.Sprintf("%T", e)
}
