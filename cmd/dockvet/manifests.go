package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/internal/layers"
	"github.com/dockvet/dockvet/internal/manifest"
	"github.com/dockvet/dockvet/internal/registry"
	"github.com/dockvet/dockvet/internal/report"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/safefile"
	"github.com/dockvet/dockvet/rules"
)

func (e *env) manifestsCommand() *cobra.Command {
	var fl lintFlags
	var deep deepFlags
	cmd := &cobra.Command{
		Use:   "manifests [PATH...]",
		Short: "Lint the images that Kubernetes and Compose files deploy (\"-\" reads stdin)",
		Long: `Lint the images that Kubernetes manifests and Compose files deploy, judged
against the pod spec that runs them.

Kubernetes: multi-document YAML with Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob and Lists of them; other kinds
(Services, ConfigMaps, CRDs) are skipped and counted on stderr. Compose: a
file with top-level services (compose.yaml, docker-compose.yml...), with
${VAR:-default} interpolation from the .env file beside it (not a link) and,
with --env, from the environment as docker compose does. The environment is
off by default: in CI it holds secrets, and a Compose file in a pull request
could otherwise put them into registry requests and into the output.
"-" reads stdin: helm template . | dockvet manifests -

A directory is searched recursively (skipping .git, node_modules and vendor)
for *.yaml, *.yml and Compose files; found files that hold no workload or are
not YAML (unrendered Helm templates) are skipped. A file named explicitly that
is not valid YAML is an error (exit 2); the others are still linted.

Every image reference (containers, init containers, ephemeral containers,
image volumes) is checked where it is written: DV200, DV201, DV203, DV204.
Each distinct image's config is then read once, with the same resolver,
cache, --offline and DV001 as lint, for the pod's platform (nodeSelector
kubernetes.io/arch, Compose platform:, else --platform): DV102 for each
VOLUME the pod does not mount a volume over (the runtime copies the image's
content there at every container start, in every replica), DV302 when the
container runs as root after the pod and container securityContext (Compose
user:), DV300/DV301 when the container runs the image's shell-form CMD or
ENTRYPOINT (no command/args override), DV410/DV411 for layers and images
over max-layer-size/max-image-size. --deep also reads the layers of images
that declare volumes (once, cached by digest): DV101 then gives the bytes
copied under each unmounted VOLUME, times the replicas. DV700 reports an init
container that
copies its image's files into an emptyDir another container mounts, with the
image volume to use instead.

A "# dockvet ignore=RULE" comment on the line(s) directly above an image:
line suppresses those rules for that image. Settings and exit codes are
lint's.`,
		Example: `  dockvet manifests k8s/
  helm template charts/app | dockvet manifests -
  kustomize build overlays/prod | dockvet manifests -f gnu -
  dockvet manifests compose.yaml`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.manifests(cmd.Context(), args, &fl, &deep)
		},
	}
	f := cmd.Flags()
	addOutputFlags(cmd, &fl)
	f.StringVar(&fl.platform, "platform", "", "platform of images when the pod does not choose one (default linux/amd64)")
	f.StringVar(&fl.stdinFilename, "stdin-filename", "", "name to print for stdin (default <stdin>)")
	addRegistryFlags(f, &fl.registry)
	addDeepFlags(f, &deep)
	f.BoolVar(&e.composeEnv, "env", false, "Compose interpolation also reads the environment (as docker compose does; off: CI variables are secrets)")
	return cmd
}

func (e *env) manifests(ctx context.Context, args []string, fl *lintFlags, deep *deepFlags) error {
	if ctx == nil {
		ctx = context.Background()
	}
	format, cfg, settings, err := prepare(fl, e.stderr)
	if err != nil {
		return err
	}
	eng, err := engine.New(rules.All(), settings.rules)
	if err != nil {
		return usageErrorf("%v", err)
	}
	color, err := e.useColor(fl.color)
	if err != nil {
		return err
	}
	explicit := len(args) > 0
	if !explicit {
		args = []string{"."}
	}
	files, withoutWorkloads, fileErrs := e.readManifests(args, fl.stdinFilename, explicit)

	var lookup rule.ImageLookup
	var resolver *registry.Resolver
	var deepErrs []finding.FileError
	if eng.ManifestNeedsImages() {
		if resolver, err = e.newResolver(cfg, &fl.registry, settings.parse.Platform); err != nil {
			return err
		}
		var imgs []*image.Image
		lookup, imgs = resolveManifestImages(ctx, resolver, files, settings.parse.Platform)
		deepErrs = e.readVolumeLayers(ctx, deep, &fl.registry, imgs, resolver)
	}
	res := eng.LintManifests(files, lookup, rules.InvalidSuppression)
	res.Errors = append(append(res.Errors, fileErrs...), deepErrs...)
	res.Files += len(fileErrs)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
	e.reportSkippedKinds(append(slices.Clip(files), withoutWorkloads...))
	if resolver != nil {
		e.reportOfflineImages(resolver, &fl.registry)
	}
	opts := e.reportOptions(color, false, eng)
	opts.Rules = manifestRulesThatRan(eng)
	return e.finish(format, fl.format, opts, res, settings.failOn)
}

