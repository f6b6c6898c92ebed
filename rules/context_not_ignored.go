package rules

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// ContextNotIgnored is DV412.
var ContextNotIgnored = &rule.Rule{
	ID:       "DV412",
	Name:     "context-not-ignored",
	Severity: finding.SeverityWarning,
	Summary:  "COPY . or ADD . sends .git, node_modules, .env, keys or other bulky or secret paths that .dockerignore does not exclude",
	Doc: `COPY . copies the whole build context into a layer: everything that
.dockerignore does not exclude. That routinely includes the .git directory
(the whole history, and a cache miss on every commit), node_modules or a
virtualenv built for the host's platform, Terraform state and providers, and
secrets: .env files, private keys (id_rsa, *.pem, *.key), cloud credentials.
A secret in a layer is readable by anyone who can pull the image, forever,
even if a later RUN deletes it.

The rule reads the build context as BuildKit sends it (--context DIR, or the
Dockerfile's directory by default, with .dockerignore or
<Dockerfile>.dockerignore honoured) and reports a COPY or ADD whose source is
the whole context when it would send any of these, at any depth, with their
sizes: .git, .hg, .svn, node_modules, .venv, .tox, .terraform, *.tfstate,
.env and .env.* (not .env.example, .env.sample, .env.template, .env.dist),
id_rsa, id_dsa, id_ecdsa, id_ed25519, *.pem, *.key, *.p12, *.pfx, .aws,
.ssh, .netrc and .git-credentials. COPY --exclude patterns
are honoured. Every stage the target needs is checked: a builder stage's
layers stay in the build cache and in exported cache images. Without a
build context the rule is silent.

Add the paths to .dockerignore (a Dockerfile-specific
<Dockerfile>.dockerignore if other builds need them), or COPY only what the
image needs. Pass secrets with RUN --mount=type=secret.`,
	Bad: `FROM node:22-slim
WORKDIR /app
# no .dockerignore: .git, node_modules and .env are copied
COPY . .`,
	Good: `FROM node:22-slim
WORKDIR /app
# .dockerignore: .git node_modules .env *.pem
COPY . .`,
	ReadsContext: true,
	Check:        checkContextNotIgnored,
}

// contextHazard is a kind of path that should not be sent: a base name
// among names, one ending in one of suffixes (and longer), or one match
// accepts. Only literals, so contextHazards costs nothing at start-up.
type contextHazard struct {
	secret   bool
	names    []string
	suffixes []string
	match    func(name string) bool
}

func (h *contextHazard) matches(n string) bool {
	if slices.Contains(h.names, n) {
		return true
	}
	for _, e := range h.suffixes {
		if strings.HasSuffix(n, e) && len(n) > len(e) {
			return true
		}
	}
	return h.match != nil && h.match(n)
}

var contextHazards = []contextHazard{
	{names: []string{".git", ".hg", ".svn", "node_modules", ".venv", ".tox", ".terraform"}},
	{secret: true, names: []string{".env", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", ".aws", ".ssh", ".netrc", ".git-credentials"}},
	{secret: true, suffixes: []string{".pem", ".key", ".p12", ".pfx", ".tfstate", ".tfstate.backup"}},
	{secret: true, match: func(n string) bool {
		if !strings.HasPrefix(n, ".env.") {
			return false
		}
		switch strings.TrimPrefix(n, ".env.") {
		case "example", "sample", "template", "dist", "defaults", "tpl", "schema":
			return false
		}
		return true
	}},
}

func hazardOf(name string) (contextHazard, bool) {
	for _, h := range contextHazards {
		if h.matches(name) {
			return h, true
		}
	}
	return contextHazard{}, false
}

func checkContextNotIgnored(pass *rule.Pass) {
	if pass.Context == nil {
		return
	}
	for _, st := range builtStages(pass.File) {
		for _, in := range st.Instructions {
			cost := measureCopy(pass.Context, in)
			if cost == nil {
				continue
			}
			for _, ms := range cost.sources {
				if !ms.root || ms.src == nil {
					continue
				}
				reportHazards(pass, in, ms)
			}
		}
	}
}

// reportHazards reports the bulky or secret paths a whole-context source
// sends.
func reportHazards(pass *rule.Pass, in *dockerfile.Instruction, ms measuredSource) {
	var secret, bulky []buildctx.Match
	ms.src.Walk(func(m buildctx.Match) bool {
		h, ok := hazardOf(path.Base(m.Path))
		if !ok {
			return true
		}
		if h.secret {
			secret = append(secret, m)
		} else {
			bulky = append(bulky, m)
		}
		return false // report the directory, not what is inside
	})
	secrets := len(secret) > 0
	found := append(secret, bulky...) // secrets first: they matter most
	if len(found) == 0 {
		return
	}
	var items []string
	for _, m := range found {
		items = append(items, fmt.Sprintf("%s (%s)", m.Display(), config.FormatSize(m.Size)))
	}
	ignore := "add them to .dockerignore"
	if pass.Context.IgnoreFileUsed() == "" {
		ignore = "there is no .dockerignore: create one that excludes them"
	}
	why := "they bloat the layer and change on every build"
	if secrets {
		why = "secrets in a layer are readable by anyone who can pull the image, and bulky paths bloat it"
	}
	pass.Report(rule.Diagnostic{
		Range: ms.tok.Range,
		Message: fmt.Sprintf("%s sends %s from the build context %s: %s; %s, or COPY only what the image needs",
			instructionText(in), listAdders(items, ""), contextName(pass.Context), why, ignore),
	})
}

// builtStages lists the stages a build of the target runs: the final chain
// and every stage it copies or mounts from, transitively, in source order.
func builtStages(f *dockerfile.File) []*dockerfile.Stage {
	need := map[*dockerfile.Stage]bool{}
	var todo []*dockerfile.Stage
	add := func(s *dockerfile.Stage) {
		for ; s != nil && !need[s]; s = s.Parent {
			need[s] = true
			todo = append(todo, s)
		}
	}
	for _, s := range f.FinalChain() {
		add(s)
	}
	for len(todo) > 0 {
		s := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		for _, r := range f.ImageRefs {
			if r.Stage != nil && r.Instruction != nil && r.Instruction.Stage == s {
				add(r.Stage)
			}
		}
	}
	var out []*dockerfile.Stage
	for _, s := range f.Stages {
		if need[s] {
			out = append(out, s)
		}
	}
	return out
}
