package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/dockvet/dockvet/internal/safefile"
)

// Writer writes fixed files. The zero value writes to the file system;
// Wrap, when set, wraps the temporary file's writer (tests make it fail, as
// a full disk would).
type Writer struct {
	Wrap func(io.Writer) io.Writer
}

// ReadOnlyError is a file that --fix may not change.
type ReadOnlyError struct{ Path string }

func (e *ReadOnlyError) Error() string { return e.Path + ": file is read-only; not changed" }

// WriteFile replaces the file at path, whose content was orig when it was
// read, with data: atomically (a temporary file in the same directory,
// renamed over the file), keeping its mode and, where allowed, its owner and
// group. A symbolic link is kept and its target written. The file is left
// alone, and an error returned, when it is read-only or no longer holds
// orig (changed or replaced since it was read, even by a file with the
// same content: its identity is checked, when want is known).
func (w Writer) WriteFile(path string, want safefile.FileID, orig, data []byte) (err error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	fi, err := os.Stat(target)
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &safefile.NotRegularError{Path: path, What: safefile.Describe(fi.Mode())}
	}
	if fi.Mode().Perm()&0o222 == 0 || !writable(target) {
		return &ReadOnlyError{Path: path}
	}
	if err := unchanged(target, want, orig); err != nil {
		return err
	}
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".dockvet-fix-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	var out io.Writer = tmp
	if w.Wrap != nil {
		out = w.Wrap(tmp)
	}
	if _, err = out.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err = tmp.Chmod(fi.Mode().Perm() | fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return err
	}
	keepOwner(tmp, fi)
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	// Last look before the rename: the file may have been changed while
	// the temporary file was written.
	if err = unchanged(target, want, orig); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	return nil
}

// unchanged checks that the file at path is still the one read (want,
// when known) and still holds orig.
func unchanged(path string, want safefile.FileID, orig []byte) error {
	cur, err := safefile.ReadFileSame(path, int64(len(orig))+1, want)
	if err != nil {
		var ch *safefile.ChangedError
		if errors.As(err, &ch) {
			return fmt.Errorf("%s was replaced while dockvet ran; not changed", path)
		}
		var tl *safefile.TooLargeError
		if !errors.As(err, &tl) {
			return err
		}
	}
	if !bytes.Equal(cur, orig) {
		return fmt.Errorf("%s was changed while dockvet ran; not changed", path)
	}
	return nil
}
