package dockerfile

import (
	"slices"
	"strings"
	"testing"
)

// TestCorpusWordResolve resolves every non-literal word of every RUN in the
// corpus: no panic, values bounded, and the share of words that resolve is
// logged (issue 7 item 3 made most $VAR words of real files readable).
func TestCorpusWordResolve(t *testing.T) {
	files := corpusFiles(t)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var words, resolved, wrapped int
	for _, name := range names {
		f, err := Parse(name, files[name], Options{})
		if err != nil {
			continue
		}
		for _, in := range f.Instructions {
			if in.Keyword != "RUN" || in.Script == nil {
				continue
			}
			vars := in.ScriptVars(nil)
			for _, c := range in.Script.Calls {
				if len(c.Wrappers) > 0 {
					wrapped++
				}
				for _, a := range c.Args {
					if a.Literal {
						continue
					}
					words++
					v, ok := a.Resolve(vars)
					if !ok {
						continue
					}
					resolved++
					if len(v) > maxEnvValue {
						t.Errorf("%s:%d: %s resolved to %d bytes", name, in.StartLine, a.Value, len(v))
					}
					if strings.Contains(a.Value, "$(") || strings.Contains(a.Value, "`") {
						t.Errorf("%s:%d: %s has a command substitution, resolved to %q", name, in.StartLine, a.Value, v)
					}
				}
			}
		}
	}
	t.Logf("%d files: %d non-literal RUN words, %d resolved (base images unknown); %d calls behind wrappers", len(names), words, resolved, wrapped)
}
