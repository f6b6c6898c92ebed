package dockerfile

import (
	"encoding/json"
	"strings"
)

// JSONForm writes words as the exec (JSON) form of an instruction, the way
// people write it: ["npm", "start"], with a space after each comma and
// without escaping <, > or &.
func JSONForm(words []string) string {
	parts := make([]string, len(words))
	for i, w := range words {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		_ = enc.Encode(w) // a string always encodes
		parts[i] = strings.TrimSuffix(b.String(), "\n")
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
