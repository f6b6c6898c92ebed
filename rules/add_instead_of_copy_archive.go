package rules

import (
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"io"
	"path"
	"strconv"
	"strings"
)

// This file tells whether ADD unpacks a local source, as BuildKit decides
// it: by content, not by name. A tar archive, plain or compressed with
// gzip, bzip2, xz or zstd, is unpacked; anything else (a zip, a .gz of one
// file, a directory) is copied as is.

// archiveVerdict is what is known about a source being a tar archive.
type archiveVerdict int

const (
	archiveUnknown archiveVerdict = iota // cannot tell: treat as an archive (silent)
	archiveYes
	archiveNo
)

// archiveHeadSize is how much of a file is read to tell: a tar header is
// 512 bytes; a compressed one needs the compressed bytes that hold them,
// far fewer than this even behind a long gzip file name.
const archiveHeadSize = 64 << 10

// sniffArchive tells from the first bytes of a file (up to archiveHeadSize)
// whether ADD unpacks it.
func sniffArchive(head []byte) archiveVerdict {
	var r io.Reader
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		z, err := gzip.NewReader(bytes.NewReader(head))
		if err != nil {
			return archiveUnknown
		}
		r = z
	case bytes.HasPrefix(head, []byte("BZh")):
		r = bzip2.NewReader(bytes.NewReader(head))
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0x00}), bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		return archiveUnknown // xz, zstd: not decoded here; BuildKit unpacks them when they hold a tar
	default:
		return tarHeaderVerdict(head, len(head) < archiveHeadSize)
	}
	// A clean end before 512 bytes is a stream shorter than a header; an
	// error (a stream cut at archiveHeadSize, or corrupt) leaves it unknown.
	block, err := io.ReadAll(io.LimitReader(r, 512))
	if err != nil {
		return archiveUnknown
	}
	return tarHeaderVerdict(block, true)
}

// tarHeaderVerdict checks a tar header block: the ustar magic (POSIX and
// GNU) or, for an old v7 archive, a valid header checksum. complete says
// that b holds the whole file when it is shorter than a block.
func tarHeaderVerdict(b []byte, complete bool) archiveVerdict {
	if len(b) < 512 {
		if complete {
			return archiveNo
		}
		return archiveUnknown
	}
	if string(b[257:262]) == "ustar" {
		return archiveYes
	}
	field := strings.TrimRight(strings.TrimSpace(string(bytes.TrimRight(b[148:156], "\x00 "))), "\x00")
	want, err := strconv.ParseInt(field, 8, 64)
	if err != nil || b[0] == 0 {
		return archiveNo
	}
	var sum int64
	for i, c := range b[:512] {
		if i >= 148 && i < 156 {
			c = ' '
		}
		sum += int64(c)
	}
	if sum == want {
		return archiveYes
	}
	return archiveNo
}

// tarNames are the endings of tar archive names; compressedNames those of
// a compressed file that may hold a tar (a .gz may be one file).
var (
	tarNames        = []string{".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tbz", ".tb2", ".tar.xz", ".txz", ".tar.zst", ".tzst", ".tar.lz", ".tar.lzma", ".tlz", ".taz", ".tz"}
	compressedNames = []string{".gz", ".bz2", ".xz", ".zst", ".zstd", ".lz", ".lzma", ".z"}
)

// archiveByName guesses from a source's name alone (no build context): a
// tar or compressed name may be unpacked; another name is not. A wildcard
// is judged by its fixed ending (*.jar is not an archive, * or file* may
// be one).
func archiveByName(src string) archiveVerdict {
	name := strings.ToLower(path.Base(strings.TrimRight(src, "/")))
	for _, ext := range append(tarNames, compressedNames...) {
		if strings.HasSuffix(name, ext) {
			return archiveUnknown
		}
	}
	if i := strings.LastIndexAny(name, "*?[]"); i >= 0 {
		dot := strings.LastIndexByte(name, '.')
		if dot < i || dot == len(name)-1 {
			return archiveUnknown
		}
	}
	return archiveNo
}
