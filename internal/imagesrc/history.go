package imagesrc

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
)

// Entry is one history entry (its created_by) read as a Dockerfile
// instruction. Builders write created_by in a few forms:
//
//	RUN /bin/sh -c apt-get update # buildkit        BuildKit RUN
//	RUN |2 A=1 B=2 /bin/sh -c make # buildkit       BuildKit RUN with build args
//	COPY . /app # buildkit                          BuildKit COPY/ADD
//	CMD ["/bin/sh" "-c" "npm start"]                BuildKit CMD/ENTRYPOINT (Go %q of the argv)
//	VOLUME [/data /logs]                            BuildKit VOLUME/SHELL (Go %v of the list)
//	/bin/sh -c apt-get update                       classic builder (and buildah) RUN
//	|1 A=1 /bin/sh -c make                          ... with build args
//	/bin/sh -c #(nop)  CMD ["sh"]                   classic builder, any other instruction
//	/bin/sh -c #(nop) ADD file:4b03...ba9 in /      classic COPY/ADD of a hashed source
//
// Anything else (a rootfs importer's note, an empty string) is no
// instruction.
type Entry struct {
	// Keyword is the instruction in upper case ("RUN", "COPY", "CMD", ...);
	// "" when the entry is not an instruction.
	Keyword string
	// Args is the argument text as a Dockerfile would have it: for RUN the
	// script, without the shell, the build arguments and the "# buildkit"
	// marker; for a classic COPY/ADD "file:<hash> /dest".
	Args string
	// List is the decoded argument list of CMD, ENTRYPOINT, VOLUME and
	// SHELL; nil when the arguments are not a list or cannot be decoded.
	List []string
	// Shell is the shell a RUN script was run with (["/bin/sh", "-c"]); nil
	// for a RUN without one (exec form, or a builder that records the
	// Dockerfile text).
	Shell []string
	// NotPOSIX marks a RUN run by cmd or PowerShell: its script is not sh.
	NotPOSIX bool
}

// knownKeywords are the instructions a created_by may start with.
var knownKeywords = []string{"RUN", "COPY", "ADD", "ENV", "WORKDIR", "VOLUME", "CMD", "ENTRYPOINT",
	"USER", "SHELL", "LABEL", "EXPOSE", "ARG", "HEALTHCHECK", "STOPSIGNAL", "MAINTAINER", "ONBUILD"}

// ParseEntry reads a history entry's created_by.
func ParseEntry(createdBy string) Entry {
	s := strings.TrimSpace(createdBy)
	if t, ok := strings.CutSuffix(s, "# buildkit"); ok {
		s = strings.TrimSpace(t)
	}
	if rest, ok := cutNop(s); ok {
		kw, args := splitKeyword(rest)
		if kw == "" || kw == "RUN" {
			return Entry{}
		}
		if kw == "COPY" || kw == "ADD" {
			args = classicCopyArgs(args)
		}
		return instructionEntry(kw, args)
	}
	if kw, args := splitKeyword(s); kw != "" {
		if kw == "RUN" {
			return runEntry(args, false)
		}
		return instructionEntry(kw, args)
	}
	// The classic builder records a RUN as the command it ran.
	return runEntry(s, true)
}

// cutNop strips the classic builder's "/bin/sh -c #(nop) " prefix (also
// without the shell, as some builders write it).
func cutNop(s string) (string, bool) {
	i := strings.Index(s, "#(nop)")
	if i < 0 {
		return "", false
	}
	if pre := strings.TrimSpace(s[:i]); pre != "" {
		// Only the shell itself may come before the marker: in
		// "/bin/sh -c echo #(nop)" it is part of a command.
		if _, script, _, ok := splitShell(pre + " "); !ok || script != "" {
			return "", false
		}
	}
	return strings.TrimSpace(s[i+len("#(nop)"):]), true
}

// splitKeyword splits "KEYWORD args" when KEYWORD is a known instruction
// written in upper case.
func splitKeyword(s string) (string, string) {
	kw, args, _ := strings.Cut(s, " ")
	if !slices.Contains(knownKeywords, kw) {
		return "", ""
	}
	return kw, strings.TrimSpace(args)
}

// classicCopyArgs turns the classic builder's "file:<hash> in /dest" into
// "file:<hash> /dest".
func classicCopyArgs(args string) string {
	src, rest, ok := strings.Cut(args, " in ")
	if !ok || strings.ContainsRune(src, ' ') {
		return args
	}
	for _, p := range []string{"file:", "dir:", "multi:"} {
		if strings.HasPrefix(src, p) {
			return src + " " + strings.TrimSpace(rest)
		}
	}
	return args
}

