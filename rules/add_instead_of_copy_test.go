package rules

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/buildctx"
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestAddInsteadOfCopy(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
		msg  string   // part of the first message
		fix  bool
	}{
		{"local file", "FROM alpine:3\nADD requirements.txt /app/\n",
			[]string{"2:1-2:4"}, "ADD copies requirements.txt (not named as a tar archive) as COPY would: use COPY, which says what it does (ADD also unpacks tar archives and downloads URLs)", false},
		{"directory", "FROM alpine:3\nADD . /app\n", []string{"2:1-2:4"}, "ADD copies . (a directory) as COPY would", true},
		{"several sources", "FROM alpine:3\nadd --chown=1000 a.py b.py src/ /app/\n", []string{"2:1-2:4"}, "ADD copies a.py (not named as a tar archive), b.py (not named as a tar archive), src/ (a directory)", false},
		{"zip is not unpacked", "FROM alpine:3\nADD app.zip /opt/\n", []string{"2:1-2:4"}, "app.zip (not named as a tar archive)", false},
		{"wildcard with a fixed ending", "FROM eclipse-temurin:21\nADD target/*.jar /app/\n", []string{"2:1-2:4"}, "target/*.jar", false},
		{"here-document", "FROM alpine:3\nADD <<EOF /etc/motd\nhello\nEOF\n", []string{"2:1-2:4"}, "<<EOF (an inline here-document)", true},
		{"unpack false", "FROM alpine:3\nADD --unpack=false app.tar.gz /opt/\n", []string{"2:1-2:4"}, "app.tar.gz (--unpack=false)", false},
		{"variable resolved", "FROM alpine:3\nARG CONF=app.conf\nADD ${CONF} /etc/\n", []string{"3:1-3:4"}, "app.conf (not named as a tar archive)", false},
		{"url without checksum", "FROM alpine:3\nADD https://example.com/tool-1.2.tar.gz /opt/\n",
			[]string{"2:5-2:40"}, "ADD downloads https://example.com/tool-1.2.tar.gz without --checksum, so whatever the server returns goes into the image unverified; add --checksum=sha256:<digest of the file>", false},
		{"url with credentials and query", "FROM alpine:3\nADD https://ci:Vq7rT2mLx9@files.corp/t.bin?token=abc /opt/\n",
			[]string{"2:5-2:53"}, "ADD downloads https://…@files.corp/t.bin?… without --checksum", false},
		{"long url", "FROM alpine:3\nADD https://github.com/just-containers/s6-overlay/releases/download/v3.2.0.2/s6-overlay-noarch.tar.xz /tmp\n",
			[]string{"2:5-2:102"}, "ADD downloads https://github.com/…/s6-overlay-noarch.tar.xz without --checksum", false},
		{"url and a local file", "FROM alpine:3\nADD https://example.com/a.sh b.sh /opt/\n", []string{"2:5-2:29"}, "ADD downloads https://example.com/a.sh", false},

		{"local archive", "FROM alpine:3\nADD rootfs.tar.xz /\n", nil, "", false},
		{"compressed file may hold a tar", "FROM alpine:3\nADD data.gz /data/\n", nil, "", false},
		{"wildcard that may match an archive", "FROM alpine:3\nADD dist/* /opt/\n", nil, "", false},
		{"archive beside a file", "FROM alpine:3\nADD app.tgz app.conf /opt/\n", nil, "", false},
		{"url with checksum", "FROM alpine:3\nADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /opt/\n", nil, "", false},
		{"git source", "FROM alpine:3\nADD https://github.com/moby/buildkit.git#v0.34.2 /src\n", nil, "", false},
		{"unresolved variable", "FROM alpine:3\nARG SRC\nADD $SRC /opt/\n", nil, "", false},
		{"copy", "FROM alpine:3\nCOPY requirements.txt /app/\n", nil, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, AddInsteadOfCopy, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%q)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			// A name is no proof that ADD would not unpack a file: COPY is
			// offered as a fix only when the content was read (see
			// TestAddInsteadOfCopyContent), for directories and here-documents.
			if len(ds) > 0 && (ds[0].Fix != nil) != tt.fix {
				t.Errorf("fix %+v, want one: %v", ds[0].Fix, tt.fix)
			}
			if len(ds) > 0 && tt.fix && ds[0].Fix.Edits[0].NewText != "COPY" {
				t.Errorf("fix %+v, want COPY", ds[0].Fix)
			}
		})
	}
}

