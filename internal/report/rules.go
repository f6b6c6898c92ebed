package report

// rulesListers are the formats that describe the rules that ran
// (Options.Rules): SARIF's tool.driver.rules. The others never read them,
// so a caller may leave Options.Rules empty for them and save rendering
// every rule's documentation (most of a one-file run's own work).
var rulesListers = map[string]bool{"sarif": true}

// ListsRules reports whether the named format writes Options.Rules.
func ListsRules(format string) bool { return rulesListers[format] }
