package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// registryImages returns the image references that name registry images, in
// source order: FROM, COPY --from and RUN --mount from in every stage, without
// references to build stages and scratch. References with unresolved
// variables are included (DV202 reports them; the other tag rules skip them).
func registryImages(f *dockerfile.File) []*dockerfile.ImageRef {
	var out []*dockerfile.ImageRef
	for _, ref := range f.ImageRefs {
		if ref.Stage != nil || ref.Scratch {
			continue
		}
		if len(ref.Unresolved) == 0 && (ref.Expanded == "" || strings.EqualFold(ref.Expanded, "scratch") || namesStage(f, ref)) {
			continue
		}
		out = append(out, ref)
	}
	return out
}

// viaVariable reports whether a reference is written with a variable.
func viaVariable(ref *dockerfile.ImageRef) bool { return strings.ContainsRune(ref.Raw, '$') }

// describeRef names a resolved reference for a message: "node:20", or
// "$BASE (node:20)" when a variable wrote it.
func describeRef(ref *dockerfile.ImageRef) string {
	if viaVariable(ref) {
		return fmt.Sprintf("%s (%s)", ref.Raw, ref.Expanded)
	}
	return ref.Raw
}

// namesStage reports whether a reference the model took for an image names a
// build stage after all: COPY --from and RUN --mount from may name a stage
// defined later in the file (BuildKit looks them up among all stages; only
// FROM is limited to earlier ones), and COPY --from may give a stage number.
func namesStage(f *dockerfile.File, ref *dockerfile.ImageRef) bool {
	if ref.Kind == dockerfile.RefCopyFrom {
		if _, err := strconv.Atoi(ref.Expanded); err == nil {
			return true
		}
	}
	lower := strings.ToLower(ref.Expanded)
	for _, st := range f.Stages {
		if st.Name == lower && (ref.Kind != dockerfile.RefFrom || st.From.StartLine < ref.Instruction.StartLine) {
			return true
		}
	}
	return false
}

// variableNames lists the variables a Dockerfile word refers to ($VAR,
// ${VAR}, ${VAR:-default}, ...), once each, in order of appearance.
func variableNames(word string) []string {
	var out []string
	add := func(name string) {
		if name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	for i := 0; i < len(word); i++ {
		switch {
		case word[i] == '\\':
			i++
		case word[i] != '$' || i+1 >= len(word):
		case word[i+1] == '{':
			j := i + 2
			for j < len(word) && isNameByte(word[j]) {
				j++
			}
			add(word[i+2 : j])
			// continue after the matching brace: a default may hold more
			// variables, but they are not the ones that decide the value
			for depth := 0; j < len(word); j++ {
				if word[j] == '{' {
					depth++
				} else if word[j] == '}' {
					if depth == 0 {
						break
					}
					depth--
				}
			}
			i = j
		default:
			j := i + 1
			for j < len(word) && isNameByte(word[j]) {
				j++
			}
			add(word[i+1 : j])
			i = j - 1
		}
	}
	return out
}

func isNameByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// metaArg finds the meta ARG (before the first FROM) that declares name, and
// whether it gives a default. Only FROM may use variables in an image
// reference (BuildKit refuses them in COPY --from and RUN --mount from), and
// FROM sees only the meta ARGs.
func metaArg(f *dockerfile.File, name string) (decl dockerfile.Token, hasDefault, ok bool) {
	for _, in := range f.MetaArgs {
		for _, a := range in.Args() {
			if k, _, has := strings.Cut(a.Value, "="); k == name {
				decl, hasDefault, ok = a, has, true // the last declaration wins
			}
		}
	}
	return decl, hasDefault, ok
}

// argRelated points at the ARG lines that declare the variables of a
// reference.
func argRelated(f *dockerfile.File, ref *dockerfile.ImageRef) []finding.Related {
	var out []finding.Related
	for _, name := range variableNames(ref.Raw) {
		decl, hasDefault, ok := metaArg(f, name)
		if !ok {
			continue
		}
		msg := fmt.Sprintf("ARG %s is declared here without a default", name)
		if val, unresolved := ref.Instruction.Expand("${" + name + "}"); len(unresolved) == 0 {
			msg = fmt.Sprintf("ARG %s is declared here; its value is %q", name, val)
		} else if hasDefault {
			msg = fmt.Sprintf("ARG %s is declared here", name)
		}
		out = append(out, finding.Related{Range: decl.Range, Message: msg})
	}
	return out
}

// joinNames lists names for a message: "A", "A and B", "A, B and C".
func joinNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// pinFix pins an image reference (FROM, COPY --from, RUN --mount=from) to
// the digest its tag resolves to now (name:tag@sha256:...), when lint --pin
// asks for it (Limits.PinDigests) and the lookup knows that digest: the
// index of a multi-platform image, so every platform still builds. nil for
// a reference written with a variable (the text to change is elsewhere) and
// one already pinned.
func pinFix(pass *rule.Pass, ref *dockerfile.ImageRef) *finding.Fix {
	if !pass.Limits.PinDigests || viaVariable(ref) || ref.Digest != "" {
		return nil
	}
	if ref.Kind != dockerfile.RefFrom {
		if pass.Bases == nil {
			return nil
		}
		img, err := pass.Bases(ref)
		if err != nil || img == nil || !strings.HasPrefix(img.RefDigest, "sha256:") {
			return nil
		}
		return &finding.Fix{
			Description: "pin " + ref.Raw + " to " + img.RefDigest,
			Edits:       []finding.Edit{{Range: source.Range{Start: ref.Range.End, End: ref.Range.End}, NewText: "@" + img.RefDigest}},
		}
	}
	for _, s := range pass.File.Stages {
		if s.Base != ref || s.Parent != nil {
			continue
		}
		img, _, err := pass.BaseImage(s)
		if err != nil || img == nil || !strings.HasPrefix(img.RefDigest, "sha256:") {
			return nil
		}
		return &finding.Fix{
			Description: "pin " + ref.Raw + " to " + img.RefDigest,
			Edits:       []finding.Edit{{Range: source.Range{Start: ref.Range.End, End: ref.Range.End}, NewText: "@" + img.RefDigest}},
		}
	}
	return nil
}
