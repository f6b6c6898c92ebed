package rules

import (
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/secrets"
	"github.com/dockvet/dockvet/internal/source"
)

// SecretInImage is DV303.
var SecretInImage = &rule.Rule{
	ID:       "DV303",
	Name:     "secret-in-image",
	Severity: finding.SeverityError,
	Summary:  "a literal credential (AWS key id, GitHub/GitLab/Slack/npm token, private key, URL password...) is written into an ARG, ENV, LABEL or RUN",
	Doc: `Whatever a Dockerfile writes into an instruction stays readable: ENV values,
LABELs, CMD and ENTRYPOINT are in the image config (docker inspect), ARG
values and RUN command lines are in the image history (docker history) and
the build cache, and all of them are in the Dockerfile itself, in version
control. Deleting the file or unsetting the variable in a later step hides
nothing. A 2023 study of 337,171 public Docker Hub images (RWTH Aachen
University) found private keys and API secrets in 8.5% of them, and found
the leaked keys still in use on hosts on the Internet; bots scan public
images and repositories for such tokens continuously.

The rule recognises credentials by their value, not by the variable's name,
so it does not guess: AWS access key ids (AKIA...), GitHub tokens (ghp_,
gho_, ghu_, ghs_, ghr_, github_pat_), GitLab tokens (glpat-, gldt-, glrt-,
glptt-), Slack tokens (xoxb-, xoxp-, xapp-...), npm tokens (npm_), Stripe live
keys (sk_live_, rk_live_), Docker Hub (dckr_pat_) and PyPI tokens, Google API
keys, PEM private keys and passwords written into URLs
(https://user:password@host). It reads ARG defaults, ENV and LABEL values,
the words, assignments and here-documents of RUN scripts, CMD, ENTRYPOINT,
HEALTHCHECK, ONBUILD and ADD sources. Variables ($TOKEN, ${TOKEN}),
templates and placeholders (AKIAIOSFODNN7EXAMPLE, ghp_xxxx...,
postgres:postgres@, user:password@) are not reported. The message shows
only the first characters of a token (its public prefix) and leaves a
URL's password out.

A credential in a stage that does not ship is still in the Dockerfile and
the build cache: it is reported too, and the message says so. On a built
image (dockvet image) the rule reads the history entries and the config's
Env, labels, Cmd and Entrypoint.

Revoke the credential first: it has leaked. Then pass it as a build secret,
which is mounted for one RUN and never stored: RUN --mount=type=secret,id=npm
with docker build --secret id=npm,src=$HOME/.npmrc. A value the running
container needs belongs to the run time (docker run -e, an orchestrator
secret), not to the image.`,
	Bad: `FROM node:22-slim
ENV NPM_TOKEN=npm_R8fKq2LmT5vX9bN3cJ7hW1yZ4pD6sG0aE2uI
RUN npm ci`,
	Good: `FROM node:22-slim
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci`,
	Check:      checkSecretInImage,
	CheckImage: checkSecretInImageConfig,
}

func checkSecretInImage(pass *rule.Pass) {
	findSecrets(pass.File, func(d rule.Diagnostic, _ string) { pass.Report(d) })
}

// findSecrets calls report with a finding for every credential in f's
// instructions, and the secret's text (for deduplication, never printed).
func findSecrets(f *dockerfile.File, report func(d rule.Diagnostic, secret string)) {
	var seen map[source.Range]bool // most files hold no secret
	for _, in := range f.Instructions {
		if in.Invalid {
			continue
		}
		secretCarriers(in, func(v secretCarrier) {
			for _, m := range secrets.Find(v.text) {
				secret := v.text[m.Start:m.End]
				r := locateSecret(f.Lines, v.rng, secret)
				if seen[r] {
					continue // one value seen twice: sh -c's argument and its commands
				}
				if seen == nil {
					seen = map[source.Range]bool{}
				}
				seen[r] = true
				report(rule.Diagnostic{Range: r, Message: secretMessage(f, in, m)}, secret)
			}
		})
	}
}

// checkSecretInImageConfig checks a built image: its history entries (RUN,
// ENV and ADD, read as a Dockerfile) on their lines, then the config's
// Env, Labels, Cmd and Entrypoint, which a container and `docker inspect`
// show, for credentials no history entry already showed.
func checkSecretInImageConfig(pass *rule.ImagePass) {
	shown := map[string]bool{}
	if p := pass.AsPass(); p != nil {
		findSecrets(p.File, func(d rule.Diagnostic, secret string) {
			shown[secret] = true
			pass.Report(d)
		})
	}
	img := pass.Image
	scan := func(where, value string) {
		for _, m := range secrets.Find(value) {
			secret := value[m.Start:m.End]
			if shown[secret] {
				continue
			}
			shown[secret] = true
			pass.Reportf(rule.ConfigRange, "%s (%s) in the image config's %s, readable by anyone who can pull the image (docker inspect); revoke it and pass it at run time (docker run -e, an orchestrator secret) instead", m.Name, m.Shown, where)
		}
	}
	for _, kv := range img.Env {
		name, value, _ := strings.Cut(kv, "=")
		scan("Env "+name, value)
	}
	for _, k := range slices.Sorted(maps.Keys(img.Labels)) {
		scan("label "+strconv.Quote(k), img.Labels[k])
	}
	for _, a := range img.Entrypoint {
		scan("Entrypoint", a)
	}
	for _, a := range img.Cmd {
		scan("Cmd", a)
	}
}

