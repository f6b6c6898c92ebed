package secrets

import (
	"strings"
	"testing"
)

// Made-up bodies with the alphabet and length of real credentials (random,
// not issued by anyone).
const (
	awsBody   = "UJZDEGXDNCF32EPF"
	body36    = "JBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLK"
	body82    = "OmxgJTeKdNnFRIBXuDL7Dx_tpYlSXpfKtHF4vUCsMehGAkWvj7FAc9QeWJKY40uvSwMFLZDe1f8rESQedU"
	glBody    = "N5KXSc7Tvo-hBKqFYY-k"
	hex40     = "5ec84d8dbc74254770f58904dba41ecccc3fc162"
	slackTail = "nCkhvMdgaKjIg8xNbe3nNyjO"
	stripe    = "q9wMxEhh2FDEEtfjgVvVqE1S"
	dckrBody  = "ucAUsdMlHUvTCQCyEZDz-TddJ8H"
	pypiBody  = "yS5SUkCnD8zRA9a9SkpXz9w3QlY7Zkuvqdt7s8Stqcbnr3yBdGBLEPH1qhT6"
	aizaBody  = "1qtc4xatws8phP9nhFyJfm5di4PzJ59FHz5"
	pemBody   = "r1pY4OjE2jBMptUsGr7CmY+uCu3ZR1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIclHkCiHp6bR1IqfEouHgxzNNAL5wIScGebcy8F5n3/YNBDRzrZSgq"
)

