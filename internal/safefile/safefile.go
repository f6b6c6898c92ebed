// Package safefile reads files that dockvet did not create itself (Dockerfiles,
// .dockvet.yaml, .dockerignore, image archives and layouts) and cache files
// that anyone with write access to the cache directory may have replaced.
// Such a path may be a symbolic link to a FIFO (opening or reading it blocks
// forever), to a device such as /dev/zero (reading it never ends) or to a
// kernel pseudo-file such as /proc/self/environ (reading it prints the
// process's secrets). Every function here opens without blocking, checks what
// was actually opened (not what the path named a moment before), and refuses
// anything but a regular file on an ordinary file system.
//
// Use ReadFile for a whole small file with a size limit, Open for a file that
// is streamed (an archive, a compressed cache entry) and must itself be
// bounded by the caller, for example with io.LimitReader. Both return
// *NotRegularError and *TooLargeError values that callers can inspect with
// errors.As; other errors come from the os package unchanged, so
// errors.Is(err, fs.ErrNotExist) still works.
package safefile

import (
	"fmt"
	"io"
	"io/fs"
	"os"
)

// NotRegularError is a path that is not a regular file: a directory, a named
// pipe, a socket, a device, or a pseudo-file of the kernel (/proc, /sys).
type NotRegularError struct {
	Path string
	// What describes the file: "a directory", "a named pipe (FIFO)",
	// "a device", "a socket", "a kernel pseudo-file", ...
	What string
}

func (e *NotRegularError) Error() string {
	return fmt.Sprintf("%s is not a regular file (it is %s)", e.Path, e.What)
}

// TooLargeError is a file larger than the limit its reader allows.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s is larger than %s", e.Path, FormatLimit(e.Limit))
}

// FormatLimit renders a byte limit for messages: "16 MiB", "1 KiB", "100 bytes".
func FormatLimit(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// Describe names a non-regular file mode ("a named pipe (FIFO)", "a
// device"...), as NotRegularError.What does.
func Describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "not a regular file"
}

// FileID identifies a file: its device and inode numbers. The zero FileID
// is unknown (stdin, or a system that gives none) and matches any file.
type FileID struct{ Dev, Ino uint64 }

// Known reports whether id identifies a file.
func (id FileID) Known() bool { return id != FileID{} }

// ChangedError is a path that names another file when it is opened than it
// did when it was examined: a link or file swapped in between (or a race
// with an editor's atomic save). The file is not read.
type ChangedError struct{ Path string }

func (e *ChangedError) Error() string {
	return e.Path + " changed while it was being opened: not read"
}

// Open opens path (following symbolic links) for reading and returns the
// open file with its FileInfo, or a *NotRegularError when path is not a
// regular file on an ordinary file system. The caller closes the file and
// bounds what it reads.
//
// A device is refused before it is opened (opening /dev/watchdog arms it,
// opening a tape rewinds it, a terminal could become the controlling one):
// the path is stat'ed first. What was opened is checked again, since the path
// may have been swapped since the stat: it must be a regular file and the
// very file the stat saw (device and inode), or the open is refused with a
// *ChangedError. The open never blocks, even on a FIFO swapped in.
func Open(path string) (*os.File, fs.FileInfo, error) {
	return OpenSame(path, FileID{})
}

// OpenSame is Open for a file examined earlier (by discovery, say) whose
// identity was then want: a path that now leads to another file is refused
// with a *ChangedError. A zero want checks only what Open checks.
func OpenSame(path string, want FileID) (*os.File, fs.FileInfo, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	if !before.Mode().IsRegular() {
		return nil, nil, &NotRegularError{Path: path, What: Describe(before.Mode())}
	}
	if want.Known() && IDOf(before) != want {
		return nil, nil, &ChangedError{Path: path}
	}
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		_ = f.Close()
		return nil, nil, &NotRegularError{Path: path, What: Describe(st.Mode())}
	}
	if !os.SameFile(before, st) {
		_ = f.Close()
		return nil, nil, &ChangedError{Path: path}
	}
	if pseudo, err := onPseudoFS(f); err != nil || pseudo {
		_ = f.Close()
		if err == nil {
			err = &NotRegularError{Path: path, What: "a kernel pseudo-file"}
		}
		return nil, nil, err
	}
	return f, st, nil
}

// ReadFile reads the regular file at path, which may be a symbolic link to
// one, refusing it with a *TooLargeError when it holds more than limit bytes
// (it never reads more than limit+1) and with a *NotRegularError when it is
// not a regular file: see Open. A file that yields more bytes than its size
// said is a pseudo-file generated as it is read, and is refused too.
func ReadFile(path string, limit int64) ([]byte, error) {
	return ReadFileSame(path, limit, FileID{})
}

// ReadFileSame is ReadFile for a file examined earlier whose identity was
// then want (see OpenSame).
func ReadFileSame(path string, limit int64, want FileID) ([]byte, error) {
	f, st, err := OpenSame(path, want)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st.Size() > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("reading %s: %w", path, err)
	case int64(len(data)) > limit:
		return nil, &TooLargeError{Path: path, Limit: limit}
	case int64(len(data)) > st.Size():
		return nil, &NotRegularError{Path: path, What: "a file that grows as it is read"}
	}
	return data, nil
}
