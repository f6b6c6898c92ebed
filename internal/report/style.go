package report

// style is a text style: the ANSI escape sequences (SGR) that turn it on
// and off. Each attribute is reset by its own code (bold and faint by 22),
// a color by 0, in the order they were set: the bytes fatih/color wrote,
// which the text and layers formats used before (TestStyles). The zero
// style leaves text as it is.
type style struct{ on, off string }

var (
	styleBold       = style{"\x1b[1m", "\x1b[22m"}
	styleFaint      = style{"\x1b[2m", "\x1b[22m"}
	styleCyan       = style{"\x1b[36m", "\x1b[0m"}
	styleBoldRed    = style{"\x1b[31;1m", "\x1b[0;22m"}
	styleBoldYellow = style{"\x1b[33;1m", "\x1b[0;22m"}
	styleBoldCyan   = style{"\x1b[36;1m", "\x1b[0;22m"}
)

// paint returns s in the style (an empty s too: its codes alone).
func (st style) paint(s string) string {
	if st.on == "" {
		return s
	}
	return st.on + s + st.off
}
