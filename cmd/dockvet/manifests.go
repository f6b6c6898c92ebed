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
	"github.com/dockvet/dockvet/internal/source"
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
is not valid YAML is an error (exit 2) at FILE:LINE:COLUMN of the offending
character; the others are still linted. A stream is read, linted and let go
one batch of documents at a time: memory stays flat however long it is (the
findings are kept for the report); a file or stdin may hold up to 1 GiB, and
one document (the text between two --- lines) up to 16 MiB.

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
	run := &manifestRun{
		env: e, ctx: ctx, eng: eng, deep: deep, reg: &fl.registry,
		platform: settings.parse.Platform,
		images:   map[imageKey]registry.Result{},
		skipped:  map[string]int{},
		res:      &finding.Result{Sources: map[string][]string{}},
	}
	run.batchDone, _ = ctx.Value(batchHookKey{}).(func())
	if eng.ManifestNeedsImages() {
		if run.resolver, err = e.newResolver(cfg, &fl.registry, settings.parse.Platform); err != nil {
			return err
		}
	}
	run.lintAll(args, fl.stdinFilename, explicit)
	res := run.res
	res.Findings = append(res.Findings, eng.ConfigFindings()...)
	finding.Sort(res.Findings)
	sort.SliceStable(res.Errors, func(i, j int) bool { return res.Errors[i].File < res.Errors[j].File })
	e.reportSkippedKinds(run.skipped)
	if run.resolver != nil {
		e.reportOfflineImages(run.resolver, &fl.registry)
	}
	opts := e.reportOptions(fl.format, color, false, eng)
	if report.ListsRules(fl.format) {
		opts.Rules = manifestRulesThatRan(eng)
	}
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

// maxManifestSize bounds one manifest file or stdin. A stream is read one
// document at a time, so its size costs time, not memory: the bound is far
// above lint's per-file one (a 100,000-document helm template output is
// about 60 MB) and only stops a stream that never ends.
const maxManifestSize = 1 << 30

// manifestBatch is how many documents are read before the images they name
// are resolved (concurrently, each distinct image once per run) and the
// documents linted and released: enough for the lookups of a stream of
// many images to overlap, few enough that memory stays flat.
const manifestBatch = 64

type imageKey struct{ ref, platform string }

// manifestRun lints manifest files and streams a document at a time,
// keeping only what it reports: findings, the source lines they show, the
// images resolved so far and counts.
type manifestRun struct {
	env      *env
	ctx      context.Context
	eng      *engine.Engine
	resolver *registry.Resolver // nil: no enabled rule reads image configs
	deep     *deepFlags
	reg      *registryFlags
	platform string // --platform, for pods that choose none

	images     map[imageKey]registry.Result // every image resolved in the run
	workloadOf map[*manifest.Container]*manifest.Workload
	skipped    map[string]int // documents of other kinds, by kind
	res        *finding.Result
	batchDone  func() // see batchHookKey
}

// batchHookKey keys a func() in the run's context that is called after
// each batch of documents is linted and released: tests measure there the
// memory a run holds mid-stream.
type batchHookKey struct{}

// lintAll lints every manifest the arguments name. Explicit files that
// cannot be read or parsed are errors; files found in directories that are
// not YAML or hold no workload are skipped (their other kinds still
// counted). explicit says the paths were given (not the default ".").
func (r *manifestRun) lintAll(args []string, stdinName string, explicit bool) {
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
		in := &boundedReader{r: r.env.stdin, left: maxManifestSize, tooLarge: &safefile.TooLargeError{Path: stdinName, Limit: maxManifestSize}}
		r.lintFile(stdinName, in, r.env.composeLookup("."), false)
	}
	cands, walkErrs := manifest.Discover(paths)
	for p, err := range walkErrs {
		r.res.Errors = append(r.res.Errors, finding.FileError{File: p, Message: err.Error()})
	}
	linted := map[string]bool{}
	for _, c := range cands {
		if r.lintPath(c) {
			linted[c.Root] = true
		}
	}
	// A directory given explicitly that holds no manifest is an error, so
	// that a wrong CI path cannot pass silently (as lint does for
	// Dockerfiles); the default "." is not.
	for _, p := range paths {
		if !explicit {
			break
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() && !linted[p] {
			r.res.Errors = append(r.res.Errors, finding.FileError{File: p, Message: "no Kubernetes workload or Compose file found under " + p})
		}
	}
}

