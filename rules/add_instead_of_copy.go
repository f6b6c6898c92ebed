package rules

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/rule"
)

// AddInsteadOfCopy is DV409.
var AddInsteadOfCopy = &rule.Rule{
	ID:       "DV409",
	Name:     "add-instead-of-copy",
	Severity: finding.SeverityInfo,
	Summary:  "ADD of a local file or directory that is not a tar archive (use COPY), or of a URL without --checksum",
	Doc: `ADD does three things: it copies local files, it unpacks a local tar archive
(plain or compressed) into the destination, and it downloads URLs. Which
one happens depends on the source, and for a local file on its content, not
its name: ADD app.tar.gz /opt/ unpacks it, ADD app.zip /opt/ does not, and a
tar that someone later adds to a copied name is unpacked by surprise. COPY
only copies, so a reader knows what the line does; Docker's best practices
ask for COPY unless the unpacking is wanted.

A URL added without --checksum is not verified: whatever the server returns
that day goes into the image. A compromised or changed download ships
unnoticed: in 2021 the Codecov bash uploader was altered on its server and
for two months thousands of CI pipelines downloaded and ran it unverified.
With --checksum=sha256:<digest> the build fails when the bytes change.

The rule reports an ADD whose local sources are all directories, inline
here-documents or files that are not tar archives, and each URL without
--checksum. With a build context dockvet reads the first bytes of each file
(the tar header, decompressed for gzip and bzip2), as BuildKit does;
without one it goes by the name: a tar or compressed name (.tar.gz, .tgz,
.gz, .xz...) and a wildcard that may match one are given the benefit of the
doubt. Git sources (ADD https://github.com/o/r.git#v1.2) are left alone.`,
	Bad: `FROM alpine:3
ADD requirements.txt /app/
ADD https://example.com/tool-1.2.tar.gz /opt/`,
	Good: `FROM alpine:3
COPY requirements.txt /app/
ADD --checksum=sha256:4c1d6ad3b8c2e9a7f0f1d9b5e3a2c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1f2a3b4 https://example.com/tool-1.2.tar.gz /opt/`,
	ReadsContext: true,
	Check:        checkAddInsteadOfCopy,
}

func checkAddInsteadOfCopy(pass *rule.Pass) {
	for _, in := range pass.File.Instructions {
		if in.Keyword != "ADD" || in.Invalid || len(in.Args()) < 2 {
			continue
		}
		checkAdd(pass, in)
	}
}

// addLocal is a local source of an ADD that is not an archive, and why.
type addLocal struct {
	src, why string
}

func checkAdd(pass *rule.Pass, in *dockerfile.Instruction) {
	_, checksum := in.Flag("checksum")
	unpack := true
	if fl, ok := in.Flag("unpack"); ok && fl.HasValue && strings.EqualFold(fl.Value, "false") {
		unpack = false
	}
	var locals []addLocal
	allLocalCopies, remote := true, false
	for _, tok := range in.Args()[:len(in.Args())-1] {
		if strings.HasPrefix(tok.Value, "<<") {
			locals = append(locals, addLocal{tok.Value, "an inline here-document"})
			continue
		}
		v, ok := expandedPath(in, tok.Value)
		switch {
		case !ok:
			allLocalCopies = false // a variable without a value: cannot tell
		case isRemoteSource(v):
			remote = true
			if !checksum && !isGitSource(v) {
				pass.Reportf(tok.Range, "ADD downloads %s without --checksum, so whatever the server returns goes into the image unverified; add --checksum=sha256:<digest of the file>", displayURL(v))
			}
		default:
			why, copies := addCopiesAsIs(pass.Context, v, unpack)
			if !copies {
				allLocalCopies = false
				continue
			}
			locals = append(locals, addLocal{v, why})
		}
	}
	if !allLocalCopies || remote || len(locals) == 0 {
		return
	}
	var parts []string
	for _, l := range locals {
		parts = append(parts, l.src+" ("+l.why+")")
	}
	d := rule.Diagnostic{
		Range:   in.KeywordRange,
		Message: "ADD copies " + joinShort(parts, 3) + " as COPY would: use COPY, which says what it does (ADD also unpacks tar archives and downloads URLs)",
	}
	if !hasAddOnlyFlag(in) && !judgedByName(locals) {
		// COPY keeps the meaning only when no source can be an archive
		// ADD would unpack: a name is not proof (a tar named "rootfs"), the
		// content read through the build context is.
		d.Fix = &finding.Fix{Description: "use COPY", Edits: []finding.Edit{{Range: in.KeywordRange, NewText: "COPY"}}}
	}
	pass.Report(d)
}

