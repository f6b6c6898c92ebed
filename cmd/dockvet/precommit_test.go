package main

import (
	"os"
	"regexp"
	"testing"

	"go.yaml.in/yaml/v3"

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
		ID      string `yaml:"id"`
		Files   string `yaml:"files"`
		Exclude string `yaml:"exclude"`
	}
	if err := yaml.Unmarshal(raw, &hooks); err != nil || len(hooks) != 1 {
		t.Fatalf("hooks: %v, %d", err, len(hooks))
	}
	files := regexp.MustCompile(hooks[0].Files)
	exclude := regexp.MustCompile("^$") // matches no path below
	if hooks[0].Exclude != "" {
		exclude = regexp.MustCompile(hooks[0].Exclude)
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