// manifestRulesThatRan lists, in id order, the enabled rules that judge
// manifests (SARIF's rule table).
func manifestRulesThatRan(eng *engine.Engine) []report.RuleInfo {
	var out []report.RuleInfo
	for _, r := range rules.All() {
		if _, on := eng.Enabled(r); on && (r.CheckManifest != nil || r == rules.InvalidSuppression) {
			out = append(out, ruleInfo(r))
		}
	}
	return out
}

// readManifests reads and parses every manifest. Explicit files that cannot
// be read or parsed are errors; files found in directories that are not
// YAML or hold no workload are skipped.
// explicit says the paths were given (not the default ".").
//
// withoutWorkloads are the files found in directories that hold only other
// kinds: not linted, but their documents count among the skipped.
func (e *env) readManifests(args []string, stdinName string, explicit bool) (files, withoutWorkloads []*manifest.File, errs []finding.FileError) {
	if stdinName == "" {
		stdinName = "<stdin>"
	}
	var paths []string
	stdinRead := false
	for _, a := range args {
		if a != "-" {
			paths = append(paths, a)
			continue
		}
		if stdinRead {
			continue
		}
		stdinRead = true
		src, err := io.ReadAll(io.LimitReader(e.stdin, maxFileSize+1))
		if err == nil && len(src) > maxFileSize {
			err = &safefile.TooLargeError{Path: stdinName, Limit: maxFileSize}
		}
		if err != nil {
			errs = append(errs, finding.FileError{File: stdinName, Message: err.Error()})
			continue
		}
		f, err := manifest.Parse(stdinName, src, e.composeLookup("."))
		if err != nil {
			errs = append(errs, manifestError(stdinName, err))
			continue
		}
		files = append(files, f)
	}
	cands, walkErrs := manifest.Discover(paths)
	linted := map[string]bool{}
	for p, err := range walkErrs {
		errs = append(errs, finding.FileError{File: p, Message: err.Error()})
	}
	for _, c := range cands {
		src, err := safefile.ReadFile(c.Path, maxFileSize)
		if err != nil {
			if !c.Found {
				errs = append(errs, finding.FileError{File: c.Path, Message: err.Error()})
			}
			continue
		}
		f, err := manifest.Parse(c.Path, src, e.composeLookup(filepath.Dir(c.Path)))
		if err != nil {
			// A found file that does not parse is skipped (unrendered Helm
			// templates), unless it is meant to be a manifest: a Compose
			// file name, or YAML that names a kind or services. Else a
			// broken manifest would pass the run unchecked.
			if !c.Found || manifest.IsComposeName(filepath.Base(c.Path)) || looksLikeManifest(src) {
				errs = append(errs, manifestError(c.Path, err))
			}
			continue
		}
		if c.Found && len(f.Workloads) == 0 {
			withoutWorkloads = append(withoutWorkloads, f)
			continue
		}
		files = append(files, f)
		linted[c.Root] = true
	}
	// A directory given explicitly that holds no manifest is an error, so
	// that a wrong CI path cannot pass silently (as lint does for
	// Dockerfiles); the default "." is not.
	for _, p := range paths {
		if !explicit {
			break
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() && !linted[p] {
			errs = append(errs, finding.FileError{File: p, Message: "no Kubernetes workload or Compose file found under " + p})
		}
	}
	return files, withoutWorkloads, errs
}

// looksLikeManifest reports whether YAML text starts a line with a
// Kubernetes object's or a Compose file's top-level key.
func looksLikeManifest(src []byte) bool {
	for line := range strings.Lines(string(src)) {
		if strings.HasPrefix(line, "kind:") || strings.HasPrefix(line, "apiVersion:") || strings.HasPrefix(line, "services:") {
			return true
		}
	}
	return false
}

// manifestError is the run error of a file that cannot be parsed.
func manifestError(name string, err error) finding.FileError {
	var se *manifest.SyntaxError
	if errors.As(err, &se) {
		return finding.FileError{File: name, Line: se.Line, Col: se.Col, Message: se.Msg}
	}
	return finding.FileError{File: name, Message: err.Error()}
}

// composeLookup gives Compose interpolation its variables: the .env file in
// the project directory and, with --env, the environment first, as docker
// compose does. A .env that is a symbolic link is not read (it could point
// at any file of the CI runner).
func (e *env) composeLookup(dir string) func(string) (string, bool) {
	var dotenv map[string]string
	loaded := false
	return func(name string) (string, bool) {
		if e.composeEnv {
			if v := e.getenv(name); v != "" {
				return v, true
			}
		}
		if !loaded {
			loaded = true
			p := filepath.Join(dir, ".env")
			if fi, err := os.Lstat(p); err == nil && fi.Mode().IsRegular() {
				if src, err := safefile.ReadFile(p, 1<<20); err == nil {
					dotenv = manifest.ParseDotEnv(string(src))
				}
			}
		}
		v, ok := dotenv[name]
		return v, ok
	}
}

// resolveManifestImages resolves every distinct image of the run at once
// (one request per reference and platform) and returns the lookup the
// rules read.
func resolveManifestImages(ctx context.Context, r *registry.Resolver, files []*manifest.File, defaultPlatform string) (rule.ImageLookup, []*image.Image) {
	type key struct{ ref, platform string }
	platformOf := func(w *manifest.Workload) string {
		if p := w.Platform(); p != "" {
			return p
		}
		return defaultPlatform
	}
	index := map[key]int{}
	var reqs []registry.Request
	for _, f := range files {
		for _, w := range f.Workloads {
			imgs := w.Images()
			for i := range imgs {
				u := &imgs[i]
				if u.Container == nil || u.Container.Kind == manifest.Ephemeral || !u.Judgeable() {
					continue // image volumes are mounted, not run, and ephemeral containers are for debugging: no rule reads their configs
				}
				k := key{u.Ref, platformOf(w)}
				if _, ok := index[k]; !ok {
					index[k] = len(reqs)
					reqs = append(reqs, registry.Request{Ref: k.ref, Platform: k.platform})
				}
			}
		}
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	results := r.Resolve(ctx, reqs)
	var imgs []*image.Image
	for _, res := range results {
		if res.Image != nil {
			imgs = append(imgs, res.Image)
		}
	}
	// The lookup is asked per workload; it finds the workload of a use by
	// its container.
	workloadOf := map[*manifest.Container]*manifest.Workload{}
	for _, f := range files {
		for _, w := range f.Workloads {
			for _, c := range w.Pod.Containers {
				workloadOf[c] = w
			}
		}
	}
	return func(u *manifest.ImageUse) (*image.Image, error) {
		if u.Container == nil {
			return nil, nil
		}
		w := workloadOf[u.Container]
		if w == nil {
			return nil, nil
		}
		i, ok := index[key{u.Ref, platformOf(w)}]
		if !ok || i >= len(results) {
			return nil, nil
		}
		return results[i].Image, results[i].Err
	}, imgs
}

// readVolumeLayers, with --deep, reads the layers of the images that
// declare volumes (once each, cached by digest, as dockvet image --deep), so
// that DV101 knows what the runtime copies under each VOLUME. An image whose
// layers cannot be read is a run error (exit 2); its other findings stay.
func (e *env) readVolumeLayers(ctx context.Context, fl *deepFlags, reg *registryFlags, imgs []*image.Image, resolver *registry.Resolver) []finding.FileError {
	if !fl.deep {
		return nil
	}
	prog := &layers.Progress{}
	var todo []*image.Image
	for _, img := range imgs {
		if len(img.Volumes) > 0 {
			todo = append(todo, img)
			prog.Plan(len(img.Layers), img.CompressedSize())
		}
	}
	if len(todo) == 0 {
		return nil
	}
	opts := imagesrc.DeepOptions{CacheDir: e.cacheDir(reg), Progress: prog, StallTimeout: reg.timeout, Registry: resolver}
	var bar *progressBar
	if !fl.quiet && e.isTerminal(e.stderr) {
		bar = startProgress(e.stderr, prog)
	}
	var errs []finding.FileError
	for _, img := range todo {
		src, err := imagesrc.Parse(img.Ref)
		if err == nil {
			img.Deep, err = imagesrc.Deep(ctx, src, img, opts)
		}
		if err != nil {
			errs = append(errs, finding.FileError{File: img.Ref, Message: err.Error()})
		}
	}
	bar.stop()
	return errs
}

// reportSkippedKinds says on stderr how many documents of other kinds were
// skipped, so that a CRD holding pods is not skipped silently.
func (e *env) reportSkippedKinds(files []*manifest.File) {
	counts := map[string]int{}
	total := 0
	for _, f := range files {
		for k, n := range f.Skipped {
			counts[k] += n
			total += n
		}
	}
	if total == 0 {
		return
	}
	kinds := make([]string, 0, len(counts))
	for k := range counts {
		kinds = append(kinds, k)
	}
	slices.SortFunc(kinds, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%s %d", k, counts[k])
	}
	what := "documents"
	if total == 1 {
		what = "document"
	}
	fmt.Fprintf(e.stderr, "dockvet: skipped %d %s of kinds that run no pod template dockvet reads: %s\n", total, what, report.Escape(strings.Join(parts, ", ")))
}

// reportOfflineImages says once how many images an offline run could not
// check because they are not in the cache.
func (e *env) reportOfflineImages(r *registry.Resolver, fl *registryFlags) {
	n := r.Stats().OfflineMisses
	if n == 0 {
		return
	}
	what, their := "images were", "their"
	if n == 1 {
		what, their = "image was", "its"
	}
	fill := "run once without --offline (and without DOCKVET_OFFLINE or offline: true) to fill the cache"
	if e.cacheDir(fl) == "" {
		fill = "the cache is disabled (--no-cache), so only a run with network access checks them"
	}
	fmt.Fprintf(e.stderr, "dockvet: %d %s not checked (offline, not in the cache): %s volumes, user and CMD/ENTRYPOINT are unknown; %s\n", n, what, their, fill)
}
