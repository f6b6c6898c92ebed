package report

// What each format reads of what a caller may leave out: a caller asks
// before it does the work, and TestFormatsReadWhatTheySay holds the formats
// to these answers. Functions, not maps: nothing to build at start-up.

// ListsRules reports whether the named format writes Options.Rules, the
// rules that ran: SARIF's tool.driver.rules. The others never read them,
// so a caller may leave Options.Rules empty for them and save rendering
// every rule's documentation (most of a one-file run's own work).
func ListsRules(format string) bool { return format == "sarif" }

// ReadsSources reports whether the named format reads a file's source
// lines (the lines given to Stream.File, Result.Sources): text prints the
// line under each finding, SARIF its snippet and GitLab hashes it into the
// fingerprint. The others never read them, so a caller may leave them out
// for those formats and save keeping and masking the lines of every file
// with findings.
func ReadsSources(format string) bool {
	switch format {
	case "text", "sarif", "gitlab":
		return true
	}
	return false
}