// TestFind gives each format a positive and a near miss that differs in one
// respect (length, alphabet, prefix, boundary, placeholder).
func TestFind(t *testing.T) {
	tests := []struct {
		name, word string
		want       string // Name of the match, "" for none
		secret     string // the matched text (word[Start:End]); "" means the whole word
		shown      string
	}{
		{"aws key id", "AKIA" + awsBody, "AWS access key id", "", "AKIA…"},
		{"aws temporary key id", "ASIA" + awsBody, "AWS access key id", "", "ASIA…"},
		{"near miss: aws key id one short", "AKIA" + awsBody[1:], "", "", ""},
		{"near miss: aws key id outside base32", "AKIA" + awsBody[:15] + "1", "", "", ""},
		{"near miss: aws documentation example", "AKIAIOSFODNN7EXAMPLE", "", "", ""},
		{"near miss: aws key id inside a base64 run", "Zm9vAKIA" + awsBody, "", "", ""},
		{"aws key id in an assignment", "AWS_ACCESS_KEY_ID=AKIA" + awsBody, "AWS access key id", "AKIA" + awsBody, "AKIA…"},

		{"github classic token", "ghp_" + body36, "GitHub personal access token", "", "ghp_…"},
		{"near miss: github token one short", "ghp_" + body36[1:], "", "", ""},
		{"near miss: github token placeholder", "ghp_" + strings.Repeat("x", 36), "", "", ""},
		{"github token in an Authorization header", "Authorization: token ghp_" + body36, "GitHub personal access token", "ghp_" + body36, "ghp_…"},
		{"github fine-grained token", "github_pat_" + body82, "GitHub fine-grained personal access token", "", "gith…"},
		{"near miss: github fine-grained token truncated", "github_pat_" + body82[:60], "", "", ""},
		{"github oauth token", "gho_" + body36, "GitHub OAuth token", "", "gho_…"},
		{"near miss: github oauth token with a dash", "gho_" + body36[:20] + "-" + body36[21:], "", "", ""},
		{"github app token", "ghs_" + body36, "GitHub App token", "", "ghs_…"},
		{"near miss: github app token lengthened", "ghs_" + body36 + "Q", "", "", ""},
		{"github refresh token", "ghr_" + body36, "GitHub refresh token", "", "ghr_…"},
		{"near miss: github refresh prefix in a name", "my_ghr_" + body36, "", "", ""},

		{"gitlab access token", "glpat-" + glBody, "GitLab access token", "", "glpa…"},
		{"gitlab access token at sentence end", "glpat-" + glBody + ".", "GitLab access token", "glpat-" + glBody, "glpa…"},
		{"near miss: gitlab token too short", "glpat-" + glBody[:12], "", "", ""},
		{"gitlab deploy token", "gldt-" + glBody, "GitLab deploy token", "", "gldt…"},
		{"near miss: gitlab deploy token placeholder", "gldt-your-deploy-token-here", "", "", ""},
		{"gitlab runner token", "glrt-" + glBody, "GitLab runner token", "", "glrt…"},
		{"gitlab runner registration token", "GR1348941" + glBody, "GitLab runner token", "", "GR13…"},
		{"near miss: gitlab runner token as a variable", "glrt-${RUNNER_TOKEN}", "", "", ""},
		{"gitlab trigger token", "glptt-" + hex40, "GitLab pipeline trigger token", "", "glpt…"},
		{"near miss: gitlab trigger token not hex", "glptt-" + strings.ToUpper(hex40), "", "", ""},

		{"slack bot token", "xoxb-7364519028-9876543210-" + slackTail, "Slack token", "", "xoxb…"},
		{"slack user token", "xoxp-2718281828-3141592653-1618033988-" + slackTail, "Slack token", "", "xoxp…"},
		{"near miss: slack token template", "xoxb-your-bot-token-goes-here-please", "", "", ""},
		{"slack app token", "xapp-1-AEQ1KDFY6SP-4242424242-sc3lkr2aqxv9upctnwlavyf4r6mp6afqfjzczbttof7jyu5jsjc616i76bofbcix", "Slack app token", "", "xapp…"},
		{"near miss: slack app token without its parts", "xapp-AEQ1KDFY6SPsc3lkr2aqxv9upctnwlavyf4r6mp6", "", "", ""},

		{"npm token", "npm_" + body36, "npm access token", "", "npm_…"},
		{"npm token in .npmrc", "//registry.npmjs.org/:_authToken=npm_" + body36, "npm access token", "npm_" + body36, "npm_…"},
		{"near miss: npm config variable", "npm_config_cache=/tmp/npm-cache-" + body36, "", "", ""},

		{"stripe live key", "sk_live_" + stripe, "Stripe live secret key", "", "sk_l…"},
		{"stripe restricted live key", "rk_live_" + stripe, "Stripe live secret key", "", "rk_l…"},
		{"near miss: stripe test key", "sk_test_" + stripe, "", "", ""},

		{"docker hub token", "dckr_pat_" + dckrBody, "Docker Hub access token", "", "dckr…"},
		{"near miss: docker hub token short", "dckr_pat_" + dckrBody[:20], "", "", ""},

		{"pypi token", "pypi-AgEIcHlwaS5vcmc" + pypiBody, "PyPI API token", "", "pypi…"},
		{"near miss: pypi token header only", "pypi-AgEIcHlwaS5vcmc", "", "", ""},

		{"google api key", "AIza" + aizaBody, "Google API key", "", "AIza…"},
		{"near miss: google api key one short", "AIza" + aizaBody[1:], "", "", ""},

		{"pem key, real lines", "-----BEGIN RSA PRIVATE KEY-----\n" + pemBody + "\n-----END RSA PRIVATE KEY-----", "PEM private key", "-----BEGIN RSA PRIVATE KEY-----", "-----BEGIN RSA PRIVATE KEY-----"},
		{"pem key, written escapes", `-----BEGIN OPENSSH PRIVATE KEY-----\n` + pemBody[:64] + `\n` + pemBody[64:], "PEM private key", "-----BEGIN OPENSSH PRIVATE KEY-----", "-----BEGIN OPENSSH PRIVATE KEY-----"},
		{"pem key, pkcs8", "-----BEGIN PRIVATE KEY-----" + pemBody, "PEM private key", "-----BEGIN PRIVATE KEY-----", "-----BEGIN PRIVATE KEY-----"},
		{"near miss: pem public key", "-----BEGIN PUBLIC KEY-----\n" + pemBody, "", "", ""},
		{"near miss: pem certificate", "-----BEGIN CERTIFICATE-----\n" + pemBody, "", "", ""},
		{"near miss: pem key header without body", "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----", "", "", ""},

		{"url password", "https://deploy:Vq7rT2mLx9@git.corp.internal/repo.git", "password in a URL", "Vq7rT2mLx9", "https://deploy:…@git.corp.internal"},
		{"url password, git+https", "git+https://ci:Vq7rT2mLx9@gitlab.corp/x.git", "password in a URL", "Vq7rT2mLx9", "git+https://ci:…@gitlab.corp"},
		{"url password, empty user", "https://:Vq7rT2mLx9@gitlab.corp/x.git", "password in a URL", "Vq7rT2mLx9", "https://:…@gitlab.corp"},
		{"url password, percent-escaped", "postgres://app:Vq7%40rT2@db:5432/app", "password in a URL", "Vq7%40rT2", "postgres://app:…@db"},
		{"near miss: url password variable", "https://deploy:${TOKEN}@git.corp.internal/repo.git", "", "", ""},
		{"near miss: url password shell variable", "https://deploy:$TOKEN@git.corp.internal/repo.git", "", "", ""},
		{"near miss: url password template", "https://{{ .User }}:{{ .Pass }}@git.corp.internal", "", "", ""},
		{"near miss: url password placeholder", "postgres://postgres:postgres@db:5432/app", "", "", ""},
		{"near miss: url password word", "http://user:password@proxy:3128", "", "", ""},
		{"near miss: url password on example.com", "https://bob:Vq7rT2mLx9@example.com/x", "", "", ""},
		{"near miss: url user only", "https://deploy@git.corp.internal/repo.git", "", "", ""},
		{"near miss: url port, no user", "http://localhost:8080/path@v1", "", "", ""},
		{"near miss: url password a default", "http://admin:admin123@nexus.corp:8081/repository/", "", "", ""},
		{"near miss: url password a template word", "https://me:MYPASS@git.corp.internal/", "", "", ""},
		{"near miss: url password a short number", "http://proxy:3128@gateway.corp/", "", "", ""},
		{"near miss: url password masked", "https://deploy:****@git.corp.internal", "", "", ""},
		{"token in a url is reported once, by its format", "https://x-access-token:ghp_" + body36 + "@github.com/o/r.git", "GitHub personal access token", "ghp_" + body36, "ghp_…"},

		{"plain word", "apt-get", "", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Find(tt.word)
			if tt.want == "" {
				if len(got) > 0 {
					t.Fatalf("Find(%q) = %+v, want none", tt.word, got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("Find(%q) = %+v, want one %s", tt.word, got, tt.want)
			}
			m := got[0]
			secret := tt.secret
			if secret == "" {
				secret = tt.word
			}
			if m.Name != tt.want || tt.word[m.Start:m.End] != secret || m.Shown != tt.shown {
				t.Errorf("Find(%q) = %s %q shown %q, want %s %q shown %q", tt.word, m.Name, tt.word[m.Start:m.End], m.Shown, tt.want, secret, tt.shown)
			}
		})
	}
}

// TestFindSeveral: two credentials in one word are both found, in order.
func TestFindSeveral(t *testing.T) {
	word := "AKIA" + awsBody + ":ghp_" + body36
	got := Find(word)
	if len(got) != 2 || got[0].Name != "AWS access key id" || got[1].Name != "GitHub personal access token" {
		t.Fatalf("Find = %+v", got)
	}
}

// TestShownNeverHoldsTheSecret: what a message may print stops at the
// format's public prefix, or leaves a password out.
func TestShownNeverHoldsTheSecret(t *testing.T) {
	for _, w := range []string{"ghp_" + body36, "AKIA" + awsBody, "sk_live_" + stripe, "https://deploy:Vq7rT2mLx9@git.corp.internal"} {
		for _, m := range Find(w) {
			secret := w[m.Start:m.End]
			if strings.Contains(m.Shown, secret[4:]) || strings.Contains(m.Shown, secret[len(secret)-6:]) {
				t.Errorf("%s: shown %q holds part of the secret", m.Name, m.Shown)
			}
		}
	}
}

func TestMask(t *testing.T) {
	for in, want := range map[string]string{"ghp_abc": "ghp_…", "abcd": "…", "": "…", "éèàçù": "éèàç…"} {
		if got := Mask(in); got != want {
			t.Errorf("Mask(%q) = %q, want %q", in, got, want)
		}
	}
}

func BenchmarkFind(b *testing.B) {
	words := strings.Fields("apt-get install -y --no-install-recommends ca-certificates curl git https://deb.nodesource.com/setup_20.x /usr/local/bin npm_config_loglevel=warn")
	for b.Loop() {
		for _, w := range words {
			Find(w)
		}
	}
}

// TestFindShortWords: the shortest match of every kind is at least
// minMatchLen long and found, so the early return of Find for shorter words
// skips nothing. Each word is built from the format, not from minMatchLen's
// own formula.
func TestFindShortWords(t *testing.T) {
	shortest := map[string]string{"password in a URL": "ab://:Vq7r@d"}
	for _, f := range Formats {
		if len(f.Prefixes) == 0 || f.MinBody == 0 {
			continue
		}
		var letters []byte
		for c := range 256 {
			if f.Alphabet.has(byte(c)) {
				letters = append(letters, byte(c))
			}
		}
		body := make([]byte, f.MinBody)
		for i := range body {
			body[i] = letters[(i*7+3)%len(letters)] // varied: no placeholder run
		}
		if f.Valid != nil && !f.Valid(string(body)) {
			t.Logf("%s: no simple body of %d bytes is valid; not checked", f.Name, f.MinBody)
			continue
		}
		for _, p := range f.Prefixes {
			if w, seen := shortest[f.Name]; !seen || len(p)+len(body) < len(w) {
				shortest[f.Name] = p + string(body)
			}
		}
	}
	for name, w := range shortest {
		if len(w) < index().minMatchLen {
			t.Errorf("%s: a %d-byte match (%s) is shorter than minMatchLen %d", name, len(w), w, index().minMatchLen)
		}
		found := false
		for _, m := range Find(w) {
			found = found || m.Name == name
		}
		if !found {
			t.Errorf("Find(%q) = %v, want a %s", w, Find(w), name)
		}
	}
	if len(shortest) < 3 {
		t.Fatalf("only %d kinds checked", len(shortest))
	}
}
