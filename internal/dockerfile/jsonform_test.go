package dockerfile

import "testing"

func TestJSONForm(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{[]string{"npm", "start"}, `["npm", "start"]`},
		{[]string{"sh", "-c", `echo "a" && b > c`}, `["sh", "-c", "echo \"a\" && b > c"]`},
		{[]string{`C:\app`}, `["C:\\app"]`},
		{nil, `[]`},
	} {
		if got := JSONForm(tt.words); got != tt.want {
			t.Errorf("JSONForm(%q) = %s, want %s", tt.words, got, tt.want)
		}
	}
}