func instructionEntry(kw, args string) Entry {
	e := Entry{Keyword: kw, Args: args}
	switch kw {
	case "CMD", "ENTRYPOINT":
		e.List, _ = decodeList(args)
	case "VOLUME", "SHELL":
		e.List = decodeWords(args)
	}
	return e
}

// runEntry reads the text after "RUN" (BuildKit) or a whole classic
// created_by (strict: then the shell must be there).
func runEntry(s string, strict bool) Entry {
	s = stripBuildArgs(s)
	shell, script, posix, ok := splitShell(s)
	switch {
	case ok:
		return Entry{Keyword: "RUN", Args: script, Shell: shell, NotPOSIX: !posix}
	case strict:
		return Entry{}
	}
	return Entry{Keyword: "RUN", Args: s}
}

// stripBuildArgs removes the "|N K=V ..." prefix that records the build
// arguments a RUN saw.
func stripBuildArgs(s string) string {
	if !strings.HasPrefix(s, "|") {
		return s
	}
	count, rest, ok := strings.Cut(s[1:], " ")
	n, err := strconv.Atoi(count)
	if !ok || err != nil || n < 0 {
		return s
	}
	r := rest
	for range n {
		tok, after, _ := strings.Cut(r, " ")
		if !strings.Contains(tok, "=") {
			break
		}
		r = after
	}
	if _, _, _, ok := splitShell(r); ok {
		return r
	}
	// A value with spaces (they are not quoted): the command starts at
	// the first shell invocation.
	for i := 0; i < len(rest); i++ {
		if rest[i] == ' ' {
			if _, _, _, ok := splitShell(rest[i+1:]); ok {
				return rest[i+1:]
			}
		}
	}
	return r
}

