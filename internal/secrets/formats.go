// Package secrets recognises credentials by the format of their value, not
// by the name of the variable that holds them: an AWS access key id, a
// GitHub or GitLab token, a PEM private key, a password in a URL. The
// formats follow what the issuers document and what gitleaks and
// trufflehog match (prefix, alphabet, length), written as plain string
// checks over one word at a time. A format is only reported when its value
// could be real: variables, templates and placeholders (EXAMPLE, xxxx,
// 1234...) are not.
package secrets

// Format is one kind of credential recognised by a fixed prefix followed by
// a body of a known alphabet and length.
type Format struct {
	// Name says what the credential is, for messages: "GitHub personal
	// access token".
	Name string
	// Prefixes start the value (one of them).
	Prefixes []string
	// Alphabet holds the bytes the body after the prefix is made of.
	Alphabet alphabet
	// MinBody and MaxBody bound the body's length in bytes (MaxBody 0: no
	// upper bound). The body is the longest run of Alphabet bytes after the
	// prefix; a longer run than MaxBody is another kind of string.
	MinBody, MaxBody int
	// Valid, when set, checks the body's shape beyond its alphabet.
	Valid func(body string) bool
}

// alphabet is a set of bytes: byte c is bit c%64 of word c/64. The
// alphabets below are constants, so that Formats is laid out by the
// compiler and costs nothing at start-up (TestAlphabets spells each one
// out as ranges).
type alphabet [4]uint64

// has reports whether c is in the alphabet.
func (a *alphabet) has(c byte) bool { return a[c>>6]&(1<<(c&63)) != 0 }

// The bits of a few byte ranges, each in its word: digits and '-', '.'
// in word 0 (bytes 0-63), letters and '_' in word 1 (bytes 64-127).
const (
	digitBits    = 1<<('9'+1) - 1<<'0'
	base32Digits = 1<<('7'+1) - 1<<'2'
	dashBit      = 1 << '-'
	dotBit       = 1 << '.'
	upperBits    = 1<<('Z'+1-64) - 1<<('A'-64)
	lowerBits    = 1<<('z'+1-64) - 1<<('a'-64)
	lowerHexBits = 1<<('f'+1-64) - 1<<('a'-64)
	underBit     = 1 << ('_' - 64)
)

var (
	upperBase32  = alphabet{base32Digits, upperBits}
	alnum        = alphabet{digitBits, upperBits | lowerBits}
	alnumUnder   = alphabet{digitBits, upperBits | lowerBits | underBit}
	urlSafe      = alphabet{digitBits | dashBit, upperBits | lowerBits | underBit}
	urlSafeDot   = alphabet{digitBits | dashBit | dotBit, upperBits | lowerBits | underBit}
	alnumDash    = alphabet{digitBits | dashBit, upperBits | lowerBits}
	lowerHex     = alphabet{digitBits, lowerHexBits}
	wordBoundary = alphabet{digitBits, upperBits | lowerBits | underBit} // a token never starts or ends inside such a run
)

