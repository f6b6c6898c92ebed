package report

import (
	"bufio"
	"fmt"
	"io"
	"math/bits"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/fatih/color"

	"github.com/dockvet/dockvet/internal/config"
)

// LayerTable is a picture of an image's layers (dockvet image --layers) or
// of the layers a Dockerfile makes (dockvet lint --layers): one row per
// build step, with its size as a bar. It knows nothing of images or rules:
// the CLI fills it.
type LayerTable struct {
	// Title is the first line: what the table is about.
	Title string
	// Column is the header of the first column, what Row.Label counts:
	// "entry" (history entries) or "line" (Dockerfile lines).
	Column string
	Rows   []LayerRow
	// SizeNote qualifies the total in the total line: "compressed".
	SizeNote string
	// Uncompressed is the image's uncompressed size for the total line,
	// when it is known (above zero).
	Uncompressed int64
	// Notes are printed after the total line, one per line.
	Notes []string
}

// UnknownSize marks a size that is not known.
const UnknownSize int64 = -1

// LayerRow is one build step.
type LayerRow struct {
	// Label is the history entry or line number, or whatever identifies
	// the step ("" for none).
	Label string
	// Size is the bytes the step adds (UnknownSize when not known).
	// AtLeast makes it a lower bound.
	Size    int64
	AtLeast bool
	// Empty marks a step that makes no layer: no size, no bar.
	Empty bool
	// Text is what created the step (an instruction, a created_by);
	// whitespace is collapsed and it is cut to fit.
	Text  string
	Marks []Mark
}

// Mark is a note shown after a row's text, in brackets: "[empty]",
// "[VOLUME /data]", "[wasted 120 MiB]". Warning marks are highlighted.
type Mark struct {
	Text    string
	Warning bool
}

// Layout of the table.
const (
	// tableWidth is the widest a line gets (marks aside, see WriteLayers).
	tableWidth = 100
	// barWidth is the bar column, in cells; the largest row fills it.
	barWidth = 20
	// minText is the least room a row's text keeps when marks follow it
	// on its line.
	minText = 24
)

// eighths are the partial blocks, 1/8 to 7/8 of a cell.
var eighths = []string{"▏", "▎", "▍", "▌", "▋", "▊", "▉"}

type layerPalette struct {
	title, faint, bar, warn, total *color.Color
}

func newLayerPalette(enabled bool) layerPalette {
	p := layerPalette{
		title: color.New(color.Bold),
		faint: color.New(color.Faint),
		bar:   color.New(color.FgCyan),
		warn:  color.New(color.FgYellow, color.Bold),
		total: color.New(color.Bold),
	}
	for _, c := range []*color.Color{p.title, p.faint, p.bar, p.warn, p.total} {
		if enabled {
			c.EnableColor()
		} else {
			c.DisableColor()
		}
	}
	return p
}

// WriteLayers draws the table: a title line, a header, one line per row
// (label and size right-aligned, sizes in binary units, a bar of block
// characters proportional to the largest known size, in eighths of a cell,
// at least one eighth for a size above zero; then the text, cut with "…" so
// that the line fits 100 columns, and the marks, on lines of their own below
// the text when they do not fit after it), and a total line: the
// number of layers (rows that are not Empty) and the sum of the known sizes,
// "at least" when some are unknown or lower bounds. Only opts.Color is read.
func WriteLayers(w io.Writer, t LayerTable, opts Options) error {
	bw := bufio.NewWriter(w)
	pal := newLayerPalette(opts.Color)

	column := t.Column
	if column == "" {
		column = "#"
	}
	labelW := width(column)
	sizeW := width("size")
	sizes := make([]string, len(t.Rows))
	var largest int64
	for i, r := range t.Rows {
		labelW = max(labelW, width(clean(r.Label)))
		sizes[i] = sizeText(r)
		sizeW = max(sizeW, width(sizes[i]))
		if !r.Empty && r.Size > largest {
			largest = r.Size
		}
	}
	prefix := labelW + 2 + sizeW + 2 + barWidth + 2
	room := max(tableWidth-prefix, minText)

	if t.Title != "" {
		fmt.Fprintln(bw, pal.title.Sprint(truncate(clean(t.Title), tableWidth)))
	}
	fmt.Fprintln(bw, pal.faint.Sprint(pad(column, labelW)+"  "+pad("size", sizeW)+"  "+strings.Repeat(" ", barWidth)+"  created by"))
	for i, r := range t.Rows {
		var b strings.Builder
		b.WriteString(pad(clean(r.Label), labelW))
		b.WriteString("  ")
		b.WriteString(strings.Repeat(" ", sizeW-width(sizes[i])))
		if r.Size < 0 {
			b.WriteString(paint(pal.faint, sizes[i]))
		} else {
			b.WriteString(sizes[i])
		}
		bar := ""
		if !r.Empty {
			bar = barText(r.Size, largest)
		}
		text := clean(r.Text)
		marks := make([]string, len(r.Marks))
		marksW := 0
		for j, m := range r.Marks {
			marks[j] = "[" + clean(m.Text) + "]"
			marksW += 1 + width(marks[j])
		}
		if text == "" && len(marks) == 0 {
			if bar != "" {
				b.WriteString("  " + paint(pal.bar, bar))
			}
			fmt.Fprintln(bw, b.String())
			continue
		}
		b.WriteString("  " + paint(pal.bar, bar) + strings.Repeat(" ", barWidth-width(bar)) + "  ")
		// The marks follow the text on its line when they fit, cutting the
		// text down to minText cells if need be; else they go on lines of
		// their own below, under the text.
		below := false
		switch {
		case len(marks) == 0 || text == "":
			text = truncate(text, room)
		case width(text)+marksW <= room:
		case marksW <= room-minText:
			text = truncate(text, room-marksW)
		default:
			text = truncate(text, room)
			below = true
		}
		b.WriteString(text)
		used := width(text)
		if below {
			fmt.Fprintln(bw, b.String())
			b.Reset()
			b.WriteString(strings.Repeat(" ", prefix))
			used = 0
		}
		for j, m := range marks {
			if used > 0 && used+1+width(m) > room {
				fmt.Fprintln(bw, b.String())
				b.Reset()
				b.WriteString(strings.Repeat(" ", prefix))
				used = 0
			}
			if used > 0 {
				b.WriteByte(' ')
				used++
			}
			m = truncate(m, room-used)
			used += width(m)
			if r.Marks[j].Warning {
				b.WriteString(pal.warn.Sprint(m))
			} else {
				b.WriteString(pal.faint.Sprint(m))
			}
		}
		fmt.Fprintln(bw, b.String())
	}
	fmt.Fprintln(bw, pal.total.Sprint(totalText(t)))
	for _, n := range t.Notes {
		fmt.Fprintln(bw, pal.faint.Sprint(clean(n)))
	}
	return bw.Flush()
}

