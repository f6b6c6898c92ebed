package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// UndefinedVar is BuildKit's UndefinedVar check (docker build --check).
var UndefinedVar = &rule.Rule{
	ID:              linter.RuleUndefinedVar.Name,
	Name:            "undefined-var",
	Severity:        finding.SeverityWarning,
	Group:           buildKitGroup,
	NeedsStageBases: true,
	Summary:         linter.RuleUndefinedVar.Description,
	UpstreamURL:     linter.RuleUndefinedVar.URL,
	Doc: `An instruction that BuildKit expands (ENV, ARG defaults, LABEL, COPY, ADD,
WORKDIR, USER, VOLUME, STOPSIGNAL, RUN --mount options) uses a variable that no
ARG or ENV of the stage, its parent stages or its base image defines. BuildKit
replaces it with an empty string: WORKDIR $APP_HOME becomes WORKDIR /, COPY
app $DEST copies into the working directory. It is usually a typo or an ARG
declared before FROM and not re-declared in the stage. The message suggests
the closest defined name.

RUN, CMD and ENTRYPOINT text is not checked: the shell expands it at run time,
where variables may come from elsewhere.

As in BuildKit, a guarded reference is reported too: ${LD_LIBRARY_PATH:+...},
${X:-default} and ARG X=${X:-default} deliberately handle the unset case, and
ENV PYTHONPATH=$PYTHONPATH:/app appends to a variable that may be empty.
Ignore the finding there (# check=skip=UndefinedVar above the instruction
works, as in BuildKit).

The base image's ENV counts as defined, so dockvet reads the base image
config (as BuildKit does). When the base is unknown (offline, not found, an
image named by an unresolved variable) this check stays silent for the stage:
any name might be defined there. dockvet points at the $VARIABLE.`,
	Bad: `FROM alpine:3.20
ARG VERSION=1.2
ENV APP_VERSION=$VERSON`,
	Good: `FROM alpine:3.20
ARG VERSION=1.2
ENV APP_VERSION=$VERSION`,
	Check: func(pass *rule.Pass) { reportBuildKitWithBases(pass, linter.RuleUndefinedVar.Name) },
}
