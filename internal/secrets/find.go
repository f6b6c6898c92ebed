package secrets

import (
	"slices"
	"strings"
	"sync"
)

// Match is a credential found in a word.
type Match struct {
	// Name says what it is ("GitHub personal access token").
	Name string
	// Start and End are the byte offsets of the secret value in the word
	// (for a URL, of its password; for a PEM key, of its BEGIN line).
	Start, End int
	// Shown is what a message may print of it: the first 4 characters and
	// "…" (the prefix that names the format, never the secret part), the
	// URL with its password left out, or a PEM key's BEGIN line.
	Shown string
}

// Find returns the credentials in word (one shell word, ARG or ENV value,
// LABEL value...), in order, without overlaps.
func Find(word string) []Match {
	idx := index()
	if len(word) < idx.minMatchLen {
		return nil // most shell words: -y, rm, /tmp
	}
	var out []Match
	// A token starts at a word boundary (matchAt checks it again), so
	// only those positions are tried, and only the prefixes that start
	// with the byte there.
	for i := 0; i < len(word); i++ {
		if i > 0 && wordBoundary.has(word[i-1]) {
			continue
		}
		for _, fp := range idx.prefixesByFirstByte[word[i]] {
			if strings.HasPrefix(word[i:], fp.prefix) {
				if m, ok := fp.format.matchAt(word, i, fp.prefix); ok {
					out = append(out, m)
				}
			}
		}
	}
	out = append(out, findPEM(word)...)
	out = append(out, findURLPasswords(word)...)
	if len(out) < 2 {
		return out
	}
	// Keep the first of overlapping matches (a token that is also a URL
	// password is reported once, by its format).
	slices.SortStableFunc(out, func(a, b Match) int { return a.Start - b.Start })
	kept := out[:1]
	for _, m := range out[1:] {
		if m.Start >= kept[len(kept)-1].End {
			kept = append(kept, m)
		}
	}
	return kept
}

// formatIndex is what Find derives from Formats, built on first use.
type formatIndex struct {
	// minMatchLen is a lower bound on the length of a word that can hold
	// a match, so that Find skips most shell words at once: a URL
	// password needs more than a scheme letter, "://", "@" and a host
	// letter ("a://:@h", 7 bytes; the shortest real match, "ab://:Vq7r@d",
	// has 12); a PEM key its BEGIN line; a token its prefix and shortest
	// body.
	minMatchLen int
	// prefixesByFirstByte indexes the prefixes of Formats by their first
	// byte.
	prefixesByFirstByte [256][]formatPrefix
}

// formatPrefix is one prefix of a format.
type formatPrefix struct {
	format *Format
	prefix string
}

// index is built the first time a word is looked at, not at start-up.
var index = sync.OnceValue(func() *formatIndex {
	idx := &formatIndex{minMatchLen: min(len("a://:@h"), len("-----BEGIN "))}
	for _, f := range Formats {
		for _, p := range f.Prefixes {
			idx.minMatchLen = min(idx.minMatchLen, len(p)+f.MinBody)
			idx.prefixesByFirstByte[p[0]] = append(idx.prefixesByFirstByte[p[0]], formatPrefix{f, p})
		}
	}
	return idx
})

// matchAt checks for the format's token at word[i:], which starts with
// prefix p.
func (f *Format) matchAt(word string, i int, p string) (Match, bool) {
	if i > 0 && wordBoundary.has(word[i-1]) {
		return Match{}, false // inside a longer identifier or base64 run
	}
	start := i + len(p)
	end := start
	for end < len(word) && f.Alphabet.has(word[end]) {
		end++
	}
	if f.Alphabet.has('.') {
		for end > start && word[end-1] == '.' {
			end-- // a sentence's full stop
		}
	}
	if end < len(word) && wordBoundary.has(word[end]) {
		return Match{}, false // the run goes on with other word characters
	}
	body := word[start:end]
	if len(body) < f.MinBody || (f.MaxBody > 0 && len(body) > f.MaxBody) {
		return Match{}, false
	}
	if f.Valid != nil && !f.Valid(body) {
		return Match{}, false
	}
	if placeholderBody(body) {
		return Match{}, false
	}
	return Match{Name: f.Name, Start: i, End: end, Shown: Mask(word[i:end])}, true
}

// Mask shows the first 4 characters of a secret and "…" (only "…" for a
// value of 4 characters or fewer).
func Mask(s string) string {
	n := 0
	for i := range s {
		if n == 4 {
			return s[:i] + "…"
		}
		n++
	}
	return "…"
}
