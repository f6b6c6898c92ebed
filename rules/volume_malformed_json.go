package rules

import (
	"fmt"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// VolumeMalformedJSON is DV103.
var VolumeMalformedJSON = &rule.Rule{
	ID:       "DV103",
	Name:     "volume-malformed-json",
	Severity: finding.SeverityError,
	Summary:  "VOLUME with brackets that are not valid JSON: Docker creates literal paths like `[/a,`",
	Doc: `VOLUME accepts a JSON array (VOLUME ["/a", "/b"]) or plain paths separated by
blanks (VOLUME /a /b). Anything in brackets that is not valid JSON (unquoted
paths, single quotes, a missing comma, a trailing comma) silently falls back
to the plain form: VOLUME [/a, /b] declares the two paths "[/a," and "/b]".
The build succeeds, every container gets anonymous volumes at those absurd
paths, and the directories that were meant to be volumes are not.

Write a JSON array with double-quoted strings and commas between them, or drop
the brackets. The rule checks every stage, since such a line is never what was
meant, and offers the JSON array as a fix when the intended paths are clear.`,
	Bad: `FROM postgres:17
VOLUME [/var/lib/postgresql/data, /backups]`,
	Good: `FROM postgres:17
VOLUME ["/var/lib/postgresql/data", "/backups"]`,
	Check: checkVolumeMalformedJSON,
}

func checkVolumeMalformedJSON(pass *rule.Pass) {
	for _, in := range pass.File.Instructions {
		if in.Keyword != "VOLUME" || in.Invalid || in.JSON || len(in.Args()) == 0 || !strings.HasPrefix(in.Args()[0].Value, "[") {
			continue
		}
		// The paths Docker creates: each word after expansion and quote removal.
		literal := make([]string, len(in.Args()))
		for i, a := range in.Args() {
			v, _ := in.Expand(a.Value)
			literal[i] = fmt.Sprintf("%q", unquoteWord.Replace(v))
		}
		d := rule.Diagnostic{Range: in.ArgsRange}
		paths, ok := intendedVolumePaths(in.ArgsText)
		if ok && in.ArgsRange.Start.Line == in.ArgsRange.End.Line {
			fixed := dockerfile.JSONForm(paths)
			d.Message = fmt.Sprintf("VOLUME %s is not a valid JSON array, so Docker declares the literal paths %s; write %s", in.ArgsText, joinNames(literal), fixed)
			d.Fix = &finding.Fix{
				Description: "write the paths as a JSON array",
				Edits:       []finding.Edit{{Range: in.ArgsRange, NewText: fixed}},
			}
		} else {
			d.Message = fmt.Sprintf("VOLUME %s is not a valid JSON array, so Docker declares the literal paths %s; write a JSON array of double-quoted paths separated by commas, or drop the brackets", in.ArgsText, joinNames(literal))
		}
		pass.Report(d)
	}
}

// unquoteWord removes quotes (a Replacer builds its tables on first use).
var unquoteWord = strings.NewReplacer(`"`, "", "'", "")

// intendedVolumePaths reads the paths that a bracketed but invalid VOLUME
// argument meant: the text between the brackets split at commas and blanks,
// each element without its single or double quotes. ok is false when the
// intent is not clear (unbalanced quotes, nested brackets, escapes, nothing).
func intendedVolumePaths(text string) (paths []string, ok bool) {
	t := strings.TrimSpace(text)
	if len(t) < 2 || t[0] != '[' || t[len(t)-1] != ']' {
		return nil, false
	}
	inner := t[1 : len(t)-1]
	isSep := func(c byte) bool { return c == ',' || c == ' ' || c == '\t' }
	for i := 0; i < len(inner); {
		c := inner[i]
		if isSep(c) {
			i++
			continue
		}
		var elem string
		if c == '"' || c == '\'' {
			j := strings.IndexByte(inner[i+1:], c)
			if j < 0 {
				return nil, false
			}
			elem = inner[i+1 : i+1+j]
			i += j + 2
			if i < len(inner) && !isSep(inner[i]) {
				return nil, false
			}
		} else {
			j := i
			for j < len(inner) && !isSep(inner[j]) {
				j++
			}
			elem = inner[i:j]
			i = j
		}
		if elem == "" || strings.ContainsAny(elem, "\"'[]\\ \t") {
			return nil, false
		}
		paths = append(paths, elem)
	}
	return paths, len(paths) > 0
}
