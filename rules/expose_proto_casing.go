package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ExposeProtoCasing is BuildKit's ExposeProtoCasing check (docker build --check).
var ExposeProtoCasing = &rule.Rule{
	ID:          linter.RuleExposeProtoCasing.Name,
	Name:        "expose-proto-casing",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleExposeProtoCasing.Description,
	UpstreamURL: linter.RuleExposeProtoCasing.URL,
	Doc: `EXPOSE 53/UDP: the protocol in upper case. Docker lower-cases it, but other
tools that read the image config (and Compose or Kubernetes manifests
generated from it) may not, and end up with a port that matches nothing.
dockvet points at the port.`,
	Bad: `FROM coredns/coredns:1.11.3
EXPOSE 53/UDP`,
	Good: `FROM coredns/coredns:1.11.3
EXPOSE 53/udp`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleExposeProtoCasing.Name) },
}
