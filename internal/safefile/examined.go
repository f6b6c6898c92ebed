package safefile

// ReadExamined is ReadFileSame for a file the caller has just examined (with
// stat, following links) and found to be a regular file whose identity was
// want: discovery does that for every file it lists. The stat before the
// open is then the caller's, not repeated here, and on Linux the file is
// read with bare system calls sized from its fstat: one open, one fstat, one
// fstatfs, a read of the whole file and one that sees its end. The checks
// on what was opened stay those of OpenSame: a regular file, the very file
// examined, not on a kernel pseudo file system, no larger than limit and
// not growing as it is read. Whenever one of them fails the file is read
// again through ReadFileSame, so a refusal carries the same error as before
// (ReadFileSame stats first, so it never opens a device swapped in).
//
// A zero want (nothing was examined) is ReadFileSame itself.
func ReadExamined(path string, limit int64, want FileID) ([]byte, error) {
	if !want.Known() {
		return ReadFileSame(path, limit, want)
	}
	data, ok, err := readExamined(path, limit, want)
	if !ok {
		return ReadFileSame(path, limit, want)
	}
	return data, err
}
