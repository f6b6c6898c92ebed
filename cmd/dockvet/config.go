package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/hadolint"
	"github.com/dockvet/dockvet/internal/report"
)

// ruleExists reports whether a rule id (a hadolint mapping target) is a rule
// of this build.
func ruleExists(id string) bool {
	r := lookupRule(id)
	return r != nil && r.ID == id
}

// findConfig returns the config that applies to dir: the nearest
// .dockvet.yaml, else the nearest .hadolint.yaml (both up to the repository
// root), else "". fd remembers what it examined (nil: nothing).
func findConfig(fd *config.Finder, dir string) (string, error) {
	p, err := fd.Find(dir)
	if err != nil || p != "" {
		return p, err
	}
	return fd.FindHadolint(dir)
}

// loadFoundConfig loads a file findConfig returned; a hadolint config is
// converted, and what of it dockvet cannot use is noted on stderr.
func loadFoundConfig(path string, stderr io.Writer) (*config.Config, error) {
	if !config.IsHadolintFile(path) {
		return config.LoadFound(path)
	}
	return loadHadolintConfig(path, config.LoadFoundHadolint, stderr)
}

// loadHadolintConfig converts the hadolint config that load reads.
func loadHadolintConfig(path string, load func(string) (*config.Hadolint, error), stderr io.Writer) (*config.Config, error) {
	h, err := load(path)
	if err != nil {
		return nil, err
	}
	cfg, notes := h.Config(ruleExists)
	for _, n := range notes {
		fmt.Fprintf(stderr, "dockvet: note: %s\n", report.Escape(n))
	}
	return cfg, nil
}

func (e *env) configCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Work with configuration files",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:   "migrate [FILE]",
		Short: "Print the .dockvet.yaml equivalent to a .hadolint.yaml",
		Long: `migrate reads a hadolint config (FILE, or the nearest .hadolint.yaml or
.hadolint.yml from the working directory up to the repository root) and
prints the equivalent .dockvet.yaml on stdout. hadolint codes become the
dockvet rules they map to; every code and key with no dockvet equivalent is
kept as a comment, so nothing is dropped without a word.`,
		Example: `  dockvet config migrate > .dockvet.yaml
  dockvet config migrate ci/.hadolint.yml`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var (
				h   *config.Hadolint
				err error
			)
			if len(args) == 1 {
				h, err = config.LoadHadolint(args[0])
			} else {
				var wd, p string
				if wd, err = os.Getwd(); err == nil {
					p, err = config.FindHadolint(wd)
				}
				if err == nil && p == "" {
					return &codeError{code: exitError, err: fmt.Errorf("no %s found from %s up to the repository root; name the file: dockvet config migrate FILE", strings.Join(config.HadolintFileNames, " or "), wd)}
				}
				if err == nil {
					h, err = config.LoadFoundHadolint(p)
				}
			}
			if err != nil {
				return &codeError{code: exitError, err: err}
			}
			_, err = io.WriteString(e.stdout, migrateHadolint(h))
			return err
		},
	})
	return cmd
}

// migrateHadolint writes the .dockvet.yaml equivalent to h, with a comment
// for each code and key that has no dockvet equivalent.
func migrateHadolint(h *config.Hadolint) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Converted from %s by `dockvet config migrate`.\n", h.Path)

	switch {
	case h.NoFail:
		b.WriteString("fail-on: none  # no-fail: true\n")
	case h.FailureThreshold != nil:
		fmt.Fprintf(&b, "fail-on: %s  # failure-threshold: %s\n", h.FailureThreshold.Level, h.FailureThreshold.Name)
	}

	if len(h.Ignored) > 0 {
		b.WriteString("ignore:\n")
		index := map[string]int{}
		var ids []string
		var codes [][]string
		var missing []string
		for _, c := range h.Ignored {
			targets := hadolint.ExistingTargets(c.Name, ruleExists)
			if len(targets) == 0 {
				missing = append(missing, noEquivalent(c.Name))
				continue
			}
			for _, id := range targets {
				i, ok := index[id]
				if !ok {
					i = len(ids)
					index[id] = i
					ids = append(ids, id)
					codes = append(codes, nil)
				}
				codes[i] = append(codes[i], c.Name)
			}
		}
		for i, id := range ids {
			fmt.Fprintf(&b, "  - %s  # %s\n", id, strings.Join(codes[i], ", "))
		}
		for _, m := range missing {
			fmt.Fprintf(&b, "  # %s\n", m)
		}
	}

	if len(h.Override) > 0 {
		b.WriteString("severity:\n")
		for _, s := range h.Severities(ruleExists) {
			fmt.Fprintf(&b, "  %s: %s  # %s\n", s.Rule.Name, s.Level, strings.Join(s.Codes, ", "))
		}
		for _, o := range h.Override {
			if len(hadolint.ExistingTargets(o.Code.Name, ruleExists)) == 0 {
				fmt.Fprintf(&b, "  # %s: %s\n", o.Level.Name, noEquivalent(o.Code.Name))
			}
		}
	}

	if len(h.TrustedRegistries) > 0 {
		b.WriteString("trusted-registries:")
		for _, r := range h.TrustedRegistries {
			fmt.Fprintf(&b, "\n  - %s", yamlString(r))
		}
		b.WriteString("  # trustedRegistries\n")
	}
	if len(h.LabelSchema) > 0 {
		b.WriteString("label-schema:\n")
		for _, l := range h.LabelSchema {
			fmt.Fprintf(&b, "  %s: %s\n", yamlString(l.Label), yamlString(l.Type))
		}
	}
	if h.StrictLabels != nil {
		fmt.Fprintf(&b, "strict-labels: %t\n", *h.StrictLabels)
	}
	for _, k := range h.Unused {
		fmt.Fprintf(&b, "# hadolint setting %q has no .dockvet.yaml equivalent%s\n", k, unusedHint(k))
	}
	return b.String()
}

// unusedHint says where a hadolint setting went, when it went somewhere.
func unusedHint(setting string) string {
	switch setting {
	case "format":
		return " (use --format)"
	case "no-color":
		return " (use --color never, or NO_COLOR)"
	}
	return ""
}

// noEquivalent explains why a hadolint code became a comment.
func noEquivalent(code string) string {
	if strings.HasPrefix(strings.ToUpper(code), "SC") {
		return code + ": ShellCheck code, dockvet does not run ShellCheck"
	}
	if t := hadolint.Targets(code); len(t) > 0 {
		return code + ": maps to " + strings.Join(t, ", ") + ", not in this version of dockvet"
	}
	return code + ": no dockvet equivalent"
}

// yamlString quotes a value for YAML when it needs it; a JSON string is a
// valid YAML double-quoted scalar.
func yamlString(s string) string {
	plain := s != "" && strings.IndexFunc(s, notPlainYAML) < 0
	if plain && !strings.ContainsAny(s[:1], "-.") && !isYAMLKeyword(s) {
		return s
	}
	q, _ := json.Marshal(s)
	return string(q)
}

// notPlainYAML reports a rune that may need quoting in a YAML scalar.
func notPlainYAML(r rune) bool {
	return (r < '0' || r > '9') && (r < 'a' || r > 'z') && (r < 'A' || r > 'Z') && !strings.ContainsRune("._-/", r)
}

func isYAMLKeyword(s string) bool {
	switch strings.ToLower(s) {
	case "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~":
		return true
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			if r != '.' {
				return false
			}
		}
	}
	return true // a number
}
