package buildctx

import (
	"errors"
	"io"

	"github.com/dockvet/dockvet/internal/safefile"
)

// ErrNotAFile is returned by Head for a match that is not a regular file
// of the context (a directory, a link inside a copied tree, a device).
var ErrNotAFile = errors.New("not a regular file of the build context")

// Head returns the first n bytes of a file match (fewer when the file is
// shorter), for rules that tell a file's format by its content (an archive
// by its magic bytes). It reads through safefile: a FIFO, a device or a
// path swapped since the tree was read is refused, and no more than n bytes
// are read.
func (c *Context) Head(m Match, n int) ([]byte, error) {
	if m.f == nil || m.f.kind != kindFile || m.Dir {
		return nil, ErrNotAFile
	}
	f, _, err := safefile.Open(c.abs(m.Path))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, n)
	k, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:k], nil
}
