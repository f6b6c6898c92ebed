package main

import (
	"bytes"
	"fmt"
	"io"
	"runtime/debug"
	"slices"
	"strings"
	"sync"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/engine"
	"github.com/dockvet/dockvet/internal/hadolint"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/ruledoc"
	"github.com/dockvet/dockvet/rules"
)

func (e *env) explainCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "explain RULE",
		Short: "Explain a rule: why it matters, a bad and a good example, how to suppress it",
		Example: `  dockvet explain DV101
  dockvet explain latest-tag`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			r := lookupRule(args[0])
			if r == nil {
				if s := suggestRules(args[0]); len(s) > 0 {
					return usageErrorf("unknown rule %q; did you mean %s? (`dockvet rules` lists them)", args[0], strings.Join(s, " or "))
				}
				return usageErrorf("unknown rule %q; `dockvet rules` lists them", args[0])
			}
			return explainRule(e.stdout, r)
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return ruleCompletions(), cobra.ShellCompDirectiveNoFileComp
		},
	}
	return cmd
}

// suggestRules proposes rules for a name that designates none: those whose
// name holds it ("latest" → DV200 latest-tag) or whose id starts with it,
// else those whose id is one edit away or whose name two (a typo). At most
// three.
func suggestRules(query string) []string {
	q := strings.ToLower(strings.TrimSpace(query))
	if q == "" {
		return nil
	}
	var out []string
	add := func(r *rule.Rule) {
		if len(out) < 3 {
			out = append(out, r.ID+" "+r.Name)
		}
	}
	for _, r := range rules.All() {
		if slices.Contains(strings.Split(r.Name, "-"), q) || len(q) >= 3 && strings.Contains(r.Name, q) ||
			len(q) >= 3 && strings.HasPrefix(strings.ToLower(r.ID), q) {
			add(r)
		}
	}
	if len(out) > 0 {
		return out
	}
	for _, r := range rules.All() {
		if engine.EditDistance(q, strings.ToLower(r.ID)) <= 1 || engine.EditDistance(q, r.Name) <= 2 {
			add(r)
		}
	}
	return out
}

func ruleCompletions() []string {
	var out []string
	for _, r := range rules.All() {
		out = append(out, r.ID+"\t"+r.Name, r.Name+"\t"+r.ID)
	}
	return out
}

func completeValues(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

func completeRules(cmd *cobra.Command, flags ...string) {
	for _, fl := range flags {
		_ = cmd.RegisterFlagCompletionFunc(fl, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return ruleCompletions(), cobra.ShellCompDirectiveNoFileComp
		})
	}
}

// version, commit and date are set at build time by `make release` with
// -ldflags "-X main.version=... -X main.commit=... -X main.date=..."
// (date is the commit date, so two builds of one commit are identical).
// Unset, the module version and the VCS stamp of the build info are used
// (go install ...@v1.2.3, go build in a checkout).
var (
	version = ""
	commit  = ""
	date    = ""
)

// versionString is the release version, "devel" for a source build.
// buildInfo is debug.ReadBuildInfo parsed once: every run names its version
// (--version, report tool info), and the parse reads the whole module list.
var buildInfo = sync.OnceValues(debug.ReadBuildInfo)

func versionString() string {
	v := version
	if bi, ok := buildInfo(); ok && v == "" {
		v = bi.Main.Version
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v
}

// versionLine is what `dockvet version` and `dockvet --version` print:
// "dockvet v1.2.3 commit 0123456789ab built 2026-12-04T01:02:03Z go1.26.8",
// parts unknown left out.
func versionLine() string {
	v, goVersion, rev, built := versionString(), "", commit, date
	if bi, ok := buildInfo(); ok {
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				rev = s.Value
			case s.Key == "vcs.time" && date == "":
				built = s.Value
			}
		}
	}
	parts := []string{"dockvet " + v}
	if rev != "" {
		parts = append(parts, "commit "+rev[:min(12, len(rev))])
	}
	if built != "" {
		parts = append(parts, "built "+built)
	}
	if goVersion != "" {
		parts = append(parts, goVersion)
	}
	return strings.Join(parts, " ")
}

func (e *env) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version (also --version)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(e.stdout, versionLine())
			return nil
		},
	}
}

// explainRule prints a rule's documentation with, before its link, what
// hadolint and BuildKit call the same check (for users switching).
func explainRule(w io.Writer, r *rule.Rule) error {
	var doc bytes.Buffer
	if err := ruledoc.Text(&doc, r); err != nil {
		return err
	}
	text := doc.String()
	at := strings.LastIndex(text, "\nMore: ")
	if at < 0 {
		at = len(text)
	}
	eq := hadolint.Equivalents(r.ID)
	if r.Group == ruledoc.BuildKit {
		// The rule is BuildKit's check itself, under BuildKit's name.
		eq = strings.Replace(eq, "BuildKit: —", "BuildKit: "+r.ID+" (this rule; docker build --check reports it too)", 1)
	}
	_, err := fmt.Fprintf(w, "%s\nEquivalents: %s\n%s", text[:at], eq, text[at:])
	return err
}
