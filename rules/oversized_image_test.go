package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestOversizedImage(t *testing.T) {
	bases := baseImages(map[string]*image.Image{
		"cuda:devel": {Ref: "cuda:devel", OS: "linux", Layers: []image.Layer{{Size: 700 * mib}, {Size: 200 * mib}}},
		"huge:1":     {Ref: "huge:1", OS: "linux", Layers: []image.Layer{{Size: 1536 * mib}}},
		"slim:1":     {Ref: "slim:1", OS: "linux", Layers: []image.Layer{{Size: 40 * mib}}},
	})
	tests := []struct {
		name    string
		context []string // nil: no context at all
		src     string
		limits  rule.Limits
		want    []string
	}{
		{"base plus context crosses at the COPY", []string{sized("app/model.bin", 200*mib), "app/main.py"},
			"FROM cuda:devel\nWORKDIR /app\nCOPY requirements.txt* ./\nCOPY app/ .\n", rule.Limits{},
			[]string{"4:6-4:10|the final image is about 1.1 GiB, more than max-image-size 1 GiB: base image cuda:devel 900 MiB compressed + 200 MiB from the build context (line 4: COPY app/ . 200 MiB); not counted: RUN layers and COPY --from"}},
		{"base alone, no context", nil, "FROM huge:1\nCOPY app /app\n", rule.Limits{},
			[]string{"1:6-1:12|about 1.5 GiB|base image huge:1 1.5 GiB compressed + the build context was not read (no context); not counted: RUN layers and COPY --from"}},
		// Nothing to read from a context: the engine opens none, and the
		// message is the one a context would give.
		{"base alone, nothing copied from a context", nil, "FROM huge:1\nCMD [\"x\"]\n", rule.Limits{},
			[]string{"1:6-1:12|base image huge:1 1.5 GiB compressed; not counted: RUN layers and COPY --from"}},
		{"base alone, only inline and downloaded sources", nil, "FROM huge:1\nCOPY <<EOF /a\nx\nEOF\nADD https://x.example/b /b\n", rule.Limits{},
			[]string{"1:6-1:12|base image huge:1 1.5 GiB compressed; not counted: RUN layers and COPY --from, sources of unknown size"}},
		{"base alone with a context points at FROM", []string{"a"}, "FROM huge:1\nCOPY a /a\n", rule.Limits{},
			[]string{"1:6-1:12|about 1.5 GiB|base image huge:1 1.5 GiB compressed + 1 B from the build context (line 2: COPY a /a 1 B)"}},
		{"unresolved base is named, context alone crosses", []string{sized("data", 1100*mib)}, "FROM nothere:1\nCOPY data /data\n", rule.Limits{},
			[]string{"2:6-2:10|about 1.1 GiB|base image nothere:1 not counted (not resolved) + 1.1 GiB from the build context"}},
		{"scratch", []string{sized("a", 800*mib), sized("b", 400*mib)}, "FROM scratch\nCOPY a /a\nCOPY b /b\n", rule.Limits{},
			[]string{"3:6-3:7|about 1.2 GiB|FROM scratch + 1.2 GiB from the build context (line 2: COPY a /a 800 MiB; line 3: COPY b /b 400 MiB)"}},
		{"under the limit", []string{sized("a", 100*mib)}, "FROM cuda:devel\nCOPY a /a\n", rule.Limits{}, nil},
		{"configured limit", []string{sized("a", 100*mib)}, "FROM slim:1\nCOPY a /a\n", rule.Limits{MaxImageSize: 128 * mib},
			[]string{"2:6-2:7|about 140 MiB, more than max-image-size 128 MiB"}},
		{"builder stage bytes do not ship", []string{sized("src/big", 1200*mib)}, "FROM slim:1 AS build\nCOPY src /src\nRUN make\nFROM slim:1\nCOPY --from=build /out /out\n", rule.Limits{}, nil},
		{"remote ADD is named as unknown", []string{sized("a", 1100*mib)}, "FROM scratch\nADD https://x.example/big.bin /b\nCOPY a /a\n", rule.Limits{},
			[]string{"3:6-3:7|not counted: RUN layers and COPY --from, sources of unknown size"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ctx *buildctx.Context
			if tt.context != nil {
				ctx = testContext(t, tt.context...)
			}
			ds := ruletest.RunEnv(t, OversizedImage, tt.src, dockerfile.Options{}, ruletest.Env{Context: ctx, Bases: bases, Limits: tt.limits})
			checkDiagnostics(t, ds, tt.want, ctx)
		})
	}
}

func TestOversizedImageRelated(t *testing.T) {
	ctx := testContext(t, sized("a", 300*mib), sized("b", 100*mib))
	bases := baseImages(map[string]*image.Image{"base:1": {Ref: "base:1", Layers: []image.Layer{{Size: 700 * mib}}}})
	ds := ruletest.RunEnv(t, OversizedImage, "FROM base:1\nCOPY a /a\nCOPY b /b\n", dockerfile.Options{}, ruletest.Env{Context: ctx, Bases: bases})
	if len(ds) != 1 {
		t.Fatalf("got %v", ruletest.Lines(ds))
	}
	var rel []string
	for _, r := range ds[0].Related {
		rel = append(rel, r.Range.Start.String()+" "+r.Message)
	}
	want := []string{"1:6 base image: 700 MiB compressed", "2:6 adds 300 MiB from the build context"}
	if len(rel) != len(want) || rel[0] != want[0] || rel[1] != want[1] {
		t.Errorf("related %q, want %q", rel, want)
	}
	if got := ruletest.Positions(ds); got[0] != "3:6-3:7" {
		t.Errorf("at %v, want the COPY that crosses the limit", got)
	}
}
