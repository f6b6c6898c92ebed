package report

// sourceReaders are the formats that read a file's source lines (the lines
// given to Stream.File, Result.Sources): text prints the line under each
// finding, SARIF its snippet and GitLab hashes it into the fingerprint. The
// others never read them, so a caller may leave them out for those formats
// and save keeping and masking the lines of every file with findings.
var sourceReaders = map[string]bool{"text": true, "sarif": true, "gitlab": true}

// ReadsSources reports whether the named format reads source lines.
func ReadsSources(format string) bool { return sourceReaders[format] }
