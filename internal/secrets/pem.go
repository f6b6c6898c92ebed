package secrets

import "strings"

// minPEMBody is how many base64 characters must follow a BEGIN line for the
// block to count as a key: the smallest real one (an Ed25519 key in PKCS #8)
// has 64; a header followed by "..." or a variable is an example.
const minPEMBody = 64

// pemName names a PEM private key match (MaskLines masks its body too).
const pemName = "PEM private key"

// findPEM finds PEM private keys: "-----BEGIN <kind> PRIVATE KEY-----"
// followed by a base64 body, on real lines or with "\n" escapes as written
// in an ENV value or an echo argument. Public keys and certificates are not
// secrets.
func findPEM(word string) []Match {
	var out []Match
	const begin = "-----BEGIN "
	for from := 0; ; {
		i := strings.Index(word[from:], begin)
		if i < 0 {
			return out
		}
		i += from
		from = i + len(begin)
		rest := word[from:]
		j := strings.Index(rest, "-----")
		if j < 0 || j > 40 {
			continue
		}
		label := rest[:j]
		if !strings.HasSuffix(label, "PRIVATE KEY") || strings.Trim(label, "ABCDEFGHIJKLMNOPQRSTUVWXYZ ") != "" {
			continue
		}
		end := from + j + len("-----")
		if chars, _ := scanPEMBody(word[end:]); chars < minPEMBody {
			continue
		}
		out = append(out, Match{Name: pemName, Start: i, End: end, Shown: word[i:end]})
		from = end
	}
}

// scanPEMBody scans the body that follows a BEGIN line, up to the END line or
// the first character that cannot be in it (whitespace and written "\n"
// escapes are skipped): chars counts its base64 characters, end is the
// offset in s where it stops.
func scanPEMBody(s string) (chars, end int) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case base64Byte(c):
			chars++
		case c == ' ', c == '\t', c == '\n', c == '\r':
		case c == '\\' && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r'):
			i++
		default:
			return chars, i
		}
	}
	return chars, len(s)
}

func base64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '='
}
