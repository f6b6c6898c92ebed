package report

// What each format reads of what a caller may leave out: a caller asks
// before it does the work, and TestFormatsReadWhatTheySay holds the formats
// to these answers.

// rulesListers are the formats that describe the rules that ran
// (Options.Rules): SARIF's tool.driver.rules. The others never read them,
// so a caller may leave Options.Rules empty for them and save rendering
// every rule's documentation (most of a one-file run's own work).
var rulesListers = map[string]bool{"sarif": true}

// ListsRules reports whether the named format writes Options.Rules.
func ListsRules(format string) bool { return rulesListers[format] }

// sourceReaders are the formats that read a file's source lines (the lines
// given to Stream.File, Result.Sources): text prints the line under each
// finding, SARIF its snippet and GitLab hashes it into the fingerprint. The
// others never read them, so a caller may leave them out for those formats
// and save keeping and masking the lines of every file with findings.
var sourceReaders = map[string]bool{"text": true, "sarif": true, "gitlab": true}

// ReadsSources reports whether the named format reads source lines.
func ReadsSources(format string) bool { return sourceReaders[format] }
