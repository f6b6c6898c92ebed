package engine_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/registry/registrytest"
	"github.com/dockvet/dockvet/rules"
)

// BuildKit's base-dependent checks read base images from a registry through
// the resolver, for builder stages too: UndefinedVar knows the base's ENV,
// InvalidBaseImagePlatform its platform, JSONArgsRecommended its SHELL.
func TestBuildKitChecksReadBasesFromRegistry(t *testing.T) {
	srv := registrytest.New(t)
	srv.Push(t, "lib/java:1", registrytest.Image(t, registrytest.Spec{Env: []string{"PATH=/bin", "JAVA_HOME=/opt/java"}}))
	srv.Push(t, "lib/arm:1", registrytest.Image(t, registrytest.Spec{Platform: "linux/arm64"}))
	srv.Push(t, "lib/pwsh:1", registrytest.Image(t, registrytest.Spec{Shell: []string{"pwsh", "-c"}}))
	src := fmt.Sprintf(`FROM %s AS build
ENV A=$JAVA_HOME B=$JAVA_HOMEE
WORKDIR $JAVA_HOME/src
FROM %s AS tool
FROM %s
CMD run
`, srv.Ref("lib/java:1"), srv.Ref("lib/arm:1"), srv.Ref("lib/pwsh:1"))
	res := registry.New(registry.WithTimeout(10 * time.Second))
	e, err := engine.New(rules.All(), engine.Settings{Bases: res})
	if err != nil {
		t.Fatal(err)
	}
	fs, _, err := e.LintFile(engine.Input{Name: "Dockerfile", Src: []byte(src)}, dockerfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range fs {
		switch f.RuleID {
		case "UndefinedVar", "InvalidBaseImagePlatform", "JSONArgsRecommended", "WorkdirRelativePath":
			got = append(got, fmt.Sprintf("%s@%d:%d", f.RuleID, f.Range.Start.Line, f.Range.Start.Col))
		}
	}
	want := []string{"UndefinedVar@2:20", "InvalidBaseImagePlatform@4:6"}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}