// paint colors s, leaving an empty string without escape sequences.
func paint(c *color.Color, s string) string {
	if s == "" {
		return s
	}
	return c.Sprint(s)
}

// sizeText is a row's size column: "3.1 MiB", "≥ 12 MiB", "unknown", or ""
// for an empty step.
func sizeText(r LayerRow) string {
	switch {
	case r.Empty:
		return ""
	case r.Size < 0:
		return "unknown"
	case r.AtLeast:
		return "≥ " + config.FormatSize(r.Size)
	}
	return config.FormatSize(r.Size)
}

// barText is a bar of size/largest of barWidth cells, rounded to the
// nearest eighth of a cell, at least one eighth for a size above zero.
func barText(size, largest int64) string {
	if size <= 0 || largest <= 0 {
		return ""
	}
	// size*barWidth*8/largest without overflow.
	hi, lo := bits.Mul64(uint64(size), barWidth*8*2)
	q, _ := bits.Div64(hi, lo, uint64(largest))
	n := int((q + 1) / 2) // rounded
	n = max(n, 1)
	n = min(n, barWidth*8)
	s := strings.Repeat("█", n/8)
	if n%8 > 0 {
		s += eighths[n%8-1]
	}
	return s
}

// totalText is the total line.
func totalText(t LayerTable) string {
	layers, unknown := 0, 0
	var sum int64
	atLeast := false
	for _, r := range t.Rows {
		if r.Empty {
			continue
		}
		layers++
		if r.Size < 0 {
			unknown++
			continue
		}
		sum += r.Size
		atLeast = atLeast || r.AtLeast
	}
	if layers == 0 {
		return "total: no layers"
	}
	s := "total: " + plural(layers, "layer", "layers") + ", "
	switch {
	case unknown == layers:
		return s + "size unknown"
	case unknown > 0 || atLeast:
		s += "at least "
	}
	s += config.FormatSize(sum)
	if t.SizeNote != "" {
		s += " " + t.SizeNote
	}
	if t.Uncompressed > 0 {
		s += ", " + config.FormatSize(t.Uncompressed) + " uncompressed"
	}
	if unknown > 0 {
		s += fmt.Sprintf(" (%d of unknown size)", unknown)
	}
	return s
}

// clean makes text one line: invalid UTF-8, control characters and the
// bidirectional formatting characters Escape escapes become U+FFFD (a table
// keeps its columns; Escape's escapes would widen them), runs of white space
// one space.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r), unsafeRune(r):
			return '\uFFFD'
		}
		return r
	}, s)
	// Escape now rewrites only what the runner executes ("##[", a leading
	// "::"): a layer's created_by and a Dockerfile's lines are hostile too.
	return Escape(strings.Join(strings.Fields(s), " "))
}

// pad right-aligns s in n cells.
func pad(s string, n int) string {
	return strings.Repeat(" ", max(n-width(s), 0)) + s
}

// truncate cuts s to at most n cells, ending it with "…" when it is cut.
func truncate(s string, n int) string {
	if width(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	var b strings.Builder
	w := 0
	for _, r := range s {
		cw := runeWidth(r)
		if w+cw > n-1 {
			break
		}
		b.WriteRune(r)
		w += cw
	}
	return strings.TrimRight(b.String(), " ") + "…"
}

// width is the number of terminal cells s takes.
func width(s string) int {
	n := 0
	for _, r := range s {
		n += runeWidth(r)
	}
	return n
}

// runeWidth is the cells a rune takes: 0 for combining marks and format
// characters, 2 for East Asian wide characters and emoji, else 1. It is an
// approximation of wcwidth that is good enough to keep columns aligned.
func runeWidth(r rune) int {
	switch {
	case r == utf8.RuneError:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	case r >= 0x1100 && r <= 0x115F, r >= 0x2E80 && r <= 0x303E, r >= 0x3041 && r <= 0x33FF,
		r >= 0x3400 && r <= 0x4DBF, r >= 0x4E00 && r <= 0x9FFF, r >= 0xA000 && r <= 0xA4CF,
		r >= 0xAC00 && r <= 0xD7A3, r >= 0xF900 && r <= 0xFAFF, r >= 0xFE30 && r <= 0xFE4F,
		r >= 0xFF00 && r <= 0xFF60, r >= 0xFFE0 && r <= 0xFFE6, r >= 0x1F300 && r <= 0x1F64F,
		r >= 0x1F900 && r <= 0x1F9FF, r >= 0x20000 && r <= 0x3FFFD:
		return 2
	}
	return 1
}
