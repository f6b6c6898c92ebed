package manifest

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"
)

// Copy is one file copy a container's command makes: cp, rsync, or a tar
// that extracts into a directory.
type Copy struct {
	Tool string // "cp", "rsync", "tar"
	// Sources are the literal source paths ("" entries for non-literal
	// words); empty for tar, whose input is an archive stream.
	Sources []string
	Dest    string
}

// Copies lists the copies the container's command (command then args) makes:
// run directly (command: ["cp", "-r", "/models", "/data"]) or through a
// shell script (command: ["sh", "-c", "cp -r /models/. /data/"]), including
// scripts of several commands. Words that are not literal are skipped: what
// cannot be read is not guessed.
func (c *Container) Copies() []Copy {
	argv := append(append([]string(nil), c.Command...), c.Args...)
	if len(argv) == 0 {
		return nil
	}
	if script, ok := shellScript(argv); ok {
		return scriptCopies(script)
	}
	if cp, ok := copyOf(argv); ok {
		return []Copy{cp}
	}
	return nil
}

// shellScript returns the script of `sh -c SCRIPT` (bash, ash, dash, with
// -e/-x/-o flags before -c).
func shellScript(argv []string) (string, bool) {
	switch path.Base(argv[0]) {
	case "sh", "bash", "ash", "dash", "zsh", "busybox":
	default:
		return "", false
	}
	i := 1
	if path.Base(argv[0]) == "busybox" {
		if len(argv) < 2 || argv[1] != "sh" {
			return "", false
		}
		i = 2
	}
	for ; i < len(argv); i++ {
		a := argv[i]
		if !strings.HasPrefix(a, "-") {
			return "", false
		}
		if strings.Contains(a, "c") && !strings.HasPrefix(a, "--") {
			if i+1 < len(argv) {
				return argv[i+1], true
			}
			return "", false
		}
		if a == "-o" {
			i++ // -o pipefail
		}
	}
	return "", false
}

func scriptCopies(script string) []Copy {
	file, err := syntax.NewParser().Parse(strings.NewReader(script), "")
	if err != nil {
		return nil
	}
	var out []Copy
	syntax.Walk(file, func(n syntax.Node) bool {
		call, ok := n.(*syntax.CallExpr)
		if !ok || len(call.Args) == 0 {
			return true
		}
		argv := make([]string, len(call.Args))
		for i, w := range call.Args {
			argv[i] = w.Lit() // "" for a word that is not literal
		}
		if cp, ok := copyOf(argv); ok {
			out = append(out, cp)
		}
		return true
	})
	return out
}

// copyOf reads one command line as a copy: `cp [flags] SRC... DEST`, `rsync
// [flags] SRC... DEST`, `tar -x... -C DEST` (or --directory). Wrappers such
// as exec, env and busybox are looked through.
func copyOf(argv []string) (Copy, bool) {
	for len(argv) > 0 {
		switch path.Base(argv[0]) {
		case "exec", "busybox", "command", "nice":
			argv = argv[1:]
			continue
		}
		break
	}
	if len(argv) < 2 {
		return Copy{}, false
	}
	tool := path.Base(argv[0])
	switch tool {
	case "cp", "rsync":
		var operands []string
		target := ""
		for i := 1; i < len(argv); i++ {
			a := argv[i]
			switch {
			case a == "-t" && i+1 < len(argv):
				target = argv[i+1]
				i++
			case strings.HasPrefix(a, "--target-directory="):
				target = strings.TrimPrefix(a, "--target-directory=")
			case strings.HasPrefix(a, "-") && a != "-":
			default:
				operands = append(operands, a)
			}
		}
		if target != "" {
			return Copy{Tool: tool, Sources: operands, Dest: target}, target != ""
		}
		if len(operands) < 2 || operands[len(operands)-1] == "" {
			return Copy{}, false
		}
		return Copy{Tool: tool, Sources: operands[:len(operands)-1], Dest: operands[len(operands)-1]}, true
	case "tar":
		extract, dest := false, ""
		for i := 1; i < len(argv); i++ {
			a := argv[i]
			switch {
			case a == "-C" || a == "--directory":
				if i+1 < len(argv) {
					dest = argv[i+1]
					i++
				}
			case strings.HasPrefix(a, "--directory="):
				dest = strings.TrimPrefix(a, "--directory=")
			case a == "--extract" || a == "--get":
				extract = true
			case strings.HasPrefix(a, "--"):
			case strings.HasPrefix(a, "-") || i == 1:
				// -xf, -xzf, or the old style "xf" as first word
				if strings.Contains(a, "x") {
					extract = true
				}
			}
		}
		if !extract || dest == "" {
			return Copy{}, false
		}
		return Copy{Tool: tool, Dest: dest}, true
	}
	return Copy{}, false
}
