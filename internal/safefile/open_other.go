//go:build !unix

package safefile

import "io/fs"

// openFlags: there is no O_NONBLOCK to add on this system.
const openFlags = 0

// IDOf: this system gives no device and inode numbers through os.Stat, so
// files cannot be compared (the zero FileID compares as unknown).
func IDOf(fs.FileInfo) FileID { return FileID{} }
