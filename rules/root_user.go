package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/rule"
)

// RootUser is DV302.
var RootUser = &rule.Rule{
	ID:       "DV302",
	Name:     "root-user",
	Severity: finding.SeverityWarning,
	Summary:  "the final image runs as root",
	Doc: `A container runs as the image's USER, and without one as root (uid 0). Root in
the container is root on the node as soon as anything breaks the isolation: a
kernel or runtime escape, a mounted host path or docker socket, a privileged pod.
A service that runs as an unprivileged user turns those into much smaller
incidents, and most services never need root at run time.

Create or pick a non-root user and switch to it after the steps that need root:
USER 10001 (a numeric uid works even in images without /etc/passwd, such as FROM
scratch, and lets Kubernetes' runAsNonRoot verify it). Only the final image is
judged: a USER in a builder stage never ships, while a USER in a stage that the
final stage is built FROM is inherited.

The rule fires on a last USER of root, 0, root:<group> or 0:<group>. Without
any USER it fires on the FROM line: a FROM scratch image runs as root (a
data-only scratch image without CMD or ENTRYPOINT is exempt), and another base
image runs as root when its config sets no user or root: dockvet reads the base
image's config from its registry. When it cannot (DV001 says why; --offline
with the base not in the cache), the finding is info, not warning, and says the
user is unknown: a rule that cannot be sure does not fail a build. An explicit
USER makes the image independent of what the base image does.`,
	Bad: `FROM python:3.12-slim
COPY app/ /app/
CMD ["python", "/app/main.py"]`,
	Good: `FROM python:3.12-slim
RUN useradd --uid 10001 --no-create-home app
COPY app/ /app/
USER 10001
CMD ["python", "/app/main.py"]`,
	NeedsBase:           true,
	Check:               checkRootUser,
	CheckImage:          checkRootUserImage,
	CheckManifest:       checkRootUserManifest,
	ManifestNeedsImages: true,
}

func checkRootUser(pass *rule.Pass) {
	f := pass.File
	chain := f.FinalChain()
	if len(chain) == 0 {
		return
	}
	cfg := rule.ResultOf(pass, finalRuntimeConfig)
	if u := cfg.User; u != nil {
		if len(u.Args()) == 0 {
			return
		}
		v, unresolved := u.Expand(u.Args()[0].Value)
		v = strings.Trim(v, `"'`)
		if len(unresolved) > 0 || !image.IsRootUser(v) {
			return
		}
		pass.Reportf(u.Args()[0].Range, "USER %s: the final image runs as root (uid 0), so a container escape owns the node; switch to a non-root user (e.g. USER 10001) after the steps that need root", v)
		return
	}
	root := chain[0]
	base := root.Base
	if base == nil || len(base.Unresolved) > 0 {
		return // an unknown base (DV202 reports the variable)
	}
	if windowsImage(f, base) {
		return // users are ContainerUser/ContainerAdministrator there
	}
	if base.Scratch {
		if cfg.Entrypoint == nil && cfg.Cmd == nil {
			return // data only: nothing runs in it
		}
		pass.Reportf(base.Range, "the final image is FROM scratch and sets no USER, so its command runs as root (uid 0); add a numeric USER such as USER 65532:65532 (no /etc/passwd needed)")
		return
	}
	img, _, err := pass.BaseImage(root)
	if img != nil {
		if img.OS == "windows" || !image.RunsAsRoot(img.User) {
			return
		}
		user := img.User
		if user == "" {
			user = "none, so root"
		}
		pass.Reportf(base.Range, "no USER in the final image, and base image %s runs as root (its config user: %s): a container escape owns the node; add USER <non-root> after the steps that need root", base.Expanded, user)
		return
	}
	if nonRootTag(base.Tag) {
		return
	}
	// The base is unknown, so the image may well run as a user the base
	// sets: say so, at info, which does not fail a build by default.
	why := "base images are not checked"
	var re *registry.Error
	switch {
	case errors.As(err, &re) && re.Reason == registry.ReasonOffline:
		why = "offline, and it is not in the cache"
	case err != nil:
		why = "its config could not be read, see DV001"
	}
	pass.Report(rule.Diagnostic{
		Range:       base.Range,
		Message:     fmt.Sprintf("no USER in the final image: it runs as root unless base image %s sets a user (%s); add USER <non-root> after the steps that need root", base.Expanded, why),
		MaxSeverity: finding.SeverityInfo,
	})
}

