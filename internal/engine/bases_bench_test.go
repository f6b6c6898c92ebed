package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
	"github.com/dockvet/dockvet/rules"
)

// lintAgainst lints inputs with every rule, resolving bases from srv with
// no cache, as a cold `dockvet lint` run does.
func lintAgainst(tb testing.TB, srv *registrytest.Server, inputs []engine.Input) {
	tb.Helper()
	res := registry.New(registry.WithKeychain(srv.Keychain()), registry.WithTimeout(10*time.Second))
	e, err := engine.New(rules.All(), engine.Settings{Bases: res})
	if err != nil {
		tb.Fatal(err)
	}
	out := e.Lint(inputs, dockerfile.Options{})
	if len(out.Errors) > 0 {
		tb.Fatal(out.Errors)
	}
	for _, f := range out.Findings {
		if f.RuleID == "DV001" {
			tb.Fatalf("base not resolved: %s", f.Message)
		}
	}
}

// pushBases pushes n images lib/base<i>:1 and returns Dockerfiles that use
// them round-robin.
func pushBases(tb testing.TB, srv *registrytest.Server, n, files int) []engine.Input {
	tb.Helper()
	for i := range n {
		srv.Push(tb, fmt.Sprintf("lib/base%d:1", i), registrytest.Image(tb, registrytest.Spec{User: "0", Volumes: []string{"/data"}}))
	}
	srv.Push(tb, "lib/builder:1", registrytest.Image(tb, registrytest.Spec{User: "0"}))
	var inputs []engine.Input
	for i := range files {
		src := fmt.Sprintf("FROM %s AS build\nRUN make\nFROM %s\nCOPY --from=build /out /app\n",
			srv.Ref("lib/builder:1"), srv.Ref(fmt.Sprintf("lib/base%d:1", i%n)))
		inputs = append(inputs, engine.Input{Name: fmt.Sprintf("svc%d/Dockerfile", i), Src: []byte(src)})
	}
	srv.Reset()
	return inputs
}

// TestLintColdRequests: 100 Dockerfiles on 5 final bases and one builder
// base make exactly 6 resolutions at the registry, each at most ping +
// token + manifest + config (BuildKit's UndefinedVar reads every stage's
// base ENV, so the builder's base is read too).
func TestLintColdRequests(t *testing.T) {
	srv := registrytest.New(t, registrytest.WithAuth("u", "p"))
	inputs := pushBases(t, srv, 5, 100)
	lintAgainst(t, srv, inputs)
	c := srv.Requests()
	if c.Manifest != 6 || c.Blob != 6 || c.Ping+c.Token > 2*6 || c.Other != 0 {
		t.Errorf("requests %+v; want 6 manifests, 6 config blobs, at most one ping and token per image", c)
	}
}

// BenchmarkLintLatency: 20 Dockerfiles on 10 distinct bases, every registry
// request answered after 100 ms, linted end to end with every rule (target:
// under 1.5 s wall per cold run).
func BenchmarkLintLatency(b *testing.B) {
	srv := registrytest.New(b, registrytest.WithAuth("u", "p"), registrytest.WithLatency(100*time.Millisecond))
	inputs := pushBases(b, srv, 10, 20)
	start := time.Now()
	for b.Loop() {
		lintAgainst(b, srv, inputs)
	}
	b.ReportMetric(float64(time.Since(start).Milliseconds())/float64(b.N), "wall-ms/op")
	b.ReportMetric(float64(srv.Requests().Total())/float64(b.N*10), "requests/image")
}
