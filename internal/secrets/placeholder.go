package secrets

import "strings"

// placeholderMarkers, found anywhere in a token's body (case-insensitive),
// mark a documentation example or a template: AKIAIOSFODNN7EXAMPLE,
// ghp_xxxxxxxx..., npm_0000.... A random body holds one by chance about once
// in 10^4 or fewer.
var placeholderMarkers = []string{"example", "xxxx", "0000", "1234", "abcd", "dummy", "sample",
	"fake", "placeholder", "redacted", "your", "changeme"}

// placeholderBody reports whether a token's body looks made up rather than
// random: a marker word, or too few distinct characters (aaaa..., 0101...).
func placeholderBody(body string) bool {
	lower := strings.ToLower(body)
	for _, m := range placeholderMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	var seen [256]bool
	distinct := 0
	for i := 0; i < len(body); i++ {
		if !seen[body[i]] {
			seen[body[i]] = true
			distinct++
		}
	}
	return distinct < min(8, len(body)/2)
}

// placeholderPasswordWord reports URL passwords that are defaults, examples
// or template words, not credentials someone issued (compared lower-cased;
// placeholderPasswordMarkers covers those that contain a marker). A switch,
// not a map: it needs no building at start-up.
func placeholderPasswordWord(lower string) bool {
	switch lower {
	case "user", "username", "postgres", "mysql", "redis", "rabbitmq",
		"mongo", "mongodb", "apikey", "api_key", "api-key",
		"x-oauth-basic", "foo", "bar", "foobar", "docker",
		"anonymous", "none", "null", "sa", "letmein":
		return true
	}
	return false
}

// placeholderPasswordMarkers, found anywhere in a URL password
// (case-insensitive), mark it as an example, a template word or a
// well-known default (admin123, changeit): a finding there would ask to
// revoke what nobody issued.
var placeholderPasswordMarkers = []string{"pass", "pwd", "example", "xxx", "changeme", "changeit",
	"placeholder", "dummy", "your", "redacted", "secret", "token", "123456", "qwerty", "admin",
	"root", "test", "demo", "guest", "default"}

// placeholderPassword reports whether a URL's password is an example, a
// default or a repeat of the user name rather than a credential.
func placeholderPassword(user, password string) bool {
	lower := strings.ToLower(password)
	if len(password) < 4 || placeholderPasswordWord(lower) || strings.EqualFold(password, user) ||
		len(password) < 8 && isDigits(password) { // a port or a PIN-like example (proxy:3128@)
		return true
	}
	for _, m := range placeholderPasswordMarkers {
		if strings.Contains(lower, m) {
			return true
		}
	}
	return strings.Trim(password, password[:1]) == ""
}

// placeholderHost reports whether a URL's host is a documentation name
// (example.com, host, hostname...): the URL is a template.
func placeholderHost(host string) bool {
	host = strings.ToLower(host)
	switch host {
	case "host", "hostname", "server", "domain", "example", "yourhost", "your-host", "registry", "myregistry":
		return true
	}
	for _, d := range []string{"example.com", "example.org", "example.net", "example"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	return false
}
