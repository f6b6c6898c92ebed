package main

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/dockvet/dockvet/internal/discover"
)

// TestPreCommitPatternMatchesDiscovery: the pre-commit hook must pass the
// hook exactly the files directory discovery lints; it used to pass
// Dockerfile.dockerignore, which then failed as a Dockerfile. pre-commit uses
// Python regular expressions; the hook's are also valid RE2 with the same
// meaning.
func TestPreCommitPatternMatchesDiscovery(t *testing.T) {
	raw, err := os.ReadFile(".pre-commit-hooks.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID       string `yaml:"id"`
		Language string `yaml:"language"`
		Files    string `yaml:"files"`
		Exclude  string `yaml:"exclude"`
	}
	if err := yaml.Unmarshal(raw, &hooks); err != nil {
		t.Fatalf("hooks: %v", err)
	}
	var ids []string
	for _, hook := range hooks {
		ids = append(ids, hook.ID+":"+hook.Language)
	}
	if !slices.Equal(ids, []string{"dockvet:golang", "dockvet-system:system"}) {
		t.Fatalf("hooks %q, want dockvet (golang) and dockvet-system (system)", ids)
	}
	for _, hook := range hooks {
		t.Run(hook.ID, func(t *testing.T) { checkHookPattern(t, hook.Files, hook.Exclude) })
	}
}

func checkHookPattern(t *testing.T, filesPattern, excludePattern string) {
	files := regexp.MustCompile(filesPattern)
	exclude := regexp.MustCompile("^$") // matches no path below
	if excludePattern != "" {
		exclude = regexp.MustCompile(excludePattern)
	}
	for _, name := range []string{
		"Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "containerfile",
		"Dockerfile.dev", "Dockerfile-dev", "Dockerfile_prod", "Containerfile.ci",
		"api.Dockerfile", "api.dockerfile", "api.Containerfile", "api.containerfile",
		"Dockerfile.dockerignore", "Dockerfile-dev.dockerignore", "api.Dockerfile.dockerignore",
		"Containerfile.containerignore", ".dockerignore",
		"Dockerfile.", "Dockerfile-", "Containerfile-dev", "dockerfile.dev",
		"Dockerfiles", "MyDockerfile", "docker-compose.yml", "README.md",
	} {
		for _, path := range []string{name, "services/api/" + name} {
			hook := files.MatchString(path) && !exclude.MatchString(path)
			if want := discover.IsDockerfileName(name); hook != want {
				t.Errorf("pre-commit passes %q: %v; discovery lints it: %v", path, hook, want)
			}
		}
	}
}
