// Package ruledoc renders rule documentation: the terminal text of
// `dockvet explain` and the Markdown reference in docs/rules.md. Both come from
// the rule values, so they cannot drift apart.
package ruledoc

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockvet/dockvet/internal/rule"
)

func severity(r *rule.Rule) string {
	if r.DefaultOff {
		how := "--enable " + r.ID
		if r.EnabledBy != "" {
			how += " or by setting " + r.EnabledBy + " in .dockvet.yaml"
		}
		return "off by default; " + r.Severity.String() + " when enabled with " + how
	}
	return "default severity " + r.Severity.String()
}

// Text writes one rule's documentation for a terminal.
func Text(w io.Writer, r *rule.Rule) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)\n\n", r.ID, r.Name, severity(r))
	fmt.Fprintf(&b, "%s.\n\n", strings.TrimSuffix(r.Summary, "."))
	if r.Doc != "" {
		fmt.Fprintf(&b, "Why:\n%s\n\n", indent(r.Doc))
	}
	if r.Bad != "" {
		fmt.Fprintf(&b, "Bad:\n%s\n\n", indent(r.Bad))
	}
	if r.Good != "" {
		fmt.Fprintf(&b, "Good:\n%s\n\n", indent(r.Good))
	}
	b.WriteString("Suppress:\n")
	b.WriteString(indent(suppression(r)))
	fmt.Fprintf(&b, "\n\nMore: %s\n", r.URL())
	if r.UpstreamURL != "" {
		fmt.Fprintf(&b, "%s: %s\n", upstreamName(r), r.UpstreamURL)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func suppression(r *rule.Rule) string {
	s := fmt.Sprintf(`# dockvet ignore=%[1]s         (on the line above one instruction)
# dockvet global ignore=%[1]s  (anywhere: the whole file)
dockvet lint --ignore %[1]s     (one run)
ignore: [%[1]s]                 (in .dockvet.yaml)`, r.ID)
	if r.Group == BuildKit {
		s += fmt.Sprintf(`
# check=skip=%[1]s             (BuildKit's directive: first lines of the file, or above one instruction)`, r.ID)
	}
	return s
}

// BuildKit is the group of the rules that carry BuildKit's checks.
const BuildKit = "BuildKit"

func upstreamName(r *rule.Rule) string {
	if r.Group == BuildKit {
		return "BuildKit's documentation"
	}
	return "Upstream documentation"
}

// Groups splits rules into dockvet's own and each group, in order.
func Groups(rules []*rule.Rule) (own []*rule.Rule, groups map[string][]*rule.Rule, names []string) {
	groups = map[string][]*rule.Rule{}
	for _, r := range rules {
		if r.Group == "" {
			own = append(own, r)
			continue
		}
		if _, ok := groups[r.Group]; !ok {
			names = append(names, r.Group)
		}
		groups[r.Group] = append(groups[r.Group], r)
	}
	return own, groups, names
}

// GroupTitle is the heading of a group of rules.
func GroupTitle(group string) string {
	if group == BuildKit {
		return "BuildKit's checks (what docker build --check reports)"
	}
	return group
}

func indent(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = "    " + l
		}
	}
	return strings.Join(lines, "\n")
}

// Markdown writes the reference of all rules.
func Markdown(w io.Writer, rules []*rule.Rule) error {
	var b strings.Builder
	b.WriteString("<!-- Generated from the rule definitions in rules/ by `make docs`; do not edit. -->\n")
	b.WriteString("# dockvet rules\n\n")
	own, groups, names := Groups(rules)
	table := func(rs []*rule.Rule) {
		b.WriteString("| id | name | default | summary |\n|---|---|---|---|\n")
		for _, r := range rs {
			sev := r.Severity.String()
			if r.DefaultOff {
				sev = "off (" + sev + ")"
			}
			anchor := strings.ToLower(r.ID) + "-" + r.Name
			fmt.Fprintf(&b, "| [%s](#%s) | %s | %s | %s |\n", r.ID, anchor, r.Name, sev, escapeCell(r.Summary))
		}
	}
	table(own)
	for _, g := range names {
		fmt.Fprintf(&b, "\n%s:\n\n", GroupTitle(g))
		table(groups[g])
	}
	for _, r := range rules {
		fmt.Fprintf(&b, "\n## %s %s\n\n", r.ID, r.Name)
		fmt.Fprintf(&b, "*%s.* %s.\n\n", capitalize(severity(r)), strings.TrimSuffix(r.Summary, "."))
		if r.Doc != "" {
			fmt.Fprintf(&b, "%s\n\n", unwrap(r.Doc))
		}
		// A rule that judges only manifests shows Kubernetes YAML.
		lang := "dockerfile"
		if r.Check == nil && r.CheckManifest != nil {
			lang = "yaml"
		}
		if r.Bad != "" {
			fmt.Fprintf(&b, "Bad:\n\n```%s\n%s\n```\n\n", lang, strings.TrimRight(r.Bad, "\n"))
		}
		if r.Good != "" {
			fmt.Fprintf(&b, "Good:\n\n```%s\n%s\n```\n\n", lang, strings.TrimRight(r.Good, "\n"))
		}
		if lang == "yaml" {
			fmt.Fprintf(&b, "Suppress with `# dockvet ignore=%s` on the line above the container's `image:` line, `--ignore %s`, or `ignore: [%s]` in `.dockvet.yaml`", r.ID, r.ID, r.ID)
		} else {
			fmt.Fprintf(&b, "Suppress with `# dockvet ignore=%s` above the instruction, `# dockvet global ignore=%s` for the file, `--ignore %s`, or `ignore: [%s]` in `.dockvet.yaml`", r.ID, r.ID, r.ID, r.ID)
		}
		if r.Group == BuildKit {
			fmt.Fprintf(&b, "; BuildKit's `# check=skip=%s` works too", r.ID)
		}
		b.WriteString(".\n")
		if r.UpstreamURL != "" {
			fmt.Fprintf(&b, "\n%s: <%s>\n", upstreamName(r), r.UpstreamURL)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", `\|`) }

// unwrap joins the hard-wrapped lines of each paragraph for Markdown.
func unwrap(doc string) string {
	paras := strings.Split(strings.TrimSpace(doc), "\n\n")
	for i, p := range paras {
		paras[i] = strings.Join(strings.Fields(p), " ")
	}
	return strings.Join(paras, "\n\n")
}