// lintPath opens a candidate file (refusing what is not a regular file, as
// lint does) and lints it; it reports whether the file was linted.
func (r *manifestRun) lintPath(c manifest.Candidate) bool {
	f, st, err := safefile.Open(c.Path)
	if err == nil && st.Size() > maxManifestSize {
		_ = f.Close()
		err = &safefile.TooLargeError{Path: c.Path, Limit: maxManifestSize}
	}
	if err != nil {
		if !c.Found {
			r.res.Errors = append(r.res.Errors, finding.FileError{File: c.Path, Message: err.Error()})
		}
		return false
	}
	defer f.Close()
	// A pseudo-file that yields more than its size said is refused.
	in := &boundedReader{r: f, left: st.Size(), tooLarge: &safefile.NotRegularError{Path: c.Path, What: "a file that grows as it is read"}}
	return r.lintFile(c.Path, in, r.env.composeLookup(filepath.Dir(c.Path)), c.Found)
}

// lintFile reads a stream a batch of documents at a time: it resolves the
// new images the batch names, lints its documents and releases them. A file
// that turns out invalid is an error and none of its findings count, unless
// it was found in a directory and is not meant to be a manifest (an
// unrendered Helm template). found files without workloads are not linted.
func (r *manifestRun) lintFile(name string, in io.Reader, lookup func(string) (string, bool), found bool) bool {
	s := manifest.NewStream(name, in, lookup)
	var fs []finding.Finding
	shown := map[int]string{} // the source lines findings point at
	var batch []*manifest.File
	flush := func() error {
		lookup := r.resolveBatch(batch)
		for _, doc := range batch {
			got, err := r.eng.LintManifest(doc, lookup, rules.InvalidSuppression)
			if err != nil {
				return err
			}
			for _, f := range got {
				r.keepLines(doc, f, shown)
			}
			fs = append(fs, got...)
		}
		clear(batch)
		batch = batch[:0]
		s.Done()
		if r.batchDone != nil {
			r.batchDone()
		}
		return nil
	}
	var err error
	// Documents of other kinds count towards the batch too: their lines are
	// held until the batch is released.
	for read := 1; ; read++ {
		var doc *manifest.File
		if doc, err = s.Next(); err != nil {
			break
		}
		if len(doc.Workloads) > 0 {
			batch = append(batch, doc)
		}
		if read%manifestBatch == 0 {
			if err = flush(); err != nil {
				break
			}
		}
	}
	if errors.Is(err, io.EOF) {
		err = flush()
	}
	if err != nil {
		// A found file that does not parse is skipped (unrendered Helm
		// templates), unless it is meant to be a manifest: a Compose file
		// name, or YAML that names a kind or services. Else a broken
		// manifest would pass the run unchecked.
		var se *manifest.SyntaxError
		if !found || !errors.As(err, &se) || manifest.IsComposeName(filepath.Base(name)) || s.SawManifestKey() {
			r.res.Errors = append(r.res.Errors, manifestError(name, err))
		}
		return false
	}
	for k, n := range s.Skipped {
		r.skipped[k] += n
	}
	if found && s.Workloads == 0 {
		return false
	}
	r.res.Files++
	r.res.Findings = append(r.res.Findings, fs...)
	if len(shown) > 0 {
		r.res.Sources[name] = sparseLines(shown)
	}
	return true
}

