package secrets

import "strings"

// findURLPasswords finds passwords written into URLs,
// scheme://user:password@host (git+https, postgres, amqp...). A password
// that is a variable, a template or a placeholder is not reported, nor one
// for a documentation host (example.com).
func findURLPasswords(word string) []Match {
	var out []Match
	for from := 0; ; {
		i := strings.Index(word[from:], "://")
		if i < 0 {
			return out
		}
		i += from
		from = i + 3
		scheme := schemeBefore(word, i)
		if scheme == "" {
			continue
		}
		auth := from
		for auth < len(word) && !strings.ContainsRune("@/?#\"' \t\n\\", rune(word[auth])) {
			auth++
		}
		if auth == len(word) || word[auth] != '@' {
			continue
		}
		user, password, ok := strings.Cut(word[from:auth], ":")
		if !ok || !plainPassword(password) || placeholderPassword(user, password) {
			continue
		}
		host := hostAt(word, auth+1)
		if host == "" || placeholderHost(host) {
			continue
		}
		start := from + len(user) + 1
		out = append(out, Match{
			Name:  "password in a URL",
			Start: start, End: auth,
			Shown: scheme + "://" + user + ":…@" + host,
		})
		from = auth
	}
}

// schemeBefore returns the URL scheme that ends at word[i] ("" when none):
// a letter, then letters, digits, '+', '-' or '.'.
func schemeBefore(word string, i int) string {
	j := i
	for j > 0 {
		c := word[j-1]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.' {
			j--
			continue
		}
		break
	}
	for j < i && !isLetter(word[j]) {
		j++
	}
	if i-j < 2 {
		return ""
	}
	return word[j:i]
}

// plainPassword reports whether a URL password is a literal value: not
// empty, no shell or template expansion ($VAR, ${VAR}, {{ .Pass }}, <pass>,
// %s), no masking stars. Percent-escapes (%40) are literal.
func plainPassword(p string) bool {
	if p == "" {
		return false
	}
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '$', '`', '{', '}', '<', '>', '(', ')', '[', ']', '*', ' ':
			return false
		case '%':
			if i+2 >= len(p) || !isHex(p[i+1]) || !isHex(p[i+2]) {
				return false
			}
		}
	}
	return true
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// hostAt returns the host name that starts at word[i] (up to a port, path
// or the end); "" when none starts there.
func hostAt(word string, i int) string {
	j := i
	for j < len(word) {
		c := word[j]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_' {
			j++
			continue
		}
		break
	}
	if j == i {
		return ""
	}
	return word[i:j]
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
