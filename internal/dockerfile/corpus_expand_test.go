package dockerfile

import (
	"maps"
	"slices"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
)

// mapEnv is a plain shell.EnvGetter for the reference model below.
type mapEnv map[string]string

func (m mapEnv) Get(k string) (string, bool) { v, ok := m[k]; return v, ok }
func (m mapEnv) Keys() []string              { return slices.Sorted(maps.Keys(m)) }

// TestCorpusArgEnvMatchesBuildKit replays every ARG and ENV of the corpus the
// way BuildKit's dispatcher does (dockerfile2llb buildMetaArgs, dispatchArg,
// dispatch + EnvCommand.Expand: BuildKit's shell lexer over plain maps) and
// compares every value the front end stores with the one BuildKit computes.
func TestCorpusArgEnvMatchesBuildKit(t *testing.T) {
	files := corpusFiles(t)
	names := slices.Sorted(maps.Keys(files))
	var compared, atFrom, mismatches, lexErrors, instrs int
	for _, name := range names {
		f, err := Parse(name, files[name], Options{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lex := shell.NewLex(f.Escape)
		global := mapEnv{}
		for _, kv := range predefinedArgs(Options{}, f.targetName(Options{}), nil) {
			global[kv[0]] = kv[1]
		}
		stageEnv := map[*Stage]mapEnv{}
		var cur mapEnv
		// process is BuildKit's lexer on a word; a word it rejects fails the
		// build, and the front end keeps it as written.
		process := func(word string, env mapEnv) string {
			v, _, err := lex.ProcessWord(word, env)
			if err != nil {
				lexErrors++
				if lexErrors <= 5 {
					t.Logf("%s: BuildKit's lexer rejects %q: %v", name, word, err)
				}
				return word
			}
			return v
		}
		check := func(in *Instruction, key, want string) {
			if len(want) > maxEnvValue {
				return // the front end forgets values this long, on purpose
			}
			compared++
			if got, ok := in.env.Get(key); !ok || got != want {
				mismatches++
				if mismatches <= 20 {
					t.Errorf("%s:%d: %s = %q (set %v), BuildKit %q", name, in.StartLine, key, got, ok, want)
				}
			}
		}
		for _, in := range f.Instructions {
			if in.Keyword == "FROM" {
				for _, k := range global.Keys() {
					check(in, k, global[k])
					atFrom++
				}
				if in.Stage == nil {
					continue
				}
				cur = mapEnv{}
				if p := in.Stage.Parent; p != nil {
					cur = maps.Clone(stageEnv[p])
				}
				stageEnv[in.Stage] = cur
				continue
			}
			switch c := in.Command.(type) {
			case *instructions.ArgCommand:
				instrs++
				if in.Stage == nil { // buildMetaArgs
					for _, kv := range c.Args {
						if kv.Value != nil {
							global[kv.Key] = process(*kv.Value, global)
						}
					}
					continue
				}
				for _, kv := range c.Args { // dispatchArg
					var v string
					switch {
					case kv.Value != nil:
						v = process(*kv.Value, cur)
					default:
						gv, ok := global[kv.Key]
						if !ok {
							continue
						}
						v = gv
					}
					if NonEnvArg(kv.Key) {
						continue
					}
					cur[kv.Key] = v
					stageEnv[in.Stage] = cur
				}
				for _, kv := range c.Args {
					if v, ok := cur[kv.Key]; ok {
						check(in, kv.Key, v)
					}
				}
			case *instructions.EnvCommand:
				instrs++
				if in.Stage == nil {
					continue
				}
				// dispatch: EnvCommand.Expand over every pair, then dispatchEnv.
				type pair struct{ k, v string }
				var pairs []pair
				for _, kv := range c.Env {
					pairs = append(pairs, pair{process(kv.Key, cur), process(kv.Value, cur)})
				}
				for _, p := range pairs {
					cur[p.k] = p.v
				}
				for _, p := range pairs {
					check(in, p.k, cur[p.k])
				}
			}
		}
	}
	t.Logf("%d files, %d ARG/ENV instructions: %d values compared with BuildKit's lexer (%d set by ARG/ENV, %d global values seen by FROM), %d mismatches, %d words BuildKit's lexer rejects (kept as written)",
		len(files), instrs, compared, compared-atFrom, atFrom, mismatches, lexErrors)
	if compared == 0 {
		t.Error("nothing compared")
	}
}