// keepLines keeps, as shown, the source lines a finding points at (its
// range and related places in the same file): formats print them under the
// finding and fingerprint them.
func (r *manifestRun) keepLines(doc *manifest.File, f finding.Finding, shown map[int]string) {
	keep := func(rg source.Range) {
		for l := rg.Start.Line; l >= 1 && l <= max(rg.Start.Line, rg.End.Line); l++ {
			if _, ok := shown[l]; ok {
				continue
			}
			if text, ok := doc.Line(l); ok {
				// A copy: the line is part of the stream's chunk text,
				// which it would otherwise keep alive.
				shown[l] = strings.Clone(r.eng.ShownLine(text))
			}
		}
	}
	keep(f.Range)
	for _, rel := range f.Related {
		if rel.File == f.File {
			keep(rel.Range)
		}
	}
}

// sparseLines lays out the kept lines as the report's line slice (the
// lines no finding shows are empty).
func sparseLines(shown map[int]string) []string {
	last := 0
	for l := range shown {
		last = max(last, l)
	}
	out := make([]string, last)
	for l, text := range shown {
		out[l-1] = text
	}
	return out
}

// resolveBatch resolves the images of a batch of documents that the run
// has not resolved yet, all at once (one request per reference and
// platform), reads the volume layers of the new ones with --deep, and
// returns the lookup the rules read.
func (r *manifestRun) resolveBatch(batch []*manifest.File) rule.ImageLookup {
	if r.resolver == nil {
		return nil
	}
	clear(r.workloadOf)
	if r.workloadOf == nil {
		r.workloadOf = map[*manifest.Container]*manifest.Workload{}
	}
	var reqs []registry.Request
	var keys []imageKey
	pending := map[imageKey]bool{}
	for _, doc := range batch {
		for _, w := range doc.Workloads {
			for _, c := range w.Pod.Containers {
				r.workloadOf[c] = w
			}
			imgs := w.Images()
			for i := range imgs {
				u := &imgs[i]
				if u.Container == nil || u.Container.Kind == manifest.Ephemeral || !u.Judgeable() {
					continue // image volumes are mounted, not run, and ephemeral containers are for debugging: no rule reads their configs
				}
				k := imageKey{u.Ref, r.platformOf(w)}
				if _, done := r.images[k]; done || pending[k] {
					continue
				}
				pending[k] = true
				keys = append(keys, k)
				reqs = append(reqs, registry.Request{Ref: k.ref, Platform: k.platform})
			}
		}
	}
	if len(reqs) > 0 {
		var imgs []*image.Image
		for i, res := range r.resolver.Resolve(r.ctx, reqs) {
			if i < len(keys) {
				r.images[keys[i]] = res
			}
			if res.Image != nil {
				imgs = append(imgs, res.Image)
			}
		}
		r.res.Errors = append(r.res.Errors, r.env.readVolumeLayers(r.ctx, r.deep, r.reg, imgs, r.resolver)...)
	}
	return func(u *manifest.ImageUse) (*image.Image, error) {
		if u.Container == nil {
			return nil, nil
		}
		w := r.workloadOf[u.Container]
		if w == nil {
			return nil, nil
		}
		res, ok := r.images[imageKey{u.Ref, r.platformOf(w)}]
		if !ok {
			return nil, nil
		}
		return res.Image, res.Err
	}
}

// platformOf is the platform of a workload's images: the pod's nodeSelector
// (or Compose platform:), else --platform.
func (r *manifestRun) platformOf(w *manifest.Workload) string {
	if p := w.Platform(); p != "" {
		return p
	}
	return r.platform
}

// boundedReader reads at most left bytes from r and fails with tooLarge
// when r has more.
type boundedReader struct {
	r        io.Reader
	left     int64
	tooLarge error
}

func (b *boundedReader) Read(p []byte) (int, error) {
	if b.left < 0 {
		return 0, b.tooLarge
	}
	if int64(len(p)) > b.left+1 {
		p = p[:b.left+1]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if b.left < 0 {
		return n - 1, b.tooLarge
	}
	return n, err
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
func (e *env) reportSkippedKinds(counts map[string]int) {
	total := 0
	for _, n := range counts {
		total += n
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
