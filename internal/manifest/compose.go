package manifest

import (
	"bufio"
	"fmt"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// composeNames are the file names docker compose looks for.
var composeNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// IsComposeName reports whether a file's base name is one docker compose
// finds by default (compose.yaml, docker-compose.yml...), also with an
// override suffix (compose.override.yaml, docker-compose.prod.yml).
func IsComposeName(base string) bool {
	b := strings.ToLower(base)
	for _, n := range composeNames {
		stem, ext, _ := strings.Cut(n, ".")
		if b == n || strings.HasPrefix(b, stem+".") && strings.HasSuffix(b, "."+ext) {
			return true
		}
	}
	return false
}

// isComposeDocument reports whether a document is a Compose file: a
// top-level services mapping and no Kubernetes kind.
func isComposeDocument(doc *yaml.Node) bool {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = deref(doc.Content[0])
	}
	svc := value(doc, "services")
	return svc != nil && svc.Kind == yaml.MappingNode && value(doc, "kind") == nil
}

// addComposeDocument reads the services of a Compose file, each as a pod of
// one container. Values are interpolated (${VAR}, ${VAR:-default}...) with
// lookup, as docker compose does; positions stay those of the YAML values.
func (f *File) addComposeDocument(doc *yaml.Node, lookup func(string) (string, bool)) error {
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		doc = deref(doc.Content[0])
	}
	f.Compose = true
	svcs := value(doc, "services")
	var firstErr error
	str := func(n *yaml.Node) string {
		s, err := Interpolate(scalar(n), lookup)
		if err != nil && firstErr == nil {
			firstErr = &SyntaxError{File: f.Name, Line: n.Line, Col: n.Column, Msg: err.Error()}
		}
		return s
	}
	for i := 0; i+1 < len(svcs.Content); i += 2 {
		key, svc := svcs.Content[i], deref(svcs.Content[i+1])
		w := &Workload{Kind: "service", Name: key.Value, Replicas: 1, KindRange: nodeRange(key)}
		if n := nested(svc, "deploy", "replicas"); n != nil {
			w.setReplicas(interpolated(n, str))
		} else if n := value(svc, "scale"); n != nil {
			w.setReplicas(interpolated(n, str))
		}
		if p := str(value(svc, "platform")); p != "" {
			parts := strings.Split(p, "/")
			if len(parts) >= 2 {
				w.Pod.OS, w.Pod.Arch = parts[0], strings.Join(parts[1:], "/")
			}
		}
		c := &Container{Kind: Regular, Name: key.Value, Built: value(svc, "build") != nil}
		if img := value(svc, "image"); img != nil {
			c.Image, c.ImageRange = str(img), nodeRange(img)
		}
		epKey, ep := field(svc, "entrypoint")
		cmdKey, cmd := field(svc, "command")
		c.Command, c.HasCommand = stringList(ep)
		c.Args, c.HasArgs = stringList(cmd)
		switch {
		case epKey != nil:
			c.CommandRange = nodeRange(epKey)
		case cmdKey != nil:
			c.CommandRange = nodeRange(cmdKey)
		}
		if uk, u := field(svc, "user"); u != nil {
			c.Security.User, c.Security.UserRange = str(u), nodeRange(uk)
		}
		for _, v := range items(value(svc, "volumes")) {
			c.Mounts = append(c.Mounts, composeMount(v, str))
		}
		tmpfs := value(svc, "tmpfs")
		if list, ok := stringList(tmpfs); ok {
			for _, t := range list {
				target, _, _ := strings.Cut(t, ":")
				c.Mounts = append(c.Mounts, Mount{Path: target, Range: nodeRange(tmpfs)})
			}
		}
		w.Pod.Containers = []*Container{c}
		f.Workloads = append(f.Workloads, w)
	}
	return firstErr
}

// interpolated returns a copy of a scalar node holding its interpolated
// value.
func interpolated(n *yaml.Node, str func(*yaml.Node) string) *yaml.Node {
	c := *n
	c.Value = str(n)
	return &c
}