// judgedByName reports whether some source was judged by its name only (no
// build context held it).
func judgedByName(locals []addLocal) bool {
	for _, l := range locals {
		if l.why == notNamedAsArchive {
			return true
		}
	}
	return false
}

// notNamedAsArchive is why a source with no content to read counts as copied
// as is.
const notNamedAsArchive = "not named as a tar archive"

// addCopiesAsIs reports whether ADD copies a local source as is (a
// directory, or a file that is not a tar archive) and says why; false when
// it is an archive or may be one. With a build context the content decides.
func addCopiesAsIs(ctx *buildctx.Context, src string, unpack bool) (why string, copies bool) {
	if !unpack {
		return "--unpack=false", true
	}
	if ctx != nil {
		switch s, err := ctx.Sources(src, buildctx.SourceOptions{}); {
		case err == nil && len(s.Matches) > 0:
			return sniffSources(ctx, s)
		case err == nil || errors.Is(err, fs.ErrNotExist):
			// Not in the context (the build would fail): judge by name.
		default:
			return "", false
		}
	}
	if archiveByName(src) != archiveNo {
		return "", false
	}
	if strings.HasSuffix(src, "/") || isContextRoot(src) {
		return "a directory", true
	}
	return notNamedAsArchive, true
}

// sniffSources tells whether every match of a source is copied as is: a
// directory, or a file whose first bytes are not a tar archive's.
func sniffSources(ctx *buildctx.Context, s *buildctx.Sources) (string, bool) {
	dirs, files := 0, 0
	for _, m := range s.Matches {
		if m.Dir {
			dirs++
			continue
		}
		head, err := ctx.Head(m, archiveHeadSize)
		if err != nil || sniffArchive(head) != archiveNo {
			return "", false
		}
		files++
	}
	switch {
	case files == 0 && dirs == 1:
		return "a directory", true
	case files == 0:
		return "directories", true
	case dirs == 0 && files == 1:
		return "not a tar archive, by its content", true
	}
	return "directories and files that are not tar archives, by their content", true
}

// hasAddOnlyFlag reports whether an ADD uses a flag COPY does not have.
func hasAddOnlyFlag(in *dockerfile.Instruction) bool {
	for _, fl := range in.Flags {
		switch fl.Name {
		case "checksum", "keep-git-dir", "unpack":
			return true
		}
	}
	return false
}

// displayURL prints a URL for a message without what may be secret (the
// user and password, the query and the fragment), and a long one as its
// host and file name.
func displayURL(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		u = u[:i] + "?…"
	}
	if scheme, rest, ok := strings.Cut(u, "://"); ok {
		if at := strings.IndexByte(rest, '@'); at >= 0 && !strings.Contains(rest[:at], "/") {
			rest = "…@" + rest[at+1:]
		}
		// Long: the host and the file name say which download it is.
		if host, p, ok := strings.Cut(rest, "/"); ok && len(rest) > 60 {
			if i := strings.LastIndexByte(strings.TrimSuffix(p, "/"), '/'); i >= 0 {
				rest = host + "/…" + p[i:]
			}
		}
		u = scheme + "://" + rest
	}
	return shortText(u)
}

// joinShort joins up to n items, with "and k more" for the rest.
func joinShort(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + " and " + strconv.Itoa(len(items)-n) + " more"
}
