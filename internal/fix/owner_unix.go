//go:build unix

package fix

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives the new file the old one's owner and group, where the
// process may (root may; others may keep their own files' group).
func keepOwner(f *os.File, fi fs.FileInfo) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		_ = f.Chown(int(st.Uid), int(st.Gid))
	}
}

// writable reports whether this process may write the file.
func writable(path string) bool { return syscall.Access(path, 0x2 /* W_OK */) == nil }