// splitShell splits "<shell> [options] -c <script>" (and cmd /S /C,
// powershell -Command). ok is false when s does not start with a shell
// invocation.
func splitShell(s string) (shell []string, script string, posix, ok bool) {
	first, rest, found := strings.Cut(s, " ")
	if first == "" {
		return nil, "", false, false
	}
	name := strings.TrimSuffix(strings.ToLower(path.Base(strings.ReplaceAll(first, `\`, "/"))), ".exe")
	shell = []string{first}
	var isScriptFlag, isOptionFlag func(tok string) bool
	switch {
	case name == "cmd":
		isScriptFlag = func(tok string) bool { return strings.EqualFold(tok, "/C") }
		isOptionFlag = func(tok string) bool { return strings.HasPrefix(tok, "/") }
	case name == "powershell" || name == "pwsh":
		isScriptFlag = func(tok string) bool {
			return strings.EqualFold(tok, "-Command") || strings.EqualFold(tok, "-c")
		}
		isOptionFlag = func(tok string) bool { return strings.HasPrefix(tok, "-") }
	case dockerfile.IsPOSIXShell([]string{first}):
		posix = true
		isScriptFlag = func(tok string) bool {
			return len(tok) > 1 && tok[0] == '-' && tok[1] != '-' && strings.HasSuffix(tok, "c") && isLetters(tok[1:])
		}
		isOptionFlag = func(tok string) bool {
			return len(tok) > 1 && (tok[0] == '-' || tok[0] == '+')
		}
	default:
		return nil, "", false, false
	}
	skipNext := false
	for range 8 {
		if !found {
			return nil, "", false, false
		}
		tok, after, f := strings.Cut(rest, " ")
		shell = append(shell, tok)
		switch {
		case skipNext:
			skipNext = false
		case isScriptFlag(tok):
			return shell, after, posix, true
		case isOptionFlag(tok):
			// -o pipefail, -euxo pipefail: the next word is an option name.
			skipNext = posix && (strings.HasSuffix(tok, "o") || strings.HasSuffix(tok, "O")) && isLetters(tok[1:])
		default:
			return nil, "", false, false
		}
		rest, found = after, f
	}
	return nil, "", false, false
}

func isLetters(s string) bool {
	for _, c := range s {
		if (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') {
			return false
		}
	}
	return s != ""
}

// decodeList decodes a JSON array of strings or Go's %q of a []string
// (["a" "b"]).
func decodeList(s string) ([]string, bool) {
	s = strings.TrimSpace(s)
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err == nil && out != nil {
		return out, true
	}
	body, ok := strings.CutPrefix(s, "[")
	if !ok {
		return nil, false
	}
	body, ok = strings.CutSuffix(body, "]")
	if !ok {
		return nil, false
	}
	out = []string{}
	for {
		body = strings.TrimLeft(body, " ,")
		if body == "" {
			return out, true
		}
		q, err := strconv.QuotedPrefix(body)
		if err != nil {
			return nil, false
		}
		v, err := strconv.Unquote(q)
		if err != nil {
			return nil, false
		}
		out = append(out, v)
		body = body[len(q):]
	}
}

// decodeWords decodes a VOLUME or SHELL list: JSON, Go %q, or Go %v
// ([/data /logs], whose elements cannot contain spaces).
func decodeWords(s string) []string {
	if l, ok := decodeList(s); ok {
		return l
	}
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
		s = s[1 : len(s)-1]
	}
	return strings.Fields(s)
}

// Text is the entry as an instruction, e.g. `RUN apt-get update`, or ""
// when it is none.
func (e Entry) Text() string {
	if e.Keyword == "" {
		return ""
	}
	return strings.TrimSpace(e.Keyword + " " + e.Args)
}

// maxQuote is how much of an entry a message quotes.
const maxQuote = 80

// QuoteEntry is a history entry shortened for a message: its line as
// HistoryDockerfile shows it, without a comment's "#" (the instruction it
// records, `RUN apt-get update && ...`, without the shell and the builder's
// markers, or its raw text), spaces collapsed, at most about 80 characters.
func QuoteEntry(createdBy string) string {
	s, _ := entryLine(createdBy, false)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "#"), " ")
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "(empty)"
	}
	if utf8.RuneCountInString(s) > maxQuote {
		r := []rune(s)
		s = strings.TrimSpace(string(r[:maxQuote-1])) + "…"
	}
	return s
}

// syntheticFrom is line 1 of the Dockerfile that HistoryDockerfile parses:
// the front end assigns instructions to stages only after a FROM.
const syntheticFrom = "FROM scratch"

// Limits on synthesized lines: BuildKit's line scanner refuses lines of 64
// KiB, and nobody reads a longer comment.
const (
	maxInstructionLine = 32 << 10
	maxCommentLine     = 4 << 10
)

// HistoryDockerfile reads an image's history as a Dockerfile, one physical
// line per history entry: line i holds entry i (1-based), so that a
// finding's line is the entry's number.
//
// An entry becomes an instruction when a rule can use it: RUN (the script
// alone: `RUN apt-get update`), COPY, ADD, ENV, WORKDIR and VOLUME (as a
// JSON array). Every other entry becomes a comment: `# CMD ["sh"]`,
// `# USER app`, `# LABEL ...`, `# <text>` for what is no instruction, `#`
// for an empty entry. CMD, ENTRYPOINT and USER are comments because rules
// read them from the config, which is what a container runs.
//
// On a Windows image, RUN entries are comments too (cmd or PowerShell).
//
// An entry that spans several lines must still take one. A multi-line RUN
// script (a BuildKit heredoc RUN records its body) is reprinted on one line
// by the shell printer (commands joined with ";", which keeps their
// meaning); a script that cannot be, because it holds a heredoc or a quoted
// newline, becomes a comment with its newlines shown as \n. So does any
// instruction the Dockerfile front end would not read as exactly one
// instruction on its line (an ENV value with spaces, COPY <<EOF, a trailing
// backslash): the result is checked and such lines are demoted.
//
// The front end needs a FROM before the first instruction, and an extra
// line would shift every line number. The parsed text therefore has
// `FROM scratch` in place of entry 1: that entry is the first step of the
// oldest base image (its root filesystem ADD/COPY, or an ARG/LABEL), which
// no RUN rule needs; a RUN there could hardly have run (an empty filesystem
// has no shell; only a RUN --mount of another image could). The returned File is that parse; lines are the lines
// users see, with entry 1 in its place (finding.Result.Sources).
//
// It returns a nil File and no lines for an image without history.
func HistoryDockerfile(img *image.Image) (f *dockerfile.File, lines []string, err error) {
	defer func() {
		// The shell printer and the front end are not expected to panic;
		// if one does, this image fails, not the run.
		if p := recover(); p != nil {
			f, lines, err = nil, nil, fmt.Errorf("internal error reading the image history: %v (please report this with the output of `docker history --no-trunc`)", p)
		}
	}()
	if img == nil {
		return nil, nil, fmt.Errorf("no image")
	}
	n := len(img.History)
	if n == 0 {
		return nil, nil, nil
	}
	lines = make([]string, n)
	instr := make([]bool, n)
	for i, h := range img.History {
		lines[i], instr[i] = entryLine(h.CreatedBy, img.OS == "windows")
	}
	name := img.Ref
	for round := 0; ; round++ {
		var b bytes.Buffer
		b.WriteString(syntheticFrom + "\n")
		for _, l := range lines[1:] {
			b.WriteString(l)
			b.WriteByte('\n')
		}
		parsed, err := dockerfile.Parse(name, b.Bytes(), dockerfile.Options{})
		if err != nil {
			return nil, nil, err
		}
		bad := badLines(parsed, instr)
		if len(bad) == 0 {
			return parsed, lines, nil
		}
		if round > n {
			return nil, nil, fmt.Errorf("cannot read the history of %s as a Dockerfile", name)
		}
		// One at a time: an instruction that swallows the following lines
		// (an unterminated heredoc) makes them look bad too. Past a few
		// rounds, demote everything at once to bound the work.
		if round < 16 {
			bad = bad[:1]
		}
		for _, l := range bad {
			lines[l-1] = demote(lines[l-1])
			instr[l-1] = false
		}
	}
}

// badLines are the entry lines (2 and later) whose instruction the front end
// did not read as one valid instruction on exactly that line, in order.
func badLines(f *dockerfile.File, instr []bool) []int {
	var bad []int
	add := func(l int) {
		if l >= 2 && l <= len(instr) && instr[l-1] && !slices.Contains(bad, l) {
			bad = append(bad, l)
		}
	}
	seen := make([]bool, len(instr)+1)
	for _, e := range f.Errors {
		add(e.Range.Start.Line)
	}
	for _, in := range f.Instructions {
		if in.StartLine == 1 {
			if in.EndLine != 1 {
				add(2) // cannot happen: FROM scratch has no continuation
			}
			continue
		}
		if in.StartLine < len(seen) {
			seen[in.StartLine] = true
		}
		if in.Invalid || in.EndLine != in.StartLine || in.Stage == nil {
			add(in.StartLine)
		}
	}
	for l := 2; l <= len(instr); l++ {
		if instr[l-1] && !seen[l] {
			add(l)
		}
	}
	slices.Sort(bad)
	return bad
}

// demote turns an instruction line into a comment.
func demote(line string) string { return "# " + line }

// entryLine converts one created_by to its Dockerfile line; instr reports
// whether the line is an instruction (else a comment).
func entryLine(createdBy string, windows bool) (line string, instr bool) {
	e := ParseEntry(createdBy)
	switch e.Keyword {
	case "":
		return comment(createdBy), false
	case "RUN":
		if e.NotPOSIX || windows {
			return comment(e.Text()), false // not sh: no rule can read it
		}
		script, ok := oneLineScript(e.Args)
		if !ok {
			return comment(e.Text()), false
		}
		return instruction("RUN " + script)
	case "COPY", "ADD":
		if strings.Contains(e.Args, "<<") {
			return comment(e.Text()), false // a heredoc: its body is not recorded
		}
		return instruction(e.Text())
	case "ENV", "WORKDIR":
		return instruction(e.Text())
	case "VOLUME":
		if len(e.List) == 0 {
			return comment(e.Text()), false
		}
		return instruction("VOLUME " + dockerfile.JSONForm(e.List))
	case "CMD", "ENTRYPOINT", "SHELL":
		if e.List != nil {
			return comment(e.Keyword + " " + dockerfile.JSONForm(e.List)), false
		}
	}
	return comment(e.Text()), false
}

// instruction checks that text can stand as one physical line; if not, it
// becomes a comment.
func instruction(text string) (string, bool) {
	if len(text) > maxInstructionLine || !utf8.ValidString(text) || strings.HasSuffix(strings.TrimRight(text, " \t"), `\`) ||
		strings.ContainsFunc(text, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f }) {
		return comment(text), false
	}
	return text, true
}

// comment makes text a one-line comment: line breaks are shown as \n and
// other control characters as U+FFFD.
func comment(text string) string {
	text = strings.ToValidUTF8(strings.TrimSpace(text), "\uFFFD")
	text = strings.NewReplacer("\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace(text)
	text = strings.Map(func(r rune) rune {
		if r < 0x20 && r != '\t' || r == 0x7f {
			return '\uFFFD'
		}
		return r
	}, text)
	if len(text) > maxCommentLine {
		cut := maxCommentLine
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut] + "…"
	}
	if text == "" {
		return "#"
	}
	return "# " + text
}

// oneLineScript returns a RUN script on one line with the same meaning:
// as is when it has no line break, else reprinted by the shell printer.
// It fails for a script with a heredoc or a line break inside quotes, and
// for one that does not parse.
func oneLineScript(script string) (string, bool) {
	if !strings.ContainsAny(script, "\n\r") {
		return script, true
	}
	script = strings.ReplaceAll(script, "\r\n", "\n")
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(script), "")
	if err != nil {
		return "", false
	}
	heredoc := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if r, ok := n.(*syntax.Redirect); ok && (r.Op == syntax.Hdoc || r.Op == syntax.DashHdoc) {
			heredoc = true
		}
		return !heredoc
	})
	if heredoc {
		return "", false
	}
	var b strings.Builder
	if err := syntax.NewPrinter(syntax.SingleLine(true)).Print(&b, f); err != nil {
		return "", false
	}
	out := strings.TrimRight(b.String(), "\n")
	if strings.ContainsAny(out, "\n\r") {
		return "", false
	}
	return out, true
}
