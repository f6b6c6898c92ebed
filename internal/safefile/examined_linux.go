package safefile

import (
	"fmt"
	"os"
	"sync"
	"syscall"
)

// readExamined reads path without an *os.File: os.OpenFile would register
// every descriptor with the network poller (an epoll_ctl that fails with
// EPERM on a regular file) and io.ReadAll would grow its buffer from 512
// bytes, where the fstat tells the size. ok is false when the file is not
// what the caller examined, not an ordinary regular file, or grew while it
// was read, and when it cannot be opened: the caller then goes the careful
// way, which names the problem. Errors of the reads are returned as
// (*os.File).Read would return them.
func readExamined(path string, limit int64, want FileID) (data []byte, ok bool, err error) {
	var fd int
	for {
		fd, err = syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC|openFlags, 0)
		if err != syscall.EINTR {
			break
		}
	}
	if err != nil {
		return nil, false, nil
	}
	defer syscall.Close(fd) //nolint:errcheck // opened read-only: nothing to flush
	var st syscall.Stat_t
	if err := fstat(fd, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG ||
		(FileID{Dev: uint64(st.Dev), Ino: uint64(st.Ino)}) != want { //nolint:unconvert // Dev is int32 on some systems
		return nil, false, nil
	}
	if pseudo, err := devOnPseudoFS(fd, uint64(st.Dev)); err != nil || pseudo { //nolint:unconvert // Dev is int32 on some systems
		return nil, false, nil
	}
	if st.Size > limit {
		return nil, true, &TooLargeError{Path: path, Limit: limit}
	}
	// One byte more than the size, so that a file that grew is seen
	// without a second buffer.
	buf := make([]byte, st.Size+1)
	n := 0
	for n < len(buf) {
		m, err := syscall.Read(fd, buf[n:])
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return nil, true, fmt.Errorf("reading %s: %w", path, &os.PathError{Op: "read", Path: path, Err: err})
		case m == 0:
			return buf[:n:n], true, nil
		}
		n += m
	}
	return nil, false, nil // it grew
}

// pseudoDevs remembers, by device number, whether a file system is a
// pseudo file system: a run reads thousands of files from a few file
// systems, and their type does not change while one is mounted. It is
// never cleared: a device number freed by an unmount may be reused, which
// a short dockvet run does not live to see (a long-lived process would
// need to forget entries).
var pseudoDevs sync.Map // uint64 -> bool

// devOnPseudoFS reports whether fd, on device dev, lives on a pseudo file
// system, asking the kernel once per device.
func devOnPseudoFS(fd int, dev uint64) (bool, error) {
	if pseudo, ok := pseudoDevs.Load(dev); ok {
		return pseudo.(bool), nil
	}
	var fsst syscall.Statfs_t
	if err := fstatfs(fd, &fsst); err != nil {
		return false, err
	}
	pseudo := pseudoFS(uint32(fsst.Type))
	pseudoDevs.Store(dev, pseudo)
	return pseudo, nil
}

func fstat(fd int, st *syscall.Stat_t) error {
	for {
		if err := syscall.Fstat(fd, st); err != syscall.EINTR {
			return err
		}
	}
}

func fstatfs(fd int, st *syscall.Statfs_t) error {
	for {
		if err := syscall.Fstatfs(fd, st); err != syscall.EINTR {
			return err
		}
	}
}
