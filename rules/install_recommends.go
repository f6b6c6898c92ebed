package rules

import (
	"path"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/runfacts"
	"github.com/dockvet/dockvet/internal/source"
)

// InstallRecommends is DV406.
var InstallRecommends = &rule.Rule{
	ID:       "DV406",
	Name:     "install-recommends",
	Severity: finding.SeverityInfo,
	Summary:  "apt-get install in the final image without --no-install-recommends",
	Doc: `By default apt installs a package's "Recommends" too: packages the maintainer
thinks most users want, not ones the program needs. In an image they are dead
weight and attack surface: "apt-get install python3" pulls in build tools and
documentation helpers, "apt-get install curl" a full set of CA and LDAP
extras, often doubling the size of the layer and adding CVEs to every scan.

Add --no-install-recommends to every apt-get install of the final image (and
list explicitly what you do need), or configure it once with
  RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/99no-recommends
before the installs. Only the final image is judged (the target stage and the
stages it is built FROM). The rule stays silent when a COPY or ADD writes apt's
configuration (/etc/apt/apt.conf.d: it may hold that setting; a sources list or
key does not count), when an earlier command of the final image mentions
APT::Install-Recommends, and for -o APT::Install-Recommends=false on the
command line.`,
	Bad: `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*`,
	Good: `FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*`,
	Check:      checkInstallRecommends,
	CheckImage: func(ip *rule.ImagePass) { historyCheck(ip, checkInstallRecommends, "") },
}

func checkInstallRecommends(pass *rule.Pass) {
	facts := runFacts(pass)
	configured := false
	for _, in := range pass.File.FinalInstructions() {
		if in.Keyword == "FROM" && in.Stage != nil && noRecommendsImage(in.Stage.Base) {
			configured = true
		}
		if (in.Keyword == "COPY" || in.Keyword == "ADD") && writesAptConfig(in) {
			configured = true
		}
		r := facts.Run(in)
		if r == nil {
			continue
		}
		for i, c := range r.Calls {
			if mentionsInstallRecommends(c) {
				configured = true
			}
			if configured {
				break
			}
			for _, u := range r.Installs() {
				if u.Index != i || u.Manager != runfacts.Apt || c.Args[u.Sub].Value != "install" || len(u.Packages) == 0 {
					continue
				}
				if c.HasOption("", "--no-install-recommends") || (c.Name == "aptitude" && c.HasOption("R", "--without-recommends")) {
					continue
				}
				end := source.Range{Start: u.Rng.End, End: u.Rng.End}
				pass.Report(rule.Diagnostic{
					Range:   u.Rng,
					Message: u.Verb + " without --no-install-recommends also installs every recommended package (often as large as the ones asked for); add --no-install-recommends and list what you need",
					Fix: &finding.Fix{
						Description: "add --no-install-recommends",
						Edits:       []finding.Edit{{Range: end, NewText: " --no-install-recommends"}},
					},
				})
			}
		}
	}
}

// mentionsInstallRecommends reports whether a command sets (or writes a
// setting of) APT::Install-Recommends: `-o APT::Install-Recommends=false`,
// `echo 'APT::Install-Recommends "0";' > /etc/apt/apt.conf.d/...`. Any
// mention counts: a rule that cannot be sure stays silent.
func mentionsInstallRecommends(c *dockerfile.Call) bool {
	for _, a := range c.Args {
		if strings.Contains(strings.ToLower(a.Value), "install-recommends") {
			return true
		}
	}
	return false
}

// writesAptConfig reports whether a COPY or ADD writes apt's configuration
// (/etc/apt/apt.conf, /etc/apt/apt.conf.d, or /etc/apt as a whole), where it
// may set APT::Install-Recommends.
func writesAptConfig(in *dockerfile.Instruction) bool {
	if len(in.Args()) < 2 {
		return false
	}
	dest, _ := in.Expand(in.Args()[len(in.Args())-1].Value)
	dest = path.Clean("/" + strings.Trim(dest, `"`))
	// A sources list (/etc/apt/sources.list.d) or a key
	// (/etc/apt/keyrings) says nothing about recommends.
	return dest == "/etc/apt" || dest == "/etc/apt/apt.conf" || runfacts.PathWithin(dest, "/etc/apt/apt.conf.d")
}

// noRecommendsImage recognises base images known to configure apt with
// APT::Install-Recommends "false" (Bitnami's minideb).
func noRecommendsImage(ref *dockerfile.ImageRef) bool {
	return ref != nil && strings.HasSuffix(strings.ToLower(ref.Repository), "minideb")
}
