package rules

import (
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func TestLatestTagImage(t *testing.T) {
	img := func(ref string) *image.Image { return testImage(ref, nil, debianBase...) }
	runImageCases(t, LatestTag, []builtImageCase{
		{"latest", img("nginx:latest"), []string{`0:0-0:0 image nginx:latest: the tag "latest" moves with every push`}},
		{"docker:// prefix", img("docker://ghcr.io/org/app:latest"), []string{"0:0-0:0 image ghcr.io/org/app:latest:"}},
		{"registry port", img("localhost:5000/app:latest"), []string{"0:0-0:0 image localhost:5000/app:latest:"}},
		{"pinned by digest", img("nginx:latest@sha256:" + sha), nil},
		{"version tag", img("nginx:1.27"), nil},
		{"no tag is DV201's", img("nginx"), nil},
		{"OCI layout tag", img("oci-layout:out:latest"), nil},
		{"docker archive", img("docker-archive:app.tar:app:latest"), nil},
	})
}

const sha = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
