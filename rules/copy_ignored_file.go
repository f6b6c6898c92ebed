package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// CopyIgnoredFile is BuildKit's CopyIgnoredFile check (docker build --check).
var CopyIgnoredFile = &rule.Rule{
	ID:          linter.RuleCopyIgnoredFile.Name,
	Name:        "copy-ignored-file",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleCopyIgnoredFile.Description,
	UpstreamURL: linter.RuleCopyIgnoredFile.URL,
	Doc: `COPY or ADD names a source from the build context that .dockerignore
excludes. The build sends no such file, so the COPY fails ("not found") or,
with a wildcard or a directory, silently copies less than the author
expects. Either the ignore pattern or the COPY is wrong.

As BuildKit, the check is skipped when the ignore file has exception
patterns (!pattern): what an exception brings back cannot be judged from the
names alone. COPY --from sources and ADD URLs do not come from the context.
dockvet reads .dockerignore (or <Dockerfile>.dockerignore) as for
context-not-ignored (DV412) and points at the source.`,
	Bad: `# .dockerignore: *.md
FROM nginx:1.27
COPY README.md /usr/share/nginx/html/`,
	Good: `# .dockerignore: *.md and !README.md, or no COPY of README.md
FROM nginx:1.27
COPY site/ /usr/share/nginx/html/`,
	ReadsContext: true,
	Check:        func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleCopyIgnoredFile.Name) },
}
