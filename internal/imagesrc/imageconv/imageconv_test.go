package imageconv

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestFromConfig(t *testing.T) {
	raw := `{"architecture":"arm64","variant":"v8","os":"linux","config":{"User":"1000","Volumes":{"/b":{},"/a":{}},"Cmd":["x"],"Entrypoint":["/bin/sh","-c","y"],"Shell":["/bin/bash","-c"],"Env":["A=1"],"WorkingDir":"/app"},
	  "history":[{"created_by":"ADD x /"},{"created_by":"RUN /bin/sh -c true # buildkit","comment":"buildkit.dockerfile.v0","empty_layer":true}]}`
	cf, err := v1.ParseConfigFile(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	m := &v1.Manifest{Layers: []v1.Descriptor{
		{MediaType: "application/vnd.oci.image.layer.v1.tar+gzip", Size: 42, Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("a", 64)}},
		{Size: 7},
	}}
	img := FromConfig("app:1", "sha256:abc", cf, m)
	if img.Ref != "app:1" || img.Digest != "sha256:abc" || img.OS != "linux" || img.Architecture != "arm64" || img.Variant != "v8" {
		t.Errorf("identity %+v", img)
	}
	if img.User != "1000" || !slices.Equal(img.Volumes, []string{"/a", "/b"}) || !slices.Equal(img.Cmd, []string{"x"}) ||
		!slices.Equal(img.Entrypoint, []string{"/bin/sh", "-c", "y"}) || !slices.Equal(img.Shell, []string{"/bin/bash", "-c"}) ||
		!slices.Equal(img.Env, []string{"A=1"}) || img.WorkingDir != "/app" {
		t.Errorf("config %+v", img)
	}
	if len(img.History) != 2 || img.History[1].CreatedBy != "RUN /bin/sh -c true # buildkit" || !img.History[1].EmptyLayer || img.History[1].Comment != "buildkit.dockerfile.v0" {
		t.Errorf("history %+v", img.History)
	}
	if len(img.Layers) != 2 || img.Layers[0].Digest != "sha256:"+strings.Repeat("a", 64) || img.Layers[0].Size != 42 || img.Layers[1].Digest != "" {
		t.Errorf("layers %+v", img.Layers)
	}
	if img.CompressedSize() != 49 {
		t.Errorf("size %d", img.CompressedSize())
	}
	// Nothing is shared with the config.
	cf.Config.Cmd[0] = "changed"
	if img.Cmd[0] != "x" {
		t.Error("Cmd shares the config's slice")
	}
	if img := FromConfig("r", "", &v1.ConfigFile{}, nil); img.History != nil || img.Layers != nil || img.Volumes != nil {
		t.Errorf("empty config: %+v", img)
	}
}
