package dockerfile

import (
	"slices"
	"strconv"
	"testing"
	"time"
)

// TestCorpus parses every corpus file and checks the model against BuildKit's
// own reading of it: our logical lines must match node.Original (the
// fallback path is for inputs we do not model and should never be taken),
// the argument text of shell-form RUN/CMD/ENTRYPOINT must be BuildKit's, the
// exec-form strings and the flags must be BuildKit's, and every range must
// lie inside the file.
func TestCorpus(t *testing.T) {
	files := corpusFiles(t)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	var instrs, fallbacks, scripts, scriptErrs, withErrors int
	var slowest time.Duration
	var slowestName string
	for _, name := range names {
		start := time.Now()
		f, err := Parse(name, files[name], Options{})
		if d := time.Since(start); d > slowest {
			slowest, slowestName = d, name
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(f.Errors) > 0 {
			withErrors++
		}
		for _, b := range checkRanges(f) {
			t.Errorf("%s: %s", name, b)
		}
		for _, in := range f.Instructions {
			instrs++
			where := name + ":" + strconv.Itoa(in.StartLine)
			if in.fallback {
				fallbacks++
				t.Errorf("%s: logical line differs from BuildKit's node.Original; fallback taken", where)
			}
			for i, fl := range in.Flags {
				if i < len(in.Node.Flags) && bytesAsRunes("--"+fl.Name+eqValue(fl)) != in.Node.Flags[i] {
					t.Errorf("%s: flag %d = %q, BuildKit %q", where, i, "--"+fl.Name+eqValue(fl), in.Node.Flags[i])
				}
			}
			if len(in.Flags) != len(in.Node.Flags) {
				t.Errorf("%s: %d flags, BuildKit %d", where, len(in.Flags), len(in.Node.Flags))
			}
			switch in.Keyword {
			case "RUN", "CMD", "ENTRYPOINT", "SHELL":
				var bk []string
				for n := in.Node.Next; n != nil; n = n.Next {
					bk = append(bk, n.Value)
				}
				if in.JSON {
					var ours []string
					for _, a := range in.Args() {
						ours = append(ours, a.Value)
					}
					if !slices.Equal(ours, bk) {
						t.Errorf("%s: exec-form args %q, BuildKit %q", where, ours, bk)
					}
				} else if len(bk) == 1 && bk[0] != in.ArgsText {
					t.Errorf("%s: args text %q, BuildKit %q", where, in.ArgsText, bk[0])
				}
			}
			if in.Script != nil {
				scripts++
				if in.Script.Err != nil {
					scriptErrs++
				}
			}
		}
	}
	t.Logf("%d files, %d instructions, %d logical-line fallbacks, %d files with syntax errors, %d scripts (%d that mvdan/sh cannot parse); slowest %s %v",
		len(files), instrs, fallbacks, withErrors, scripts, scriptErrs, slowestName, slowest)
}

func eqValue(fl Flag) string {
	if !fl.HasValue {
		return ""
	}
	return "=" + fl.Value
}
