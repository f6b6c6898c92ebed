package action

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
)

// TestActionYAML: action.yml declares the inputs of issue 8 with their
// defaults and hands each one to run.sh as the INPUT_* variable it reads
// (a composite action does not set INPUT_* by itself).
func TestActionYAML(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var action struct {
		Inputs map[string]struct {
			Default string `yaml:"default"`
		} `yaml:"inputs"`
		Runs struct {
			Using string `yaml:"using"`
			Steps []struct {
				Run string            `yaml:"run"`
				Env map[string]string `yaml:"env"`
			} `yaml:"steps"`
		} `yaml:"runs"`
	}
	if err := yaml.Unmarshal(raw, &action); err != nil {
		t.Fatal(err)
	}
	var names []string
	for name := range action.Inputs {
		names = append(names, name)
	}
	slices.Sort(names)
	if want := []string{"config", "fail-on", "format", "paths", "sarif-file", "version"}; !slices.Equal(names, want) {
		t.Errorf("inputs %v, want %v", names, want)
	}
	if action.Inputs["format"].Default != "github" || action.Inputs["paths"].Default != "." {
		t.Errorf("defaults: format %q, paths %q", action.Inputs["format"].Default, action.Inputs["paths"].Default)
	}
	if action.Runs.Using != "composite" {
		t.Errorf("runs.using %q", action.Runs.Using)
	}
	scriptText, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	var step *struct {
		Run string            `yaml:"run"`
		Env map[string]string `yaml:"env"`
	}
	for i := range action.Runs.Steps {
		if strings.Contains(action.Runs.Steps[i].Run, "scripts/action/run.sh") {
			step = &action.Runs.Steps[i]
		}
	}
	if step == nil {
		t.Fatal("no step runs scripts/action/run.sh")
	}
	for _, name := range names {
		env := "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
		if got, want := step.Env[env], "${{ inputs."+name+" }}"; got != want {
			t.Errorf("%s = %q, want %q", env, got, want)
		}
		if !strings.Contains(string(scriptText), env) {
			t.Errorf("run.sh never reads %s", env)
		}
	}
}
