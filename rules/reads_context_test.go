package rules

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
)

// TestRulesDeclareReadsContext runs every rule on each fixture twice, with a
// build context and without one, and requires a rule to declare
// ReadsContext exactly when a context changes what it reports. The engine
// opens a context only when an enabled rule declares ReadsContext, so a rule
// that reads one without declaring it reports differently depending on
// which unrelated rules are enabled; one that declares it without reading
// makes the engine walk the context for nothing.
//
// It also proves that the engine may skip the context of a file that copies
// nothing from it (rule.CopiesFromContext false): on such a file every rule
// must report the same with and without a context.
func TestRulesDeclareReadsContext(t *testing.T) {
	ctx := testContext(t,
		".dockerignore:*.md\n", // CopyIgnoredFile: README.md is excluded
		"README.md",
		".env:SECRET=1\n",                         // DV412: a secret sent with COPY .
		sized("models/m.bin", 2*mib),              // DV410, DV411, DV101: sizes
		"misnamed.tar.gz:not an archive at all\n", // DV409: the bytes, not the name, decide
		"app.py",
	)
	bases := maps.Clone(testBases)
	bases["huge:1"] = &image.Image{Ref: "huge:1", OS: "linux", Layers: []image.Layer{{Size: 2 * mib}}}
	lookup := baseImages(bases)
	limits := rule.Limits{MaxLayerSize: kib, MaxImageSize: kib}

	fixtures := []struct {
		name   string
		src    string
		copies bool // rule.CopiesFromContext
	}{
		{"COPY . into a volume", "FROM huge:1\nWORKDIR /app\nCOPY . .\nVOLUME /app/models\n", true},
		{"ADD of a file misnamed as an archive", "FROM alpine:3\nADD misnamed.tar.gz /opt/\n", true},
		{"COPY of an ignored file", "FROM alpine:3\nCOPY README.md /doc/\n", true},
		{"a source with a variable may name a context file", "FROM alpine:3\nARG SRC\nCOPY $SRC /app/\n", true},
		{"ADD of a local file beside a URL", "FROM alpine:3\nADD https://x.example/a.tar.gz misnamed.tar.gz /opt/\n", true},
		{"no COPY", "FROM huge:1\nCMD [\"x\"]\n", false},
		{"here-document and downloads", "FROM huge:1\nCOPY <<EOF /app/models/a\nx\nEOF\nADD https://x.example/b.tar.gz git@github.com:x/y.git /app/models/\nVOLUME /app/models\n", false},
		{"COPY --from a stage", "FROM alpine:3 AS a\nRUN true\nFROM huge:1\nCOPY --from=a /x /app/models/\nVOLUME /app/models\n", false},
		{"invalid COPY", "FROM huge:1\nCOPY onlyone\n", false},
	}
	run := func(r *rule.Rule, f *dockerfile.File, c *buildctx.Context) []string {
		var out []string
		pass := rule.NewPass(r, f, func(string) bool { return true }, func(d rule.Diagnostic) {
			out = append(out, fmt.Sprintf("%v %s", d.Range, d.Message))
		})
		pass.Bases = func(ref *dockerfile.ImageRef) (*image.Image, error) { return lookup(ref.Expanded) }
		pass.Context = c
		pass.Limits = limits
		r.Check(pass)
		return out
	}
	reads := map[string]bool{}
	for _, fx := range fixtures {
		f, err := dockerfile.Parse("Dockerfile", []byte(fx.src), dockerfile.Options{})
		if err != nil {
			t.Fatalf("%s: %v", fx.name, err)
		}
		if got := rule.CopiesFromContext(f); got != fx.copies {
			t.Errorf("%s: CopiesFromContext = %v, want %v", fx.name, got, fx.copies)
		}
		for _, r := range All() {
			if r.Check == nil {
				continue
			}
			with, without := run(r, f, ctx), run(r, f, nil)
			if slices.Equal(with, without) {
				continue
			}
			reads[r.ID] = true
			if !fx.copies {
				t.Errorf("%s: %s reports differently with a context on a file that copies nothing from it (the engine opens none):\nwith    %q\nwithout %q", fx.name, r, with, without)
			}
		}
	}
	for _, r := range All() {
		if r.Check != nil && reads[r.ID] != r.ReadsContext {
			t.Errorf("%s: reads the build context = %v, ReadsContext = %v", r, reads[r.ID], r.ReadsContext)
		}
	}
}
