package runfacts

import (
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// BenchmarkFacts measures the analysis of a file of typical RUNs: apt with
// cleanup, pip, npm, a download pipe and a build, each fact asked for once.
func BenchmarkFacts(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("FROM debian\nARG V=1\n")
	for range 50 {
		sb.WriteString("RUN apt-get update && apt-get install -y --no-install-recommends curl gcc && rm -rf /var/lib/apt/lists/*\n")
		sb.WriteString("RUN pip install --no-cache-dir -r requirements.txt && npm ci && npm cache clean --force\n")
		sb.WriteString("RUN set -o pipefail; curl -fsSL https://example.com/x-$V.tgz | tar -xz && go build ./...\n")
	}
	f, err := dockerfile.Parse("Dockerfile", []byte(sb.String()), dockerfile.Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		facts := New(f)
		_ = facts.AptChain()
		for _, r := range facts.Final() {
			r.Installs()
			r.Uninstalls()
			r.Pipes()
			r.Builds()
		}
	}
}
