//go:build !linux

package safefile

// readExamined: only Linux has the bare path (its pseudo file systems are
// told by fstatfs); elsewhere ReadExamined is ReadFileSame.
func readExamined(string, int64, FileID) ([]byte, bool, error) { return nil, false, nil }
