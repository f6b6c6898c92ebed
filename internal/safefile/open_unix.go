//go:build unix

package safefile

import "syscall"

// openFlags makes opening a FIFO return at once instead of waiting for a
// writer; the fstat that follows then refuses it. It has no effect on a
// regular file.
const openFlags = syscall.O_NONBLOCK
