package rules

import (
	"fmt"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// OversizedLayer is DV410.
var OversizedLayer = &rule.Rule{
	ID:       "DV410",
	Name:     "oversized-layer",
	Severity: finding.SeverityWarning,
	Summary:  "one COPY or ADD adds more than max-layer-size (default 256 MiB) from the build context",
	Doc: `Every COPY and ADD makes one layer, and a layer is pulled, unpacked and
stored whole on every node that runs the image. A layer of several hundred
megabytes is usually an accident: a model, a dataset, a build output or a
dependency directory that the build context sends because .dockerignore does
not exclude it. Large layers slow every deploy and every scale-up, and with a
VOLUME over them (DV101) containerd copies them again at each container start.

dockvet reads the build context the way BuildKit sends it: --context DIR, or
the Dockerfile's directory by default, with .dockerignore (or
<Dockerfile>.dockerignore) honoured. It sums the sizes of what each COPY and
ADD of the final image adds (file contents are never read) and reports the
instruction when the sum exceeds max-layer-size (256 MiB unless the config
says otherwise), naming the three largest paths. ADD of a local archive
counts the archive (its unpacked size is unknown); remote ADD sources are
never downloaded and are named as of unknown size. Builder stages are not
judged: their layers do not ship. Without a build context (a Dockerfile on
stdin without --context) the rule is silent.

Exclude what the image does not need in .dockerignore, COPY only the paths it
needs, or fetch large data at run time (an init step, an image volume on
Kubernetes 1.33+). If the layer really must be that big, raise
max-layer-size in .dockvet.yaml.`,
	Bad: `FROM python:3.12-slim
WORKDIR /app
# the context holds models/ (2 GiB) and .venv/
COPY . .`,
	Good: `FROM python:3.12-slim
WORKDIR /app
# .dockerignore: models/ .venv/ .git/
COPY . .`,
	Check: checkOversizedLayer,
}

func checkOversizedLayer(pass *rule.Pass) {
	if pass.Context == nil {
		return
	}
	limit := maxLayerSize(pass)
	for _, in := range pass.File.FinalInstructions() {
		cost := measureCopy(pass.Context, in)
		if cost == nil || !cost.measured || cost.total <= limit {
			continue
		}
		msg := fmt.Sprintf("%s adds %s (%s) from the build context %s, more than max-layer-size %s",
			instructionText(in), size(cost.total, cost.lower), plural(cost.files, "file"), contextName(pass.Context), config.FormatSize(limit))
		if top := cost.largestText(3); top != "" {
			msg += "; largest: " + top
		}
		msg += cost.unknownText()
		msg += "; exclude what the image does not need in .dockerignore or COPY only what it needs"
		pass.Report(rule.Diagnostic{Range: srcRange(in), Message: msg})
	}
}
