package rules

import (
	"github.com/moby/buildkit/frontend/dockerfile/linter"

	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// SecretsUsedInArgOrEnv is BuildKit's SecretsUsedInArgOrEnv check (docker build --check).
var SecretsUsedInArgOrEnv = &rule.Rule{
	ID:          linter.RuleSecretsUsedInArgOrEnv.Name,
	Name:        "secrets-used-in-arg-or-env",
	Severity:    finding.SeverityWarning,
	Group:       buildKitGroup,
	Summary:     linter.RuleSecretsUsedInArgOrEnv.Description,
	UpstreamURL: linter.RuleSecretsUsedInArgOrEnv.URL,
	Doc: `An ARG or ENV (inside a stage) whose name looks like it carries a secret:
one of its underscore-separated words is apikey, auth, credential(s), key,
password, pword, passwd, secret or token (GITHUB_TOKEN, DB_PASSWORD, API_KEY),
and none is public, file or version. ARG and ENV values are recorded in the
image config and history, readable by anyone who can pull the image; use a
build secret (RUN --mount=type=secret,id=token) instead.

What it does not do: it judges names only, as BuildKit does, and on real
Dockerfiles most of what it reports is not a secret: of its 79 findings on
dockvet's 2,190-file corpus, about 8 are (a literal password, a token ARG
copied into ENV); the rest are public GPG key fingerprints (GPG_KEY, 35 of
them), public or site keys (PUB_KEY, SITE_KEY), flags (*_AUTH_PLUGIN=True,
*_HOST_KEY_CHECKING=False) and empty or placeholder defaults. It misses a
real token in an ARG named NPM_RC, in a LABEL or in a RUN line. For secrets
judged by their value (token formats, private keys, passwords in URLs) see
secret-in-image (DV303). dockvet keeps BuildKit's
semantics under BuildKit's name so that teams moving from docker build
--check see the same results; ignore it per line with # check=skip= or
# dockvet ignore= where the name misleads. ARGs before the first FROM are not
checked (BuildKit does not either: they never reach the image). dockvet
points at the name.`,
	Bad: `FROM node:22
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci`,
	Good: `FROM node:22
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`,
	Check: func(pass *rule.Pass) { reportBuildKit(pass, linter.RuleSecretsUsedInArgOrEnv.Name) },
}
