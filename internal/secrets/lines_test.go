package secrets

import (
	"slices"
	"strings"
	"testing"
)

func TestMaskLines(t *testing.T) {
	const ghp = "ghp_" + "1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R"
	pemBody := strings.Repeat("MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun", 2)
	tests := []struct {
		name   string
		lines  []string
		hidden []string // no output line may contain these
		want   []string // nil: lines unchanged
	}{
		{
			name:  "nothing to mask",
			lines: []string{"FROM alpine", "RUN echo hi \\", "  && true"},
		},
		{
			name:   "token on one line",
			lines:  []string{"FROM alpine", "ENV T=" + ghp},
			hidden: []string{ghp[4:]},
			want:   []string{"FROM alpine", "ENV T=ghp_" + strings.Repeat("*", len(ghp)-4)},
		},
		{
			name:   "token split over a continuation",
			lines:  []string{"FROM alpine", "ENV T=" + ghp[:12] + "\\", ghp[12:]},
			hidden: []string{ghp[12:], ghp[4:12]},
			want:   []string{"FROM alpine", "ENV T=ghp_********\\", strings.Repeat("*", len(ghp)-12)},
		},
		{
			name:   "token split over a Windows continuation",
			lines:  []string{"# escape=`", "FROM alpine", "ENV T=" + ghp[:12] + "`", ghp[12:]},
			hidden: []string{ghp[12:]},
		},
		{
			name:   "blanks after the escape character",
			lines:  []string{"FROM alpine", "ENV T=" + ghp[:12] + "\\  \t", ghp[12:]},
			hidden: []string{ghp[12:]},
		},
		{
			name:   "a comment line inside the continuation",
			lines:  []string{"FROM alpine", "RUN echo " + ghp[:12] + "\\", "# a comment", "", ghp[12:]},
			hidden: []string{ghp[12:]},
		},
		{
			// A backtick is no escape in a backslash file: the line is not
			// joined to the next, whose token is masked on its own.
			name:   "a backtick at a line end in a backslash file",
			lines:  []string{"RUN cat > /root/.token <<X", "# written by `whoami`", ghp, "X"},
			hidden: []string{ghp[4:]},
		},
		{
			name: "PEM key body in a heredoc",
			lines: []string{"RUN <<EOF", "cat > /k <<KEY", "-----BEGIN RSA PRIVATE KEY-----",
				pemBody[:64], pemBody[64:], "-----END RSA PRIVATE KEY-----", "KEY", "EOF"},
			hidden: []string{pemBody[:64], pemBody[64:], pemBody[10:30]},
		},
		{
			name:   "PEM key written with \\n escapes",
			lines:  []string{`ENV KEY="-----BEGIN PRIVATE KEY-----\n` + pemBody + `\n-----END PRIVATE KEY-----"`},
			hidden: []string{pemBody[10:40]},
		},
		{
			name:  "PEM public key is not a secret",
			lines: []string{"RUN <<EOF", "-----BEGIN PUBLIC KEY-----", pemBody[:64], pemBody[64:], "-----END PUBLIC KEY-----", "EOF"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			esc := byte('\\')
			if strings.HasPrefix(tt.lines[0], "# escape=`") {
				esc = '`'
			}
			got := MaskLines(slices.Clone(tt.lines), esc)
			if len(got) != len(tt.lines) {
				t.Fatalf("got %d lines, want %d", len(got), len(tt.lines))
			}
			for i := range got {
				if len(got[i]) != len(tt.lines[i]) {
					t.Errorf("line %d changed length: %q", i+1, got[i])
				}
			}
			for _, h := range tt.hidden {
				for i, l := range got {
					if strings.Contains(l, h) {
						t.Errorf("line %d shows %q: %q", i+1, h, l)
					}
				}
			}
			if tt.hidden == nil && tt.want == nil && !slices.Equal(got, tt.lines) {
				t.Errorf("changed lines without a secret: %q", got)
			}
			if tt.want != nil && !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}
