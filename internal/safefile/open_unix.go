//go:build unix

package safefile

import (
	"io/fs"
	"syscall"
)

// openFlags: O_NONBLOCK makes opening a FIFO return at once instead of
// waiting for a writer (the fstat that follows then refuses it); O_NOCTTY
// keeps a terminal from becoming the process's controlling terminal. Neither
// changes how a regular file reads. Devices never reach the open: Open
// refuses them from a stat first.
const openFlags = syscall.O_NONBLOCK | syscall.O_NOCTTY

// IDOf is the device and inode of the file fi describes.
func IDOf(fi fs.FileInfo) FileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return FileID{}
	}
	return FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)} //nolint:unconvert // Dev is int32 on some systems
}
