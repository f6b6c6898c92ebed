package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// defaultPath is the PATH of nearly every real base image; the default fake
// base carries it so that `ENV PATH=$PATH:/x` is not an undefined variable,
// as it is not with a real base.
const defaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// BaseConfig is the part of a base image's config that changes BuildKit's
// verdicts: its platform (InvalidBaseImagePlatform), Env (UndefinedVar,
// WorkdirRelativePath through $HOME-style paths), Shell
// (JSONArgsRecommended) and OnBuild triggers (they are dispatched, so they
// are linted). It is the `<case>.base.json` format.
type BaseConfig struct {
	// OS and Architecture, when set, replace the platform BuildKit asks
	// for: a mismatch is what InvalidBaseImagePlatform reports.
	OS           string   `json:"os,omitempty"`
	Architecture string   `json:"architecture,omitempty"`
	Variant      string   `json:"variant,omitempty"`
	Env          []string `json:"env,omitempty"`
	Shell        []string `json:"shell,omitempty"`
	OnBuild      []string `json:"onbuild,omitempty"`
}

// DefaultBase is the fake base every external image resolves to when no
// base JSON is given: the requested platform and a PATH, nothing else.
func DefaultBase() BaseConfig {
	return BaseConfig{Env: []string{defaultPath}}
}

// LoadBase reads a base JSON; unknown keys are errors (a typo would
// otherwise silently change nothing).
func LoadBase(path string) (BaseConfig, error) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return BaseConfig{}, err
	}
	var b BaseConfig
	dec := json.NewDecoder(bytes.NewReader(dt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return BaseConfig{}, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// CaseBase returns the base JSON beside a case file (`x.Dockerfile` →
// `x.base.json`), "" when there is none.
func CaseBase(dockerfile string) string {
	if !strings.HasSuffix(dockerfile, ".Dockerfile") {
		return ""
	}
	p := strings.TrimSuffix(dockerfile, ".Dockerfile") + ".base.json"
	if _, err := os.Stat(p); err != nil {
		return ""
	}
	return p
}
