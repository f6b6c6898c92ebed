package rules

import (
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// volumePaths returns the paths a valid VOLUME instruction declares, with
// their ranges; variables are expanded in the instruction's scope.
func volumePaths(in *dockerfile.Instruction) []dockerfile.Token {
	if !in.JSON && len(in.Args()) > 0 && strings.HasPrefix(in.Args()[0].Value, "[") {
		return nil // malformed JSON: DV103's business, the paths are nonsense
	}
	out := make([]dockerfile.Token, 0, len(in.Args()))
	for _, a := range in.Args() {
		v, _ := in.Expand(a.Value)
		if !in.JSON {
			v = strings.Trim(v, `"'`)
		}
		if v == "" {
			continue
		}
		out = append(out, dockerfile.Token{Value: v, Range: a.Range})
	}
	return out
}