// secretCarrier is a value an instruction writes into the image: its text
// and where it is written.
type secretCarrier struct {
	text string
	rng  source.Range
}

// secretCarriers returns the values of an instruction that end up in the
// image config, its history or the build cache: ARG defaults, ENV and
// LABEL values, the words of RUN, CMD and ENTRYPOINT (shell words when the
// script parsed, the arguments otherwise), HEALTHCHECK, ADD and ONBUILD
// arguments (an ONBUILD trigger is stored in the image config).
func secretCarriers(in *dockerfile.Instruction, yield func(secretCarrier)) {
	// A callback, not a slice: most instructions carry a few values and
	// most values hold no secret, so a slice per instruction was this
	// rule's whole allocation.
	switch c := in.Command.(type) {
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			if kv.Value != nil {
				yield(secretCarrier{*kv.Value, in.ArgsRange})
			}
		}
		return
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			yield(secretCarrier{kv.Value, in.ArgsRange})
		}
		return
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			yield(secretCarrier{kv.Value, in.ArgsRange})
		}
		return
	}
	switch in.Keyword {
	case "RUN", "CMD", "ENTRYPOINT":
		if s := in.Script; s != nil && s.Err == nil {
			for _, call := range s.Calls {
				for _, w := range call.Args {
					yield(secretCarrier{w.Value, w.Range})
				}
				for _, e := range call.Env {
					yield(secretCarrier{e.Value.Value, e.Value.Range})
				}
			}
			for _, a := range s.Assigns {
				yield(secretCarrier{a.Value.Value, a.Value.Range})
			}
			for _, h := range s.Heredocs {
				yield(secretCarrier{h.Value, h.Range})
			}
			return
		}
	case "HEALTHCHECK", "ADD", "ONBUILD":
	default:
		return
	}
	// Exec form, a shell that is not POSIX (cmd, PowerShell) or a script
	// that does not parse: the arguments as BuildKit splits them.
	for _, t := range in.Args() {
		yield(secretCarrier{t.Value, t.Range})
	}
}

// locateSecret narrows r, where a value is written, to the secret in it:
// the first line of the secret as it appears in the source (a PEM key is
// pointed at by its BEGIN line). It returns r when the secret is not written
// as is (quotes or escapes inside it).
func locateSecret(lines []string, r source.Range, secret string) source.Range {
	if i := strings.IndexAny(secret, "\n\\"); i > 0 {
		secret = secret[:i]
	}
	if secret == "" {
		return r
	}
	for n := r.Start.Line; n <= r.End.Line && n >= 1 && n <= len(lines); n++ {
		text := lines[n-1]
		from, to := 0, len(text)
		if n == r.Start.Line {
			from = byteOffset(text, r.Start.Col)
		}
		if n == r.End.Line {
			to = max(byteOffset(text, r.End.Col), from)
		}
		if i := strings.Index(text[from:to], secret); i >= 0 {
			at := from + i
			return source.Range{
				Start: source.Pos{Line: n, Col: source.Column(text, at)},
				End:   source.Pos{Line: n, Col: source.Column(text, at+len(secret))},
			}
		}
	}
	return r
}

// byteOffset converts a 1-based character column of line into a byte
// offset (the inverse of source.Column).
func byteOffset(line string, col int) int {
	n := 1
	for i := range line {
		if n == col {
			return i
		}
		n++
	}
	return len(line)
}

// secretMessage says what was found, where it ends up and what to do.
func secretMessage(f *dockerfile.File, in *dockerfile.Instruction, m secrets.Match) string {
	what := m.Name + " (" + m.Shown + ")"
	var where, fix string
	const buildSecret = "use a build secret (RUN --mount=type=secret) instead"
	const runTime = "pass it at run time (docker run -e, an orchestrator secret) instead"
	switch in.Keyword {
	case "ENV":
		where, fix = "an ENV value, stored in the image config for anyone who can pull the image (docker inspect)", runTime
	case "LABEL":
		where, fix = "a LABEL, stored in the image config for anyone who can pull the image (docker inspect)", "remove it"
	case "ONBUILD":
		where, fix = "an ONBUILD trigger, stored in the image config for anyone who can pull the image (docker inspect)", buildSecret
	case "CMD", "ENTRYPOINT", "HEALTHCHECK":
		where, fix = "the "+in.Keyword+", stored in the image config for anyone who can pull the image (docker inspect)", runTime
	case "ARG":
		where, fix = "an ARG default, recorded in the image history of the RUN steps that use it (docker history)", buildSecret
	default:
		where, fix = article(in.Keyword)+" "+in.Keyword+" command line, recorded in the image history (docker history) and the build cache", buildSecret
	}
	if in.Stage != nil && !f.InFinal(in.Stage) {
		where = article(in.Keyword) + " " + in.Keyword + " of stage " + quotedStageName(in.Stage) + ", which does not ship but stays in the Dockerfile and the build cache"
	}
	return what + " written into " + where + "; revoke it and " + fix
}

// quotedStageName names a stage for messages: its AS name, or its index.
func quotedStageName(s *dockerfile.Stage) string {
	if s.Name != "" {
		return `"` + s.Name + `"`
	}
	return strconv.Itoa(s.Index)
}

// article is "an" before a word that starts with a vowel sound (ADD, ENV,
// ARG, ENTRYPOINT), "a" otherwise.
func article(word string) string {
	if word != "" && strings.ContainsRune("AEIOU", rune(word[0])) {
		return "an"
	}
	return "a"
}
