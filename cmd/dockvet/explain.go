package main

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

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
				return usageErrorf("unknown rule %q; `dockvet rules` lists them", args[0])
			}
			return ruledoc.Text(e.stdout, r)
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return ruleCompletions(), cobra.ShellCompDirectiveNoFileComp
		},
	}
	return cmd
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

// version is set at build time with -ldflags "-X main.version=..."; otherwise
// the module version from the build info is used (go install ...@v1.2.3).
var version = ""

// versionString is the release version, "devel" for a source build.
func versionString() string {
	v := version
	if bi, ok := debug.ReadBuildInfo(); ok && v == "" {
		v = bi.Main.Version
	}
	if v == "" || v == "(devel)" {
		v = "devel"
	}
	return v
}

func (e *env) versionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			v, goVersion, rev := versionString(), "", ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				goVersion = bi.GoVersion
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" {
						rev = s.Value
					}
				}
			}
			parts := []string{"dockvet " + v}
			if rev != "" {
				parts = append(parts, "commit "+rev[:min(12, len(rev))])
			}
			if goVersion != "" {
				parts = append(parts, goVersion)
			}
			fmt.Fprintln(e.stdout, strings.Join(parts, " "))
			return nil
		},
	}
}