// nonRootTag recognises tags that by convention select a non-root variant
// (gcr.io/distroless/static:nonroot, ...:debug-nonroot, ...:latest-rootless).
func nonRootTag(tag string) bool {
	for _, part := range strings.FieldsFunc(strings.ToLower(tag), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if part == "nonroot" || part == "rootless" {
			return true
		}
	}
	return false
}

// windowsImage guesses whether the final image is a Windows image: a stage
// runs cmd or PowerShell, or the base image's name says so
// (mcr.microsoft.com/windows/servercore, stefanscherer/node-windows, ...).
func windowsImage(f *dockerfile.File, base *dockerfile.ImageRef) bool {
	for _, in := range f.FinalInstructions() {
		if in.Keyword != "FROM" && !dockerfile.IsPOSIXShell(in.Shell) {
			return true
		}
	}
	repo := strings.ToLower(base.Repository)
	return strings.Contains(repo, "windows") || strings.Contains(repo, "nanoserver") || strings.Contains(repo, "servercore")
}

// checkRootUserImage reports an image whose config user is root (or
// unset), on the last USER history entry when it set that user, else on the
// config (line 0). Windows images and images that run nothing (no CMD, no
// ENTRYPOINT: data only) are exempt.
func checkRootUserImage(pass *rule.ImagePass) {
	img := pass.Image
	if img.OS == "windows" || !image.RunsAsRoot(img.User) || len(img.Cmd) == 0 && len(img.Entrypoint) == 0 {
		return
	}
	const why = "a container escape owns the node; add USER <non-root> (e.g. USER 10001) to the Dockerfile after the steps that need root"
	n, e := imagesrc.LastEntry(img, "USER", nil)
	if n > 0 && strings.TrimSpace(e.Args) == img.User {
		pass.Reportf(imagesrc.EntryRange(img, pass.History, n, e.Args), "%s: the image runs as root (uid 0), so %s", entryRef(n, imagesrc.QuoteEntry(img.History[n-1].CreatedBy)), why)
		return
	}
	if img.User == "" {
		pass.Reportf(rule.ConfigRange, "the image config sets no user, so containers run as root (uid 0): %s", why)
		return
	}
	pass.Reportf(rule.ConfigRange, "the image config's user %q is root (uid 0): %s", img.User, why)
}

// checkRootUserManifest reports a container that runs as root: its image
// runs as root and neither the container's nor the pod's securityContext
// sets runAsNonRoot: true or a non-zero runAsUser (Compose: user), or the
// securityContext itself asks for uid 0.
func checkRootUserManifest(pass *rule.ManifestPass) {
	w := pass.Workload
	for _, u := range containerUses(w) {
		sec := w.EffectiveSecurity(u.Container)
		if sec.RunAsNonRoot != nil && *sec.RunAsNonRoot {
			continue // the kubelet refuses to start the container as root
		}
		fix := "a container escape owns the node; set securityContext runAsNonRoot: true and runAsUser: <non-zero uid>, or add USER <non-root> to the image"
		if w.Kind == "service" {
			fix = "a container escape owns the host; set user: \"10001\" (a non-zero uid) on the service, or add USER <non-root> to the image"
		}
		switch {
		case sec.RunAsUser != nil && *sec.RunAsUser == 0:
			pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s runs as root: the securityContext sets runAsUser: 0 (line %d); %s", useName(w, u), sec.UserRange.Start.Line, fix)})
			continue
		case sec.RunAsUser != nil:
			continue
		case sec.User != "" && image.IsRootUser(sec.User):
			pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s runs as root: user: %q (line %d) is uid 0; %s", useName(w, u), sec.User, sec.UserRange.Start.Line, fix)})
			continue
		case sec.User != "":
			continue
		}
		img, _ := pass.Image(u)
		if img == nil || img.OS == "windows" || !image.RunsAsRoot(img.User) {
			continue
		}
		if len(img.Cmd) == 0 && len(img.Entrypoint) == 0 && !u.Container.HasCommand && !u.Container.HasArgs {
			continue // runs nothing: a data image
		}
		what := "sets no user"
		if img.User != "" {
			what = fmt.Sprintf("sets user %q", img.User)
		}
		where := "neither the pod nor the container securityContext sets runAsNonRoot: true or a non-zero runAsUser"
		if w.Kind == "service" {
			where = "the service sets no user:"
		}
		pass.Report(u, rule.Diagnostic{Range: u.Range, Message: fmt.Sprintf("%s runs as root (uid 0): the image %s and %s; %s", useName(w, u), what, where, fix)})
	}
}