// composeMount reads one entry of a service's volumes: the short syntax
// "SOURCE:TARGET[:MODE]" (or just "TARGET", an anonymous volume) or the
// long syntax with target.
func composeMount(v *yaml.Node, str func(*yaml.Node) string) Mount {
	if v.Kind == yaml.MappingNode {
		t := value(v, "target")
		m := Mount{Path: str(t), Range: nodeRange(t)}
		if scalar(value(v, "type")) == "volume" {
			m.Volume = str(value(v, "source"))
		}
		return m
	}
	s := str(v)
	parts := strings.Split(s, ":")
	m := Mount{Path: parts[0], Range: nodeRange(v)}
	if len(parts) >= 2 {
		m.Path = parts[1]
		if src := parts[0]; src != "" && !strings.ContainsAny(src[:1], "./~$") {
			m.Volume = src // a named volume; a path is a bind mount
		}
	}
	return m
}

// Interpolate expands ${VAR}, $VAR, ${VAR:-default}, ${VAR-default},
// ${VAR:+alt}, ${VAR+alt}, ${VAR:?err} and ${VAR?err} as docker compose does;
// $$ is a literal $. A missing variable without a default expands to "".
func Interpolate(s string, lookup func(string) (string, bool)) (string, error) {
	if !strings.Contains(s, "$") {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		next := s[i+1]
		switch {
		case next == '$':
			b.WriteByte('$')
			i++
		case next == '{':
			end := closingBrace(s, i+2)
			if end < 0 {
				return "", fmt.Errorf("invalid interpolation %q: no closing brace", s[i:])
			}
			v, err := expandBraced(s[i+2:end], lookup)
			if err != nil {
				return "", err
			}
			b.WriteString(v)
			i = end
		case isNameStart(next):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			v, _ := lookup(s[i+1 : j])
			b.WriteString(v)
			i = j - 1
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

// closingBrace finds the brace that closes the ${ opened before from,
// allowing nested ${...} in defaults.
func closingBrace(s string, from int) int {
	depth := 0
	for j := from; j < len(s); j++ {
		switch s[j] {
		case '{':
			depth++
		case '}':
			if depth == 0 {
				return j
			}
			depth--
		}
	}
	return -1
}

func expandBraced(expr string, lookup func(string) (string, bool)) (string, error) {
	j := 0
	for j < len(expr) && isNameChar(expr[j]) {
		j++
	}
	name, rest := expr[:j], expr[j:]
	if name == "" {
		return "", fmt.Errorf("invalid interpolation ${%s}", expr)
	}
	val, set := lookup(name)
	if rest == "" {
		return val, nil
	}
	colon := strings.HasPrefix(rest, ":")
	if colon {
		rest = rest[1:]
	}
	if rest == "" {
		return "", fmt.Errorf("invalid interpolation ${%s}", expr)
	}
	op, arg := rest[0], rest[1:]
	present := set && (!colon || val != "")
	switch op {
	case '-':
		if present {
			return val, nil
		}
		return Interpolate(arg, lookup)
	case '+':
		if present {
			return Interpolate(arg, lookup)
		}
		return "", nil
	case '?':
		if present {
			return val, nil
		}
		// The message as written: interpolating it would print other
		// variables' values (CI secrets) in the error.
		return "", fmt.Errorf("required variable %s is missing a value: %s", name, arg)
	}
	return "", fmt.Errorf("invalid interpolation ${%s}", expr)
}

func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isNameChar(c byte) bool { return isNameStart(c) || c >= '0' && c <= '9' }

// ParseDotEnv reads a .env file as docker compose does: KEY=VALUE lines,
// # comments, an optional `export ` prefix, values optionally quoted.
func ParseDotEnv(data string) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(strings.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\''):
			v = v[1 : len(v)-1]
		default:
			if i := strings.Index(v, " #"); i >= 0 {
				v = strings.TrimSpace(v[:i])
			}
		}
		out[k] = v
	}
	return out
}
