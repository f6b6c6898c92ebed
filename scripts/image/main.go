// Command image builds dockvet's own OCI image without a Docker daemon
// (`make image`): an index for linux/amd64 and linux/arm64, each image the
// static binary, CA certificates and the user 65532 (see internal/distbuild).
//
//	go run ./scripts/image [-out bin/image] [-push registry/repo:tag] [-bin-dir dist]
//	go run ./scripts/image -rootfs DIR    # the base files only, for the root Dockerfile
//
// The layout's manifest is tagged with the version (oci-layout:bin/image:VERSION).
// Pushing uses the Docker credential chain, as `docker push` would.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockvet/dockvet/internal/distbuild"
)

func main() {
	out := flag.String("out", "bin/image", "OCI layout directory to write (replaced)")
	push := flag.String("push", os.Getenv("IMAGE"), "also push the index to this reference (default $IMAGE)")
	version := flag.String("version", os.Getenv("VERSION"), "version to stamp (default: git describe --tags --always --dirty)")
	binDir := flag.String("bin-dir", "", "take dockvet-linux-amd64 and dockvet-linux-arm64 from this directory (make release's dist/) instead of building them")
	rootfs := flag.String("rootfs", "", "only write the image's base files (passwd, group, CA certificates, directories) under this directory")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	var err error
	if *rootfs != "" {
		err = distbuild.WriteRootfs(*rootfs)
	} else {
		err = build(ctx, *out, *push, *version, *binDir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "image:", err)
		os.Exit(1)
	}
}

func build(ctx context.Context, out, push, version, binDir string) error {
	stamp, err := distbuild.StampFromGit(ctx, ".", version)
	if err != nil {
		return err
	}
	binaries := map[string]string{}
	if binDir == "" {
		tmp, err := os.MkdirTemp("", "dockvet-image-")
		if err != nil {
			return err
		}
		defer func() { _ = os.RemoveAll(tmp) }()
		binDir = tmp
		for _, t := range distbuild.Platforms {
			if err := distbuild.Build(ctx, ".", t, stamp, filepath.Join(tmp, t.BinaryName())); err != nil {
				return err
			}
		}
	}
	for _, t := range distbuild.Platforms {
		binaries[t.String()] = filepath.Join(binDir, t.BinaryName())
	}
	idx, err := distbuild.Index(binaries, stamp)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	p, err := layout.Write(out, empty.Index)
	if err != nil {
		return err
	}
	tag := strings.NewReplacer("+", "_", "/", "_").Replace(stamp.Version)
	if err := p.AppendIndex(idx, layout.WithAnnotations(map[string]string{
		"org.opencontainers.image.ref.name": tag,
	})); err != nil {
		return err
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	fmt.Printf("oci-layout:%s:%s  %s\n", out, tag, digest)
	if push == "" {
		return nil
	}
	ref, err := name.ParseReference(push)
	if err != nil {
		return err
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	fmt.Printf("pushed %s@%s\n", ref.Context(), digest)
	return nil
}
