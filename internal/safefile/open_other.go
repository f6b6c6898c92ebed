//go:build !unix

package safefile

// openFlags: there is no O_NONBLOCK to add on this system.
const openFlags = 0
