package imagesrc

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// tarEntry is an empty regular file, or a symlink when link is set.
type tarEntry struct{ name, link string }

func writeBoundsArchive(t *testing.T, p string, gz bool, entries []tarEntry) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var w io.Writer = f
	var zw *gzip.Writer
	if gz {
		zw = gzip.NewWriter(f)
		w = zw
	}
	tw := tar.NewWriter(w)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Typeflag: tar.TypeReg, Mode: 0o644}
		if e.link != "" {
			h.Typeflag, h.Linkname = tar.TypeSymlink, e.link
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if zw != nil {
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDockerArchiveBounds: an archive of more entries, longer names or more
// name bytes than any `docker save` writes is refused while it is indexed,
// whatever the entries are (a directory counts as much as a file).
func TestDockerArchiveBounds(t *testing.T) {
	dir := t.TempDir()
	lim := archiveLimits{entries: 10, nameLen: 64, nameBytes: 200}
	many := make([]tarEntry, 11)
	for i := range many {
		many[i] = tarEntry{name: fmt.Sprintf("e%02d", i)}
	}
	tests := []struct {
		name    string
		entries []tarEntry
		want    string // "" for success
	}{
		{"at the entry limit", many[:10], ""},
		{"one entry over", many, "holds more than 10 entries"},
		{"name at the limit", []tarEntry{{name: strings.Repeat("n", 64)}}, ""},
		{"long name", []tarEntry{{name: strings.Repeat("n", 65)}}, "name longer than 64 bytes"},
		{"long link target", []tarEntry{{name: "l", link: strings.Repeat("t", 65)}}, "name longer than 64 bytes"},
		{"many name bytes", []tarEntry{{name: strings.Repeat("a", 60)}, {name: strings.Repeat("b", 60)}, {name: strings.Repeat("c", 60)}, {name: strings.Repeat("d", 60)}}, "more than 200 bytes of entry names"},
	}
	for _, tt := range tests {
		for _, gz := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s gzip=%v", tt.name, gz), func(t *testing.T) {
				p := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "-")+fmt.Sprint(gz)+".tar")
				writeBoundsArchive(t, p, gz, tt.entries)
				_, err := indexArchiveLimits(p, lim)
				switch {
				case tt.want == "" && err != nil:
					t.Errorf("err = %v, want none", err)
				case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
					t.Errorf("err = %v, want %q", err, tt.want)
				}
			})
		}
	}
	if defaultArchiveLimits.entries != maxArchiveEntries || defaultArchiveLimits.nameBytes != maxArchiveNameBytes || defaultArchiveLimits.nameLen != maxArchiveNameLen {
		t.Errorf("indexArchive does not use the documented limits: %+v", defaultArchiveLimits)
	}
}
