package imageconv

import (
	"errors"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

func TestIsIndex(t *testing.T) {
	for _, tt := range []struct {
		name     string
		raw      string
		declared types.MediaType
		index    bool
		err      string // "" no error, "schema1", "json", "unknown"
	}{
		{"oci index by mediaType", `{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`, "", true, ""},
		{"docker manifest by mediaType", `{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{}}`, "", false, ""},
		{"the document wins over the declared type", `{"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{}}`, types.OCIImageIndex, false, ""},
		{"index by shape", `{"schemaVersion":2,"manifests":[]}`, "", true, ""},
		{"manifest by shape", `{"schemaVersion":2,"config":{}}`, "", false, ""},
		{"declared type when the document says nothing", `{"schemaVersion":2}`, types.DockerManifestList, true, ""},
		{"schema 1", `{"schemaVersion":1,"fsLayers":[]}`, "", false, "schema1"},
		{"not JSON", `{nope`, "", false, "json"},
		{"nothing to go by", `{}`, "", false, "unknown"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, err := IsIndex([]byte(tt.raw), tt.declared)
			switch tt.err {
			case "":
				if err != nil || got != tt.index {
					t.Errorf("got %v, %v; want %v", got, err, tt.index)
				}
			case "schema1":
				if !errors.Is(err, ErrSchema1) {
					t.Errorf("err = %v, want ErrSchema1", err)
				}
			default:
				if err == nil || errors.Is(err, ErrSchema1) {
					t.Errorf("err = %v, want a %s error", err, tt.err)
				}
			}
		})
	}
}
