package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ExposeInvalidFormat is BuildKit's ExposeInvalidFormat check (docker build --check).
var ExposeInvalidFormat = &rule.Rule{
	ID:          linter.RuleExposeInvalidFormat.Name,
	Name:        "expose-invalid-format",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleExposeInvalidFormat.Description,
	UpstreamURL: linter.RuleExposeInvalidFormat.URL,
	Doc: `EXPOSE with an IP address or a host port (EXPOSE 127.0.0.1:8080:80, EXPOSE
8080:80). EXPOSE only documents which container ports the image listens on;
publishing to the host is decided at run time (docker run -p, a Service).
BuildKit drops the host part today and will reject it in a future release.
dockvet points at the port.`,
	Bad: `FROM nginx:1.27
EXPOSE 8080:80`,
	Good: `FROM nginx:1.27
EXPOSE 80`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleExposeInvalidFormat.Name) },
}
