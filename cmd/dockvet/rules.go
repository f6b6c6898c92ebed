package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/ruledoc"
	"github.com/dockvet/dockvet/rules"
)

func (e *env) rulesCommand() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "rules",
		Short: "List every rule: id, name, default severity, summary",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch format {
			case "text":
				return e.printRules()
			case "json":
				return e.printRulesJSON()
			}
			return usageErrorf("invalid --format %q for rules (want text or json)", format)
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text, json")
	completeValues(cmd, "format", "text", "json")
	return cmd
}

// defaultSeverity shows rules that are off by default as "off (info)".
func defaultSeverity(r *rule.Rule) string {
	if r.DefaultOff {
		return "off (" + r.Severity.String() + ")"
	}
	return r.Severity.String()
}

func (e *env) printRules() error {
	own, groups, names := ruledoc.Groups(rules.All())
	table := func(rs []*rule.Rule) error {
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tSEVERITY\tSUMMARY")
		for _, r := range rs {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.ID, r.Name, defaultSeverity(r), r.Summary)
		}
		return tw.Flush()
	}
	if err := table(own); err != nil {
		return err
	}
	for _, g := range names {
		fmt.Fprintf(e.stdout, "\n%s:\n", ruledoc.GroupTitle(g))
		if err := table(groups[g]); err != nil {
			return err
		}
	}
	fmt.Fprintln(e.stdout, "\n`dockvet explain RULE` documents a rule; --enable turns on the ones that are off.")
	return nil
}

func (e *env) printRulesJSON() error {
	type jsonRule struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Severity string `json:"severity"`
		Enabled  bool   `json:"enabledByDefault"`
		Summary  string `json:"summary"`
		HelpURI  string `json:"helpUri"`
		Group    string `json:"group,omitempty"`
		Upstream string `json:"upstreamUri,omitempty"`
	}
	var out []jsonRule
	for _, r := range rules.All() {
		out = append(out, jsonRule{r.ID, r.Name, r.Severity.String(), !r.DefaultOff, r.Summary, r.URL(), r.Group, r.UpstreamURL})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func lookupRule(name string) *rule.Rule {
	key := strings.ToLower(strings.TrimSpace(name))
	for _, r := range rules.All() {
		if strings.ToLower(r.ID) == key || r.Name == key {
			return r
		}
	}
	return nil
}
