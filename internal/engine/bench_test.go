package engine_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/rules"
)

func corpus(b *testing.B) []engine.Input {
	b.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus")
	paths, _ := filepath.Glob(filepath.Join(dir, "*", "*"))
	var in []engine.Input
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err == nil {
			in = append(in, engine.Input{Name: p, Src: src})
		}
	}
	if len(in) == 0 {
		b.Skip("no corpus at " + dir)
	}
	return in
}

// BenchmarkCorpusFloor is BuildKit's parser alone: the least any linter built
// on it must spend. Compare BenchmarkCorpusLint with it (target: at most 2x).
func BenchmarkCorpusFloor(b *testing.B) {
	in := corpus(b)
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range in {
			res, err := parser.Parse(bytes.NewReader(f.Src))
			if err == nil {
				_, _, _ = instructions.Parse(res.AST, nil)
			}
		}
	}
	b.ReportMetric(float64(len(in)), "files/op")
}

// BenchmarkCorpusLint is a full lint, all default rules, one goroutine. Each
// file is released once linted, as Stream (lint's path) releases it.
func BenchmarkCorpusLint(b *testing.B) {
	in := corpus(b)
	e, err := engine.New(rules.All(), engine.Settings{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range in {
			_, file, _ := e.LintFile(f, dockerfile.Options{})
			file.Release()
		}
	}
	b.ReportMetric(float64(len(in)), "files/op")
}

// BenchmarkCorpusBuildKitChecks measures what BuildKit's checks (the rules
// of group BuildKit) add to a full lint: the same corpus with and without
// them, one goroutine (issue 9 asks for at most 1.25x). Run with -count and
// compare the two sub-benchmarks of the same run.
func BenchmarkCorpusBuildKitChecks(b *testing.B) {
	in := corpus(b)
	var buildkit []engine.RuleRef
	for _, r := range rules.All() {
		if r.Group == "BuildKit" {
			buildkit = append(buildkit, engine.RuleRef{Name: r.ID})
		}
	}
	for _, bc := range []struct {
		name   string
		ignore []engine.RuleRef
	}{{"without", buildkit}, {"with", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			e, err := engine.New(rules.All(), engine.Settings{Layers: []engine.Layer{{Ignore: bc.ignore}}})
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				for _, f := range in {
					_, _, _ = e.LintFile(f, dockerfile.Options{})
				}
			}
		})
	}
}
