package runfacts

import (
	"path"
	"strings"

	"github.com/tonistiigi/go-csvvalue"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

// Mount is a RUN --mount option, as far as the layer rules need it.
type Mount struct {
	Type   string // bind, cache, tmpfs, secret, ssh (lower case)
	Target string // cleaned absolute path, variables expanded; "" when unknown
}

// readMounts reads the --mount flags of a RUN. It does not use
// Instruction.Mounts: BuildKit fills those in only after variable expansion,
// so in the parsed model every mount has type bind and no target.
func readMounts(in *dockerfile.Instruction) []Mount {
	var out []Mount
	for _, fl := range in.Flags {
		if fl.Name != "mount" {
			continue
		}
		fields, err := csvvalue.Fields(fl.Value, nil)
		if err != nil {
			continue
		}
		m := Mount{Type: "bind"}
		for _, field := range fields {
			k, v, ok := strings.Cut(field, "=")
			if !ok {
				continue
			}
			v, unresolved := in.Expand(v)
			if len(unresolved) > 0 {
				continue
			}
			switch strings.ToLower(strings.TrimSpace(k)) {
			case "type":
				m.Type = strings.ToLower(v)
			case "target", "dst", "destination":
				if v != "" {
					m.Target = path.Clean("/" + v)
				}
			}
		}
		out = append(out, m)
	}
	return out
}

// KeepsOut reports whether a cache or tmpfs mount of the RUN covers dir
// (an absolute, clean path): what the RUN writes there never reaches the layer.
func (r *Run) KeepsOut(dir string) bool {
	for _, m := range r.Mounts {
		if (m.Type == "cache" || m.Type == "tmpfs") && m.Target != "" && PathWithin(dir, m.Target) {
			return true
		}
	}
	return false
}

// KeepsOutSuffix is KeepsOut for a home-relative directory such as
// "/.cache/pip": any cache or tmpfs target that ends with one of the suffixes.
func (r *Run) KeepsOutSuffix(suffixes ...string) bool {
	for _, m := range r.Mounts {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		for _, s := range suffixes {
			if strings.HasSuffix(m.Target, s) {
				return true
			}
		}
	}
	return false
}

// PathWithin reports whether p is dir or lies under it.
func PathWithin(p, dir string) bool {
	return p == dir || dir == "/" || strings.HasPrefix(p, dir+"/")
}
