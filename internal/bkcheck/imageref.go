package bkcheck

import (
	"strings"

	"github.com/opencontainers/go-digest"
)

// validImageRef reports whether reference.ParseNormalizedNamed (BuildKit's
// check of a FROM after default-arg expansion) accepts s. It follows that
// function and the reference grammar without distribution/reference, whose
// package-level regexps cost every dockvet process ~3 ms of start-up (its
// largest init); TestValidImageRefMatchesDistribution compares the two.
func validImageRef(s string) bool {
	if isLowerHex(s, 64) {
		return false // a 64-hex-digit name reads as an image ID
	}
	domain, remainder := splitDockerDomain(s)
	remote, _, _ := strings.Cut(remainder, ":")
	if strings.ToLower(remote) != remote {
		return false
	}
	return validReference(domain + "/" + remainder)
}

// splitDockerDomain is distribution/reference's: the first component is a
// domain if it is localhost, has a '.' or ':', or is not lowercase.
func splitDockerDomain(name string) (domain, remainder string) {
	first, rest, ok := strings.Cut(name, "/")
	switch {
	case !ok:
		return "docker.io", "library/" + name
	case first == "localhost":
		domain, remainder = first, rest
	case first == "index.docker.io":
		domain, remainder = "docker.io", rest
	case strings.ContainsAny(first, ".:"), strings.ToLower(first) != first:
		domain, remainder = first, rest
	default:
		domain, remainder = "docker.io", name
	}
	if domain == "docker.io" && !strings.Contains(remainder, "/") {
		remainder = "library/" + remainder
	}
	return domain, remainder
}

// validReference is whether s is name[:tag][@digest] with a valid digest and
// a repository path of at most 255 characters.
func validReference(s string) bool {
	nameTag, dgst, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if !digestSyntax(dgst) {
			return false
		}
		if _, err := digest.Parse(dgst); err != nil {
			return false
		}
	}
	name := nameTag
	if i := strings.LastIndexByte(nameTag, ':'); i > strings.LastIndexByte(nameTag, '/') {
		if !validTag(nameTag[i+1:]) {
			return false
		}
		name = nameTag[:i]
	}
	comps := strings.Split(name, "/")
	path := name
	switch {
	case len(comps) > 1 && validDomain(comps[0]) && allPathComponents(comps[1:]):
		path = name[len(comps[0])+1:]
	case allPathComponents(comps):
	default:
		return false
	}
	return len(path) <= 255
}

func allPathComponents(comps []string) bool {
	for _, c := range comps {
		if !validPathComponent(c) {
			return false
		}
	}
	return true
}

// validPathComponent: [a-z0-9]+ runs joined by '.', '_', "__" or dashes.
func validPathComponent(c string) bool {
	if c == "" || !isLowerAlnum(c[0]) || !isLowerAlnum(c[len(c)-1]) {
		return false
	}
	for i := 0; i < len(c); {
		if isLowerAlnum(c[i]) {
			i++
			continue
		}
		j := i
		for j < len(c) && !isLowerAlnum(c[j]) {
			j++
		}
		switch sep := c[i:j]; {
		case sep == "." || sep == "_" || sep == "__":
		case strings.Trim(sep, "-") == "":
		default:
			return false
		}
		i = j
	}
	return true
}

// validDomain: a host name or a bracketed IPv6 address, then an optional
// ":port".
func validDomain(d string) bool {
	host, port := d, ""
	if strings.HasPrefix(d, "[") {
		end := strings.IndexByte(d, ']')
		if end < 0 {
			return false
		}
		host, port = d[:end+1], d[end+1:]
		inner := host[1:end]
		if inner == "" || strings.Trim(inner, "0123456789abcdefABCDEF:") != "" {
			return false
		}
		if port != "" && port[0] != ':' {
			return false
		}
		port = strings.TrimPrefix(port, ":")
		if port == "" && strings.HasSuffix(d, ":") {
			return false
		}
	} else {
		var hasPort bool
		host, port, hasPort = strings.Cut(d, ":")
		if hasPort && port == "" {
			return false
		}
		for _, label := range strings.Split(host, ".") {
			if label == "" || !isAlnum(label[0]) || !isAlnum(label[len(label)-1]) ||
				strings.Trim(label, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-") != "" {
				return false
			}
		}
	}
	return strings.Trim(port, "0123456789") == ""
}

// validTag: [\w][\w.-]{0,127}.
func validTag(t string) bool {
	if t == "" || len(t) > 128 || !isWord(t[0]) {
		return false
	}
	for i := 1; i < len(t); i++ {
		if !isWord(t[i]) && t[i] != '.' && t[i] != '-' {
			return false
		}
	}
	return true
}

// digestSyntax: [A-Za-z][A-Za-z0-9]*([-_+.][A-Za-z][A-Za-z0-9]*)*:[[:xdigit:]]{32,}.
func digestSyntax(d string) bool {
	alg, hex, ok := strings.Cut(d, ":")
	if !ok || len(hex) < 32 || strings.Trim(hex, "0123456789abcdefABCDEF") != "" {
		return false
	}
	start := true
	for i := 0; i < len(alg); i++ {
		c := alg[i]
		switch {
		case start:
			if !isAlpha(c) {
				return false
			}
			start = false
		case strings.IndexByte("-_+.", c) >= 0:
			start = true
		case !isAlpha(c) && !isDigit(c):
			return false
		}
	}
	return alg != "" && !start
}

func isLowerHex(s string, n int) bool {
	return len(s) == n && strings.Trim(s, "0123456789abcdef") == ""
}

func isDigit(c byte) bool      { return '0' <= c && c <= '9' }
func isAlpha(c byte) bool      { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
func isLowerAlnum(c byte) bool { return 'a' <= c && c <= 'z' || isDigit(c) }
func isAlnum(c byte) bool      { return isAlpha(c) || isDigit(c) }
func isWord(c byte) bool       { return isAlnum(c) || c == '_' }
