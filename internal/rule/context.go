package rule

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// CopiesFromContext reports whether a COPY or ADD of f may read the build
// context: one without --from with a source that is neither a here-document
// nor an ADD URL or Git repository. Only then is the context opened
// (Rule.ReadsContext). A source with a variable counts: its value may name
// a file of the context.
func CopiesFromContext(f *dockerfile.File) bool {
	for _, in := range f.Instructions {
		if !IsContextCopy(in) {
			continue
		}
		for _, tok := range in.Args()[:len(in.Args())-1] {
			switch v := tok.Value; {
			case strings.HasPrefix(v, "<<"):
				// Inline content.
			case in.Keyword == "ADD" && isDownload(v):
				// Fetched at build time. COPY refuses URLs, but
				// BuildKit's CopyIgnoredFile still matches a COPY's
				// against .dockerignore, so only ADD's are left out.
			default:
				return true
			}
		}
	}
	return false
}

// IsContextCopy reports whether an instruction copies from the build
// context: a valid COPY or ADD without --from.
func IsContextCopy(in *dockerfile.Instruction) bool {
	if in.Invalid || (in.Keyword != "COPY" && in.Keyword != "ADD") || len(in.Args()) < 2 {
		return false
	}
	_, from := in.Flag("from")
	return !from
}

// isDownload tells the ADD sources that BuildKit fetches rather than reads
// from the context (the prefixes its CopyIgnoredFile skips, a subset of
// what the size rules treat as remote).
func isDownload(src string) bool {
	for _, p := range []string{"http://", "https://", "git@", "git://", "ssh://"} {
		if strings.HasPrefix(src, p) {
			return true
		}
	}
	return false
}
