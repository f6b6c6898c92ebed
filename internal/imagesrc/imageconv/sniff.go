package imageconv

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-containerregistry/pkg/v1/types"
)

// ErrSchema1 refuses Docker schema 1 manifests (Docker before 1.10).
var ErrSchema1 = errors.New("schema 1 manifests (Docker before 1.10) are not supported")

// IsIndex tells an index from an image manifest: by the document's own
// mediaType, else by its shape (manifests or config), else by the media
// type declared for it (descriptor or Content-Type). A schema 1 manifest
// is ErrSchema1; a document that is no JSON object wraps its JSON error.
func IsIndex(raw []byte, declared types.MediaType) (bool, error) {
	var probe struct {
		SchemaVersion int             `json:"schemaVersion"`
		MediaType     types.MediaType `json:"mediaType"`
		Manifests     json.RawMessage `json:"manifests"`
		Config        json.RawMessage `json:"config"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		return false, fmt.Errorf("invalid JSON: %w", err)
	}
	t := probe.MediaType
	switch {
	case t != "":
	case probe.Manifests != nil:
		t = types.OCIImageIndex
	case probe.Config != nil:
		t = types.OCIManifestSchema1
	default:
		t = declared
	}
	if probe.SchemaVersion == 1 || t == types.DockerManifestSchema1 || t == types.DockerManifestSchema1Signed {
		return false, ErrSchema1
	}
	switch {
	case t.IsIndex():
		return true, nil
	case t.IsImage():
		return false, nil
	}
	return false, fmt.Errorf("not an image manifest or index (media type %q)", t)
}
