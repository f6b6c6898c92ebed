package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// WorkdirRelativePath is BuildKit's WorkdirRelativePath check (docker build --check).
var WorkdirRelativePath = &rule.Rule{
	ID:              linter.RuleWorkdirRelativePath.Name,
	Name:            "workdir-relative-path",
	Severity:        finding.SeverityWarning,
	Group:           buildKitGroup,
	NeedsStageBases: true,
	Summary:         linter.RuleWorkdirRelativePath.Description,
	UpstreamURL:     linter.RuleWorkdirRelativePath.URL,
	Doc: `The first WORKDIR of a stage (and of the stages it is built from) is a
relative path. It is resolved against the base image's working directory,
which the Dockerfile does not control: when the base image changes its
WORKDIR, files land somewhere else. Set an absolute path first; later
relative WORKDIRs are then relative to it and are not reported.

A path that starts with a variable the base image defines (WORKDIR $HOME)
counts as absolute when the base image config says so; with an unknown base,
a path built from unknown variables is not reported. dockvet points at the
path.

What counts as absolute depends on the platform the image is built for, as
in BuildKit: dockvet builds for linux/amd64 unless told otherwise, so a
Windows Dockerfile's WORKDIR C:\app is reported as relative (25 of the 36
findings on dockvet's corpus are such). Lint Windows Dockerfiles with
--platform windows/amd64 (or platform: in .dockvet.yaml).`,
	Bad: `FROM node:22
WORKDIR app`,
	Good: `FROM node:22
WORKDIR /app`,
	Check: func(pass *rule.Pass) { reportBuildKitWithBases(pass, linter.RuleWorkdirRelativePath.Name) },
}