// Formats is the table of token formats, most specific first.
var Formats = []*Format{
	// AWS access key ids: a four-letter type prefix (AKIA long-term, ASIA
	// temporary, ABIA STS bearer, ACCA context-specific) and 16 base32
	// characters. The secret access key that goes with it has no format of
	// its own (40 base64 characters) and is not recognised.
	{Name: "AWS access key id", Prefixes: []string{"AKIA", "ASIA", "ABIA", "ACCA"}, Alphabet: upperBase32, MinBody: 16, MaxBody: 16},
	// GitHub: classic tokens are a type prefix and 36 base62 characters;
	// fine-grained personal access tokens are github_pat_ and 82 characters
	// (22, an underscore, 59).
	{Name: "GitHub personal access token", Prefixes: []string{"ghp_"}, Alphabet: alnum, MinBody: 36, MaxBody: 36},
	{Name: "GitHub fine-grained personal access token", Prefixes: []string{"github_pat_"}, Alphabet: alnumUnder, MinBody: 82, MaxBody: 82},
	{Name: "GitHub OAuth token", Prefixes: []string{"gho_"}, Alphabet: alnum, MinBody: 36, MaxBody: 36},
	{Name: "GitHub App token", Prefixes: []string{"ghu_", "ghs_"}, Alphabet: alnum, MinBody: 36, MaxBody: 36},
	{Name: "GitHub refresh token", Prefixes: []string{"ghr_"}, Alphabet: alnum, MinBody: 36, MaxBody: 36},
	// GitLab: personal/project/group access tokens glpat-, deploy tokens
	// gldt-, runner tokens glrt- (20 characters, longer and with dots in the
	// routable format of GitLab 17), pipeline trigger tokens glptt- (40
	// hex), runner registration tokens GR1348941.
	{Name: "GitLab access token", Prefixes: []string{"glpat-"}, Alphabet: urlSafeDot, MinBody: 20, MaxBody: 300},
	{Name: "GitLab deploy token", Prefixes: []string{"gldt-"}, Alphabet: urlSafeDot, MinBody: 20, MaxBody: 300},
	{Name: "GitLab runner token", Prefixes: []string{"glrt-", "GR1348941"}, Alphabet: urlSafeDot, MinBody: 20, MaxBody: 300},
	{Name: "GitLab pipeline trigger token", Prefixes: []string{"glptt-"}, Alphabet: lowerHex, MinBody: 40, MaxBody: 40},
	// Slack: bot, user, workspace and legacy tokens xox?- followed by
	// dash-separated numeric ids and a random tail; app-level tokens xapp-.
	{Name: "Slack token", Prefixes: []string{"xoxb-", "xoxp-", "xoxe-", "xoxa-", "xoxr-", "xoxs-", "xoxo-"}, Alphabet: alnumDash, MinBody: 24, MaxBody: 300, Valid: slackBody},
	{Name: "Slack app token", Prefixes: []string{"xapp-"}, Alphabet: alnumDash, MinBody: 30, MaxBody: 300, Valid: slackAppBody},
	// npm access tokens (npm_ and 36 base62 characters).
	{Name: "npm access token", Prefixes: []string{"npm_"}, Alphabet: alnum, MinBody: 36, MaxBody: 36},
	// Stripe live secret and restricted keys (test-mode keys move no money).
	{Name: "Stripe live secret key", Prefixes: []string{"sk_live_", "rk_live_"}, Alphabet: alnum, MinBody: 24, MaxBody: 247},
	// Docker Hub personal access tokens.
	{Name: "Docker Hub access token", Prefixes: []string{"dckr_pat_"}, Alphabet: urlSafe, MinBody: 27, MaxBody: 27},
	// PyPI API tokens: a macaroon whose serialised header always starts
	// with the same bytes (base64 of "\x02\x01\x08pypi.org").
	{Name: "PyPI API token", Prefixes: []string{"pypi-AgEIcHlwaS5vcmc"}, Alphabet: urlSafe, MinBody: 50, MaxBody: 0},
	// Google API keys.
	{Name: "Google API key", Prefixes: []string{"AIza"}, Alphabet: urlSafe, MinBody: 35, MaxBody: 35},
}

// slackBody: the body starts with a numeric id of at least 8 digits and
// holds at least two dash-separated parts after it
// (xoxb-<team>-<bot>-<secret>, xoxp-<team>-<user>-<id>-<secret>).
func slackBody(body string) bool {
	digits := 0
	for digits < len(body) && body[digits] >= '0' && body[digits] <= '9' {
		digits++
	}
	if digits < 8 || digits == len(body) || body[digits] != '-' {
		return false
	}
	dashes := 0
	for i := digits; i < len(body); i++ {
		if body[i] == '-' {
			dashes++
		}
	}
	return dashes >= 2
}

// slackAppBody: xapp-<digit>-<id>-<digits>-<secret>.
func slackAppBody(body string) bool {
	parts := splitDash(body)
	return len(parts) == 4 && isDigits(parts[0]) && len(parts[1]) >= 8 && isDigits(parts[2]) && len(parts[3]) >= 16
}

func splitDash(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == '-' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
