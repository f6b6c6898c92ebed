package report

import (
	"testing"

	"github.com/fatih/color"
)

// TestStyles: each style writes the bytes fatih/color writes for the same
// attributes (the text and layers formats used it before), also for an
// empty string.
func TestStyles(t *testing.T) {
	for _, tc := range []struct {
		name  string
		st    style
		attrs []color.Attribute
	}{
		{"bold", styleBold, []color.Attribute{color.Bold}},
		{"faint", styleFaint, []color.Attribute{color.Faint}},
		{"cyan", styleCyan, []color.Attribute{color.FgCyan}},
		{"bold red", styleBoldRed, []color.Attribute{color.FgRed, color.Bold}},
		{"bold yellow", styleBoldYellow, []color.Attribute{color.FgYellow, color.Bold}},
		{"bold cyan", styleBoldCyan, []color.Attribute{color.FgCyan, color.Bold}},
	} {
		c := color.New(tc.attrs...)
		c.EnableColor()
		for _, s := range []string{"", "error[DV100 volume-instruction]", "a\nb %s"} {
			if got, want := tc.st.paint(s), c.Sprint(s); got != want {
				t.Errorf("%s: paint(%q) = %q, want %q", tc.name, s, got, want)
			}
		}
	}
	if got := (style{}).paint("x"); got != "x" {
		t.Errorf("the zero style painted %q", got)
	}
}
