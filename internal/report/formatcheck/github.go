package formatcheck

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// parseGitHub reads workflow commands as the Actions runner does:
// "::command key=value,key=value::data", properties split at ',' and '=',
// then unescaped (%2C ',' %3A ':' %0A LF %0D CR %25 '%'), data unescaped
// likewise (without ',' and ':'). Every line must be a command, every
// property one GitHub documents for annotations, and every finding a title
// "RULE name".
func parseGitHub(doc []byte) (*Result, error) {
	res := &Result{}
	sc := bufio.NewScanner(bytes.NewReader(doc))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		cmd, props, data, err := parseCommand(line)
		if err != nil {
			return nil, fmt.Errorf("github line %d: %w: %q", n, err, line)
		}
		var sev string
		switch cmd {
		case "error", "warning":
			sev = cmd
		case "notice":
			sev = "info"
		default:
			return nil, fmt.Errorf("github line %d: command %q is not an annotation", n, cmd)
		}
		k := Key{Severity: sev, Message: data}
		for key, v := range props {
			var err error
			switch key {
			case "file":
				k.File = v
			case "line":
				k.Line, err = strconv.Atoi(v)
			case "col":
				k.Col, err = strconv.Atoi(v)
			case "endLine":
				k.EndLine, err = strconv.Atoi(v)
			case "endColumn":
				k.EndCol, err = strconv.Atoi(v)
			case "title":
				k.Rule, _, _ = strings.Cut(v, " ")
			default:
				err = fmt.Errorf("property %q is not an annotation property", key)
			}
			if err != nil {
				return nil, fmt.Errorf("github line %d: %w", n, err)
			}
		}
		if _, ok := props["title"]; !ok {
			// A file that could not be read: ::error file=F::message.
			if cmd != "error" || k.File == "" || len(props) != 1 {
				return nil, fmt.Errorf("github line %d: an annotation without title must be a file error", n)
			}
			res.Errors = append(res.Errors, k.File)
			continue
		}
		if k.Col != 0 && k.Line == 0 || k.EndLine != 0 && k.Line == 0 {
			return nil, fmt.Errorf("github line %d: a column without a line", n)
		}
		res.Findings = append(res.Findings, k)
	}
	return res, sc.Err()
}

// parseCommand splits one workflow command line; the runner finds the
// command's end at the first "::" after the command name.
func parseCommand(line string) (cmd string, props map[string]string, data string, err error) {
	rest, ok := strings.CutPrefix(line, "::")
	if !ok {
		return "", nil, "", fmt.Errorf("not a workflow command")
	}
	head, data, ok := strings.Cut(rest, "::")
	if !ok {
		return "", nil, "", fmt.Errorf("no '::' before the data")
	}
	if strings.ContainsAny(data, "\r\n") {
		return "", nil, "", fmt.Errorf("raw line break in the data")
	}
	cmd, propText, _ := strings.Cut(head, " ")
	props = map[string]string{}
	if propText != "" {
		for p := range strings.SplitSeq(propText, ",") {
			key, v, ok := strings.Cut(p, "=")
			if !ok || key == "" {
				return "", nil, "", fmt.Errorf("property %q is not key=value", p)
			}
			if _, dup := props[key]; dup {
				return "", nil, "", fmt.Errorf("property %q repeats", key)
			}
			props[key] = unescapeGitHub(v, true)
		}
	}
	return cmd, props, unescapeGitHub(data, false), nil
}

func unescapeGitHub(s string, property bool) string {
	pairs := []string{"%0D", "\r", "%0A", "\n"}
	if property {
		pairs = append(pairs, "%3A", ":", "%2C", ",")
	}
	pairs = append(pairs, "%25", "%") // last, as the runner does
	for i := 0; i < len(pairs); i += 2 {
		s = strings.ReplaceAll(s, pairs[i], pairs[i+1])
	}
	return s
}
