package main

import (
	"context"
	"slices"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/imagesrc"
	"github.com/dockvet/dockvet/rules"
)

func (e *env) imageCommand() *cobra.Command {
	// The flags are lint's, less those about Dockerfile text (--target,
	// --build-arg, --stdin-filename), so settings merge the same way.
	var fl lintFlags
	var deep deepFlags
	cmd := &cobra.Command{
		Use:   "image REF...",
		Short: "Lint built images: registry references, oci-layout:DIR, docker-archive:FILE.tar",
		Long: `Lint built images without a Docker daemon, from their config, history and
manifest (layers are downloaded only with --deep). A REF is one of:

  REF                          a registry reference: alpine:3.20, ghcr.io/org/app@sha256:...
                               (also docker://REF); credentials come from ~/.docker/config.json
  oci-layout:DIR[:TAG]         an OCI image layout directory (also oci:DIR); TAG selects the
  oci-layout:DIR@DIGEST        image whose org.opencontainers.image.ref.name is TAG, DIGEST a
                               manifest; without either, the layout must hold one image
  docker-archive:FILE.tar[:NAME:TAG|:@N]
                               a "docker save" tarball; NAME:TAG or @N selects one of several

A multi-platform image is read for --platform (default linux/amd64).

A finding's file is the REF as written; its line is the history entry (as
"docker history" lists them, oldest first, counting from 1) that introduced
the problem, or 0 for the config as a whole. RUN entries are parsed as shell,
as "dockvet lint" parses RUN instructions; the text output shows each entry
as a Dockerfile line.

--deep also reads every layer's contents, once each: the blobs are streamed
(tar headers only, file bodies skipped, several layers at a time) and what
they hold is cached by layer digest in the cache directory, so a second run
reads no layer. It gives the uncompressed sizes, the bytes that later layers
delete or overwrite (DV500, over max-wasted-bytes) and what the final
filesystem holds under each VOLUME path (DV101, with the exact size
containerd copies at every container start). On a terminal, stderr shows
the layers and bytes read (--quiet hides it). A download that receives
nothing for --registry-timeout fails; an image whose layers cannot be read
keeps its other findings and adds an error (exit 2).

--layers draws what "docker history" should show: each entry with the size
of its layer (compressed, from the manifest) as a bar, empty entries, VOLUME
paths and layers over max-layer-size. With -f text it comes before the
findings; with another format it goes to stderr, so that stdout stays
exactly that format (the JSON document is unchanged).

Settings come from the nearest .dockvet.yaml unless --config names one; flags
override the file. Exit codes: 0 no finding at or above --fail-on, 1 at least
one, 2 usage, configuration or I/O error (an image that cannot be read).`,
		Example: `  dockvet image registry.example.com/team/api:1.4.2
  dockvet image -f gnu --platform linux/arm64 ghcr.io/org/app:2.0
  docker buildx build --output type=oci,tar=false,dest=out . && dockvet image oci-layout:out
  skopeo copy docker://nginx:1.27 oci:nginx:1.27 && dockvet image oci-layout:nginx:1.27
  docker save myapp:dev -o myapp.tar && dockvet image docker-archive:myapp.tar
  dockvet image --deep registry.example.com/team/api:1.4.2`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("dockvet image needs at least one image reference (see 'dockvet image --help')")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.image(cmd.Context(), args, &fl, &deep)
		},
	}
	f := cmd.Flags()
	addOutputFlags(cmd, &fl)
	f.StringVar(&fl.platform, "platform", "", "platform to read from a multi-platform image (default linux/amd64)")
	addRegistryFlags(f, &fl.registry)
	addDeepFlags(f, &deep)
	f.BoolVar(&fl.layers, "layers", false, "print each image's layers with the history entry that made them, empty entries and VOLUME paths, "+layersFlagHelp)
	return cmd
}

func (e *env) image(ctx context.Context, args []string, fl *lintFlags, deep *deepFlags) error {
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

	// Each distinct reference once, in the order given.
	var refs []string
	for _, a := range args {
		if !slices.Contains(refs, a) {
			refs = append(refs, a)
		}
	}
	inputs := make([]engine.ImageInput, len(refs))
	var sources []imagesrc.Source
	var at []int
	for i, ref := range refs {
		inputs[i].Name = ref
		src, err := imagesrc.Parse(ref)
		if err != nil {
			inputs[i].Err = err
			continue
		}
		sources = append(sources, src)
		at = append(at, i)
	}
	var resolver imagesrc.Resolver
	if slices.ContainsFunc(sources, func(s imagesrc.Source) bool { return !s.Local() }) {
		r, err := e.newResolver(cfg, &fl.registry, settings.parse.Platform)
		if err != nil {
			return err
		}
		resolver = r
	}
	for k, r := range imagesrc.Load(ctx, sources, settings.parse.Platform, resolver) {
		in := &inputs[at[k]]
		if r.Err != nil {
			in.Err = r.Err
			continue
		}
		in.Image = r.Image
		in.History, in.Lines, in.Err = imagesrc.HistoryDockerfile(r.Image)
	}
	deepErrs := e.readLayers(ctx, deep, &fl.registry, inputs, sources, at, resolver)

	res := eng.LintImages(inputs)
	addErrors(res, deepErrs)
	if fl.layers {
		if err := e.imageLayers(inputs, settings.rules.Limits, fl); err != nil {
			return err
		}
	}
	return e.finish(format, fl.format, e.reportOptions(fl.format, color, true, eng), res, settings.failOn)
}
