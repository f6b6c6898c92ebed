package imagesrc

import (
	"slices"
	"strings"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/source"
)

// These helpers let rules locate config settings in an image's history.
// Entry numbers are 1-based, like the lines of HistoryDockerfile.

// Line is the line HistoryDockerfile shows for entry n of img (before the
// check that may turn a malformed instruction into a comment, which only
// HistoryDockerfile's File reflects).
func Line(img *image.Image, n int) string {
	if n < 1 || n > len(img.History) {
		return ""
	}
	l, _ := entryLine(img.History[n-1].CreatedBy, img.OS == "windows")
	return l
}

// lineText is entry n's line as shown: from the parsed history when it
// has that line (entry 1 is FROM scratch there), else recomputed.
func lineText(img *image.Image, history *dockerfile.File, n int) string {
	if history != nil && n >= 2 && n <= len(history.Lines) {
		return history.Lines[n-1]
	}
	return Line(img, n)
}

// EntryRange locates text on entry n's line: the last occurrence of
// needle (a value ends its line: `# USER u` must not match the U of USER),
// or the whole line when needle is "" or absent. n 0 gives the zero range
// (the config as a whole).
func EntryRange(img *image.Image, history *dockerfile.File, n int, needle string) source.Range {
	if n < 1 {
		return source.Range{}
	}
	line := lineText(img, history, n)
	if needle != "" {
		if i := strings.LastIndex(line, needle); i >= 0 {
			return source.Range{
				Start: source.Pos{Line: n, Col: source.Column(line, i)},
				End:   source.Pos{Line: n, Col: source.Column(line, i+len(needle))},
			}
		}
	}
	// The whole line, without a comment's "# ".
	start := 0
	if rest, ok := strings.CutPrefix(line, "# "); ok {
		start = len(line) - len(rest)
	}
	return source.Range{
		Start: source.Pos{Line: n, Col: source.Column(line, start)},
		End:   source.Pos{Line: n, Col: source.Column(line, len(line))},
	}
}

// ListText is how an entry's list (CMD, ENTRYPOINT, VOLUME) appears on its
// line: a JSON array such as ["/bin/sh", "-c", "npm start"].
func ListText(l []string) string { return dockerfile.JSONForm(l) }

// LastEntry returns the number of the last history entry that is the
// instruction keyword and for which match (if not nil) holds, with the
// entry; 0 when there is none.
func LastEntry(img *image.Image, keyword string, match func(Entry) bool) (int, Entry) {
	for i := len(img.History) - 1; i >= 0; i-- {
		e := ParseEntry(img.History[i].CreatedBy)
		if e.Keyword == keyword && (match == nil || match(e)) {
			return i + 1, e
		}
	}
	return 0, Entry{}
}

// VolumeEntry returns the number of the first history entry whose VOLUME
// declares path p (compared without trailing slashes) and the path as that
// entry spells it; 0 and "" when none does.
func VolumeEntry(img *image.Image, p string) (int, string) {
	p = strings.TrimRight(p, "/")
	for i, h := range img.History {
		e := ParseEntry(h.CreatedBy)
		if e.Keyword != "VOLUME" {
			continue
		}
		if j := slices.IndexFunc(e.List, func(v string) bool { return strings.TrimRight(v, "/") == p }); j >= 0 {
			return i + 1, e.List[j]
		}
	}
	return 0, ""
}

// BaseEntries guesses how many leading history entries come from base
// images, the way Trivy does: a Dockerfile's base image ends with its CMD,
// so the last CMD entry before the image's own trailing settings (CMD,
// ENTRYPOINT, USER, ... entries that make no layer) closes the base. It
// returns 0 when no such CMD exists (an image built FROM scratch, or one
// whose history was squashed); then every entry counts as the image's own.
// The guess is wrong when a Dockerfile sets CMD before its last layer.
func BaseEntries(img *image.Image) int {
	i := len(img.History) - 1
	for i >= 0 && img.History[i].EmptyLayer {
		i--
	}
	for ; i >= 0; i-- {
		if ParseEntry(img.History[i].CreatedBy).Keyword == "CMD" {
			return i + 1
		}
	}
	return 0
}
