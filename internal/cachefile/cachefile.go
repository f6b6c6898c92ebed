// Package cachefile writes dockvet's on-disk cache entries (image configs and
// manifests, tag answers, layer listings) so that a reader never sees a
// partial file: the content goes to a temporary file in the same directory,
// which is renamed into place only when complete. Concurrent dockvet runs may
// share one cache; the last complete write wins.
package cachefile

import (
	"io"
	"os"
	"path/filepath"
)

// Write creates or replaces p with what write produces; on any error the
// previous content (if any) stays and the temporary file is removed.
func Write(p string, write func(io.Writer) error) error {
	dir := filepath.Dir(p)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	werr := write(f)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(tmp, p)
	}
	if werr != nil {
		_ = os.Remove(tmp)
	}
	return werr
}