// TestAddInsteadOfCopyContent: with a build context the first bytes of each
// file decide, as in BuildKit, whatever the name says.
func TestAddInsteadOfCopyContent(t *testing.T) {
	dir := t.TempDir()
	tarball := tarBytes(t)
	files := map[string][]byte{
		"app.tar":          tarball,
		"app.tgz":          gzipBytes(t, tarball),
		"rootfs":           tarball, // a tar without a tar name
		"notes.gz":         gzipBytes(t, []byte("just text\n")),
		"misnamed.tar.gz":  []byte("not an archive at all\n"),
		"README.md":        []byte("# hello\n"),
		"src/main.go":      []byte("package main\n"),
		"short.bin":        {0x1f},
		"bundle/inner.tar": tarball,
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, err := buildctx.Open(dir, filepath.Join(dir, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, add string
		msg       string // part of the message, "" for no finding
	}{
		{"tar", "app.tar /opt/", ""},
		{"gzip tar", "app.tgz /opt/", ""},
		{"tar without a tar name", "rootfs /", ""},
		{"gzip of one file", "notes.gz /opt/", "notes.gz (not a tar archive, by its content)"},
		{"tar name, other content", "misnamed.tar.gz /opt/", "misnamed.tar.gz (not a tar archive, by its content)"},
		{"text file", "README.md /opt/", "README.md (not a tar archive, by its content)"},
		{"one byte", "short.bin /opt/", "short.bin (not a tar archive, by its content)"},
		{"directory", "src /opt/src", "src (a directory)"},
		{"directory holding a tar is copied, not unpacked", "bundle/ /opt/", "bundle/ (a directory)"},
		{"wildcard over archives", "*.tar /opt/", ""},
		{"wildcard over text", "*.md /opt/", "*.md (not a tar archive, by its content)"},
		{"missing file: by its name", "absent.txt /opt/", "absent.txt (not named as a tar archive)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.RunEnv(t, AddInsteadOfCopy, "FROM alpine:3\nADD "+tt.add+"\n", dockerfile.Options{}, ruletest.Env{Context: ctx})
			if (len(ds) > 0) != (tt.msg != "") {
				t.Fatalf("got %q, want a finding: %v", ruletest.Lines(ds), tt.msg != "")
			}
			ruletest.WantMessage(t, ds, tt.msg)
			// COPY is offered when the content was read, not for a name.
			if len(ds) > 0 && (ds[0].Fix != nil) == strings.Contains(tt.msg, notNamedAsArchive) {
				t.Errorf("fix %+v for %q", ds[0].Fix, tt.msg)
			}
		})
	}
}

func TestSniffArchive(t *testing.T) {
	tarball := tarBytes(t)
	v7 := slices.Clone(tarball[:512])
	copy(v7[257:265], make([]byte, 8)) // no ustar magic: an old v7 header
	setTarChecksum(v7)
	tests := []struct {
		name string
		head []byte
		want archiveVerdict
	}{
		{"ustar", tarball, archiveYes},
		{"v7 header with a valid checksum", v7, archiveYes},
		{"v7 header with a wrong checksum", append(slices.Clone(v7[:148]), append([]byte("0000001\x00"), v7[156:]...)...), archiveNo},
		{"gzip tar", gzipBytes(t, tarball), archiveYes},
		{"gzip text", gzipBytes(t, []byte("hello")), archiveNo},
		{"xz: not decoded", []byte{0xfd, '7', 'z', 'X', 'Z', 0x00, 1, 2}, archiveUnknown},
		{"zstd: not decoded", []byte{0x28, 0xb5, 0x2f, 0xfd, 1}, archiveUnknown},
		{"short text", []byte("hi"), archiveNo},
		{"zip", []byte("PK\x03\x04" + string(make([]byte, 600))), archiveNo},
		{"truncated gzip", gzipBytes(t, tarball)[:12], archiveUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sniffArchive(tt.head); got != tt.want {
				t.Errorf("sniffArchive = %v, want %v", got, tt.want)
			}
		})
	}
}

func tarBytes(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	w := tar.NewWriter(&b)
	if err := w.WriteHeader(&tar.Header{Name: "hello.txt", Mode: 0o644, Size: 6, Format: tar.FormatUSTAR}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte("hello\n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func gzipBytes(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// setTarChecksum writes a header block's checksum field.
func setTarChecksum(b []byte) {
	copy(b[148:156], "        ")
	var sum int64
	for _, c := range b[:512] {
		sum += int64(c)
	}
	copy(b[148:156], []byte(padOctal(sum)))
}

func padOctal(n int64) string {
	s := ""
	for ; n > 0; n /= 8 {
		s = string(rune('0'+n%8)) + s
	}
	for len(s) < 6 {
		s = "0" + s
	}
	return s + "\x00 "
}

// TestAddInsteadOfCopyExamples: the documented Bad example is reported and the Good
// one is not.
func TestAddInsteadOfCopyExamples(t *testing.T) {
	if ds := ruletest.Run(t, AddInsteadOfCopy, AddInsteadOfCopy.Bad, dockerfile.Options{}); len(ds) == 0 {
		t.Errorf("Bad example not reported:\n%s", AddInsteadOfCopy.Bad)
	}
	if ds := ruletest.Run(t, AddInsteadOfCopy, AddInsteadOfCopy.Good, dockerfile.Options{}); len(ds) > 0 {
		t.Errorf("Good example reported: %q", ruletest.Lines(ds))
	}
}
