package rules

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"strings"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/config"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// This file measures what COPY and ADD add from the build context, for the
// size rules (DV410, DV411), DV412 and the cost in DV101's message. Only
// sizes are read, never contents; without a context (stdin, tests, the
// library) nothing is measured and those rules stay silent.

// measuredSource is one COPY/ADD source and what is known of its size.
type measuredSource struct {
	tok   dockerfile.Token
	value string            // expanded
	src   *buildctx.Sources // nil when not measured from the context
	// unknown says why the size is not known ("remote, not downloaded"),
	// or notes what the size leaves out ("archive, unpacked size unknown").
	unknown string
	// root is set for a source that is the whole context (".", "./").
	root bool
}

// copyCost is what one COPY or ADD adds from the build context.
type copyCost struct {
	in      *dockerfile.Instruction
	sources []measuredSource
	total   int64
	files   int
	// measured is set when at least one source was measured.
	measured bool
	// lower is set when a measured size is a lower bound (part of the
	// context could not be read).
	lower bool
}

// measureCopy measures the context sources of a COPY/ADD; nil when the
// instruction does not read the context or there is no context.
func measureCopy(ctx *buildctx.Context, in *dockerfile.Instruction) *copyCost {
	if ctx == nil || !rule.IsContextCopy(in) {
		return nil
	}
	var opt buildctx.SourceOptions
	for _, fl := range in.Flags {
		if fl.Name == "exclude" && fl.HasValue {
			if v, ok := expandedPath(in, fl.Value); ok {
				opt.Exclude = append(opt.Exclude, v)
			}
		}
	}
	_, parents := in.Flag("parents")
	unpack := in.Keyword == "ADD"
	if fl, ok := in.Flag("unpack"); ok && (!fl.HasValue || fl.Value != "false") {
		unpack = true
	} else if ok {
		unpack = false
	}
	cost := &copyCost{in: in}
	for _, tok := range in.Args()[:len(in.Args())-1] {
		if strings.HasPrefix(tok.Value, "<<") {
			continue // a heredoc: inline content, not from the context
		}
		ms := measuredSource{tok: tok}
		v, ok := expandedPath(in, tok.Value)
		switch {
		case !ok:
			ms.value, ms.unknown = tok.Value, "a variable without a value, size unknown"
		case isRemoteSource(v):
			ms.value = v
			ms.unknown = "remote, size unknown: never downloaded"
			if isGitSource(v) {
				ms.unknown = "git repository, size unknown"
			}
		default:
			ms.value = v
			if parents {
				// --parents: a/./b/c names a/b/c; the bytes are the same.
				v = strings.Replace(v, "/./", "/", 1)
			}
			ms.root = isContextRoot(v)
			s, err := ctx.Sources(v, opt)
			switch {
			case errors.Is(err, fs.ErrNotExist):
				ms.unknown = "not in the build context, not counted"
			case errors.Is(err, buildctx.ErrLinkLoop):
				ms.unknown = "symbolic link loop, not counted"
			case err != nil:
				ms.unknown = err.Error()
			default:
				ms.src = s
				cost.measured = true
				cost.total += s.Total
				cost.files += s.Files
				cost.lower = cost.lower || s.Incomplete
				if unpack && len(s.Matches) == 1 && !s.Matches[0].Dir && isArchiveName(path.Base(s.Matches[0].Path)) {
					ms.unknown = "archive, unpacked size unknown"
				}
			}
		}
		cost.sources = append(cost.sources, ms)
	}
	return cost
}

// isRemoteSource: ADD takes URLs and git repositories; COPY refuses them
// (BuildKit fails the build), so they are not measured either way.
func isRemoteSource(v string) bool {
	return strings.Contains(v, "://") || strings.HasPrefix(v, "git@")
}

func isGitSource(v string) bool {
	return strings.HasPrefix(v, "git@") || strings.HasPrefix(v, "git://") || strings.HasSuffix(v, ".git") || strings.Contains(v, ".git#")
}

// isContextRoot reports whether a source names the whole context.
func isContextRoot(v string) bool {
	return strings.TrimPrefix(path.Clean("/"+v), "/") == ""
}

// srcRange spans the sources of a COPY/ADD (the arguments before the
// destination).
func srcRange(in *dockerfile.Instruction) source.Range {
	if len(in.Args()) < 2 {
		return in.KeywordRange
	}
	return source.Range{Start: in.Args()[0].Range.Start, End: in.Args()[len(in.Args())-2].Range.End}
}

// size formats a byte count, "at least" when it is a lower bound.
func size(n int64, lower bool) string {
	if lower {
		return "at least " + config.FormatSize(n)
	}
	return config.FormatSize(n)
}

// largestText lists the biggest paths an instruction adds: "models/a.bin
// 300 MiB, src/ 20 MiB".
func (c *copyCost) largestText(n int) string {
	var srcs []*buildctx.Sources
	for _, ms := range c.sources {
		if ms.src != nil {
			srcs = append(srcs, ms.src)
		}
	}
	var parts []string
	for _, m := range buildctx.Largest(srcs, n) {
		parts = append(parts, m.Display()+" "+config.FormatSize(m.Size))
	}
	return strings.Join(parts, ", ")
}

// unknownText names the sources whose size is not (fully) known: ";
// https://x/y.bin (remote, size unknown: never downloaded), app.tar.gz
// (archive, unpacked size unknown)".
func (c *copyCost) unknownText() string {
	var parts []string
	for _, ms := range c.sources {
		if ms.unknown != "" {
			parts = append(parts, fmt.Sprintf("%s (%s)", ms.value, ms.unknown))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; " + strings.Join(parts, ", ")
}

// maxLayerSize and maxImageSize are the limits in effect.
func maxLayerSize(p *rule.Pass) int64 { return layerLimit(p.Limits) }

func maxImageSize(p *rule.Pass) int64 { return imageLimit(p.Limits) }

// layerLimit and imageLimit are the limits of l, or the defaults.
func layerLimit(l rule.Limits) int64 {
	if l.MaxLayerSize > 0 {
		return l.MaxLayerSize
	}
	return config.DefaultMaxLayerSize
}

func imageLimit(l rule.Limits) int64 {
	if l.MaxImageSize > 0 {
		return l.MaxImageSize
	}
	return config.DefaultMaxImageSize
}

// contextName is the build context directory for messages, with a
// trailing slash ("./", "services/api/") so that it reads as a directory.
func contextName(c *buildctx.Context) string {
	d := filepath.ToSlash(c.Dir())
	if !strings.HasSuffix(d, "/") {
		d += "/"
	}
	return d
}

// plural is "1 file" or "3 files".
func plural(n int, word string) string {
	if n == 1 {
		return fmt.Sprintf("1 %s", word)
	}
	return fmt.Sprintf("%d %ss", n, word)
}
