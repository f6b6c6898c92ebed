package rules

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestOversizedLayer(t *testing.T) {
	outside := t.TempDir()
	writeTree(t, outside, sized("huge.bin", 2*gib))
	tests := []struct {
		name    string
		context []string
		src     string
		limits  rule.Limits
		want    []string // per finding: "line:col-line:col" then message fragments in order, joined by "|"
	}{
		{"COPY . of a big context", []string{sized("models/a.bin", 300*mib), sized("models/b.bin", 20*mib), sized("src/app.py", 4*kib)},
			"FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n", rule.Limits{},
			[]string{"3:6-3:7|COPY . . adds 320 MiB (3 files) from the build context |, more than max-layer-size 256 MiB; largest: models/a.bin 300 MiB, models/b.bin 20 MiB, src/ 4 KiB; exclude what the image does not need in .dockerignore"}},
		{"under the limit", []string{sized("models/a.bin", 200*mib)}, "FROM alpine:3\nCOPY . /app\n", rule.Limits{}, nil},
		{"ignored directory is not counted", []string{".dockerignore:models\n", sized("models/a.bin", 300*mib), "app.py"}, "FROM alpine:3\nCOPY . /app\n", rule.Limits{}, nil},
		{"an exception brings a file back", []string{".dockerignore:models\n!models/keep.bin\n", sized("models/a.bin", 300*mib), sized("models/keep.bin", 300*mib)},
			"FROM alpine:3\nCOPY . /app\n", rule.Limits{}, []string{"2:6-2:7|adds 300 MiB|largest: models/keep.bin 300 MiB"}},
		{"Dockerfile.dockerignore takes precedence", []string{".dockerignore:nothing\n", "Dockerfile.dockerignore:models\n", sized("models/a.bin", 300*mib)},
			"FROM alpine:3\nCOPY . /app\n", rule.Limits{}, nil},
		{"one named directory", []string{sized("models/a.bin", 300*mib)}, "FROM alpine:3\nCOPY models/ /mnt/models/\n", rule.Limits{},
			[]string{"2:6-2:13|COPY models/ /mnt/models/ adds 300 MiB (1 file)|largest: models/a.bin 300 MiB"}},
		{"several sources add up", []string{sized("a.bin", 200*mib), sized("b.bin", 100*mib)}, "FROM alpine:3\nCOPY a.bin b.bin /data/\n", rule.Limits{},
			[]string{"2:6-2:17|adds 300 MiB (2 files)|largest: a.bin 200 MiB, b.bin 100 MiB"}},
		{"glob", []string{sized("w1.whl", 200*mib), sized("w2.whl", 100*mib), sized("other", 300*mib)}, "FROM alpine:3\nCOPY *.whl /tmp/\n", rule.Limits{},
			[]string{"2:6-2:11|adds 300 MiB (2 files)"}},
		{"../ stays in the context", []string{sized("big", 300*mib)}, "FROM alpine:3\nCOPY ../big /x\n", rule.Limits{}, []string{"2:6-2:12|adds 300 MiB"}},
		{"configured limit", []string{sized("a.bin", 2*mib)}, "FROM alpine:3\nCOPY a.bin /a.bin\n", rule.Limits{MaxLayerSize: mib},
			[]string{"2:6-2:11|adds 2 MiB (1 file)|more than max-layer-size 1 MiB"}},
		{"local archive counted, unpacked size unknown", []string{sized("app.tar.gz", 300*mib)}, "FROM alpine:3\nADD app.tar.gz /srv/\n", rule.Limits{},
			[]string{"2:5-2:15|ADD app.tar.gz /srv/ adds 300 MiB|; app.tar.gz (archive, unpacked size unknown); exclude"}},
		{"remote ADD named, never downloaded", []string{sized("big", 300*mib)}, "FROM alpine:3\nADD https://example.com/model.bin big /m/\n", rule.Limits{},
			[]string{"2:5-2:38|adds 300 MiB|largest: big 300 MiB; https://example.com/model.bin (remote, size unknown: never downloaded); exclude"}},
		{"--exclude is honoured", []string{sized("models/a.bin", 300*mib), "app.py"}, "# syntax=docker/dockerfile:1.7-labs\nFROM alpine:3\nCOPY --exclude=models . /app\n", rule.Limits{}, nil},
		{"builder stage does not ship", []string{sized("data.bin", 300*mib)}, "FROM alpine:3 AS build\nCOPY data.bin /d\nRUN true\nFROM alpine:3\nCOPY --from=build /d/x /x\n", rule.Limits{}, nil},
		{"COPY --from is not the context", []string{sized("x", 300*mib)}, "FROM alpine:3\nCOPY --from=other:1 /x /x\n", rule.Limits{}, nil},
		{"a link out of the context is not followed", []string{"model.bin -> " + filepath.Join(outside, "huge.bin"), "app.py"}, "FROM alpine:3\nCOPY . /app\nCOPY model.bin /m\n", rule.Limits{}, nil},
		{"missing source is silent", nil, "FROM alpine:3\nCOPY nothere /x\n", rule.Limits{}, nil},
		{"heredoc", nil, "FROM alpine:3\nCOPY <<EOF /x\nhello\nEOF\n", rule.Limits{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := testContext(t, tt.context...)
			ds := ruletest.RunEnv(t, OversizedLayer, tt.src, dockerfile.Options{}, ruletest.Env{Context: ctx, Limits: tt.limits})
			checkDiagnostics(t, ds, tt.want, ctx)
		})
	}
}

func TestOversizedLayerNeedsContext(t *testing.T) {
	ds := ruletest.Run(t, OversizedLayer, "FROM alpine:3\nCOPY . /app\n", dockerfile.Options{})
	if len(ds) != 0 {
		t.Errorf("without a context: %v", ruletest.Lines(ds))
	}
}

// checkDiagnostics compares diagnostics with "pos|fragment|fragment..."
// expectations; the context directory, which varies, is left out of the
// fragments.
func checkDiagnostics(t *testing.T, ds []rule.Diagnostic, want []string, ctx *buildctx.Context) {
	t.Helper()
	lines := ruletest.Lines(ds)
	if len(lines) != len(want) {
		t.Fatalf("got %d findings, want %d:\n%s", len(lines), len(want), strings.Join(lines, "\n"))
	}
	for i, w := range want {
		parts := strings.Split(w, "|")
		got := lines[i]
		if ctx != nil {
			got = strings.ReplaceAll(got, ctx.Dir(), "CTX")
		}
		if !strings.HasPrefix(got, parts[0]+" ") || !matchAll(got, parts[1:]) {
			t.Errorf("finding %d:\n got  %s\n want %q", i, got, w)
		}
	}
}
