package distbuild

import (
	"archive/tar"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

var testStamp = Stamp{Version: "v1.2.3", Commit: "0123456789abcdef0123456789abcdef01234567", Date: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}

// fakeBinaries writes one small file per image platform: the image's shape
// does not depend on the binary's contents, and a real cross build would
// cost minutes (the real image is checked in test/integration).
func fakeBinaries(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	bins := map[string]string{}
	for _, p := range Platforms {
		path := filepath.Join(dir, p.BinaryName())
		if err := os.WriteFile(path, []byte("binary for "+p.String()), 0o755); err != nil {
			t.Fatal(err)
		}
		bins[p.String()] = path
	}
	return bins
}

func TestIndexIsReproducible(t *testing.T) {
	first, err := Index(fakeBinaries(t), testStamp)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Index(fakeBinaries(t), testStamp)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := first.Digest()
	d2, _ := second.Digest()
	if d1 != d2 {
		t.Fatalf("two builds of the same input: %s and %s", d1, d2)
	}
	// Every time in the image is the stamp's date, never the clock: that is
	// what makes the digests above equal on another day.
	for _, img := range images(t, first) {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if !cf.Created.Equal(testStamp.Date) {
			t.Errorf("config created %v, want %v", cf.Created, testStamp.Date)
		}
		for _, h := range cf.History {
			if !h.Created.Equal(testStamp.Date) {
				t.Errorf("history %q created %v", h.CreatedBy, h.Created)
			}
		}
		for name, hdr := range tarHeaders(t, img) {
			if !hdr.ModTime.Equal(testStamp.Date) || !hdr.AccessTime.IsZero() || !hdr.ChangeTime.IsZero() {
				t.Errorf("%s: mtime %v atime %v ctime %v", name, hdr.ModTime, hdr.AccessTime, hdr.ChangeTime)
			}
		}
	}
}

func images(t *testing.T, idx v1.ImageIndex) map[string]v1.Image {
	t.Helper()
	m, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]v1.Image{}
	for _, d := range m.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		out[d.Platform.OS+"/"+d.Platform.Architecture] = img
	}
	return out
}

type file struct {
	hdr  *tar.Header
	data []byte
}

func tarHeaders(t *testing.T, img v1.Image) map[string]*tar.Header {
	t.Helper()
	out := map[string]*tar.Header{}
	for name, f := range files(t, img) {
		out[name] = f.hdr
	}
	return out
}

func files(t *testing.T, img v1.Image) map[string]file {
	t.Helper()
	layers, err := img.Layers()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]file{}
	for _, l := range layers {
		rc, err := l.Uncompressed()
		if err != nil {
			t.Fatal(err)
		}
		tr := tar.NewReader(rc)
		for {
			hdr, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(tr)
			out["/"+strings.TrimSuffix(hdr.Name, "/")] = file{hdr, data}
		}
		rc.Close()
	}
	return out
}

func TestImageShape(t *testing.T) {
	idx, err := Index(fakeBinaries(t), testStamp)
	if err != nil {
		t.Fatal(err)
	}
	imgs := images(t, idx)
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range imgs {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(got, []string{"linux/amd64", "linux/arm64"}) {
		t.Fatalf("index platforms %v", got)
	}
	for plat, img := range imgs {
		cf, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		if cf.OS+"/"+cf.Architecture != plat {
			t.Errorf("%s: config says %s/%s", plat, cf.OS, cf.Architecture)
		}
		c := cf.Config
		if c.User != "65532:65532" {
			t.Errorf("%s: user %q", plat, c.User)
		}
		if !slices.Equal(c.Entrypoint, []string{BinaryPath}) || c.Cmd != nil {
			t.Errorf("%s: entrypoint %q cmd %q, want exec form [%s]", plat, c.Entrypoint, c.Cmd, BinaryPath)
		}
		for key, want := range map[string]string{
			"org.opencontainers.image.source":   SourceURL,
			"org.opencontainers.image.version":  testStamp.Version,
			"org.opencontainers.image.revision": testStamp.Commit,
			"org.opencontainers.image.licenses": "Apache-2.0",
		} {
			if c.Labels[key] != want {
				t.Errorf("%s: label %s = %q, want %q", plat, key, c.Labels[key], want)
			}
		}
		fs := files(t, img)
		bin := fs[BinaryPath]
		if string(bin.data) != "binary for "+plat || bin.hdr.Mode != 0o755 {
			t.Errorf("%s: %s holds %q mode %o", plat, BinaryPath, bin.data, bin.hdr.Mode)
		}
		if !strings.Contains(string(fs["/etc/passwd"].data), "nonroot:x:65532:65532:nonroot:/home/nonroot:") {
			t.Errorf("%s: /etc/passwd has no user 65532:\n%s", plat, fs["/etc/passwd"].data)
		}
		if h := fs[Home].hdr; h == nil || h.Uid != UID || h.Typeflag != tar.TypeDir {
			t.Errorf("%s: HOME %s is not a directory owned by %d: %+v", plat, Home, UID, h)
		}
		if h := fs["/tmp"].hdr; h == nil || h.Mode != 0o1777 {
			t.Errorf("%s: /tmp %+v", plat, h)
		}
		if n := countCerts(t, fs[CAFile].data); n < 100 {
			t.Errorf("%s: %s holds %d certificates", plat, CAFile, n)
		}
	}
}

func countCerts(t *testing.T, data []byte) int {
	t.Helper()
	n := 0
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Errorf("certificate %d: %v", n, err)
		}
		n++
	}
	return n
}

func TestWriteRootfsMatchesTheImage(t *testing.T) {
	dir := t.TempDir()
	if err := WriteRootfs(dir); err != nil {
		t.Fatal(err)
	}
	for _, e := range baseFiles() {
		p := filepath.Join(dir, e.name)
		fi, err := os.Stat(p)
		if err != nil {
			t.Errorf("%s: %v", e.name, err)
			continue
		}
		if fi.IsDir() != e.dir || int64(fi.Mode().Perm()) != e.mode&0o777 || (e.mode&0o1000 != 0) != (fi.Mode()&os.ModeSticky != 0) {
			t.Errorf("%s: mode %v, want %o dir=%v", e.name, fi.Mode(), e.mode, e.dir)
		}
		if !e.dir {
			data, _ := os.ReadFile(p)
			if string(data) != string(e.data) {
				t.Errorf("%s: contents differ from the image's", e.name)
			}
		}
	}
}

func TestChecksums(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"dockvet-linux-amd64": "abc", "dockvet-windows-amd64.exe": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := WriteChecksums(dir, []string{"dockvet-windows-amd64.exe", "dockvet-linux-amd64"}); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "SHA256SUMS"))
	// sha256sum's format, sorted by name (digests of "abc" and "").
	want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  dockvet-linux-amd64\n" +
		"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855  dockvet-windows-amd64.exe\n"
	if string(got) != want {
		t.Fatalf("SHA256SUMS:\n%s\nwant:\n%s", got, want)
	}
	sums, err := ReadChecksums(got)
	if err != nil || sums["dockvet-linux-amd64"] != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" || len(sums) != 2 {
		t.Fatalf("ReadChecksums: %v %v", sums, err)
	}
	if _, err := ReadChecksums([]byte("nonsense\n")); err == nil {
		t.Error("ReadChecksums accepted a malformed line")
	}
}

func TestStampOutsideGitUsesSourceDateEpoch(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "1767323045")
	t.Setenv("GIT_CEILING_DIRECTORIES", os.TempDir())
	s, err := StampFromGit(t.Context(), t.TempDir(), "")
	if err != nil {
		t.Fatal(err)
	}
	if s.Version != "devel" || s.Commit != "" || s.Date.Unix() != 1767323045 || s.Date.Location() != time.UTC {
		t.Fatalf("stamp %+v", s)
	}
	t.Setenv("SOURCE_DATE_EPOCH", "yesterday")
	if _, err := StampFromGit(t.Context(), t.TempDir(), "v1"); err == nil {
		t.Error("a non-numeric SOURCE_DATE_EPOCH was accepted")
	}
}

func TestTargets(t *testing.T) {
	var names []string
	for _, tg := range Targets {
		names = append(names, tg.BinaryName())
	}
	want := []string{"dockvet-linux-amd64", "dockvet-linux-arm64", "dockvet-darwin-amd64", "dockvet-darwin-arm64", "dockvet-windows-amd64.exe", "dockvet-windows-arm64.exe"}
	if !slices.Equal(names, want) {
		t.Errorf("release assets %v, want %v", names, want)
	}
	for _, bad := range []string{"linux", "linux/", "/amd64", "linux/arm/v7"} {
		if _, err := ParseTarget(bad); err == nil {
			t.Errorf("ParseTarget(%q) accepted", bad)
		}
	}
	if got := testStamp.LDFlags(); got != "-s -w -buildid= -X main.version=v1.2.3 -X main.commit=0123456789abcdef0123456789abcdef01234567 -X main.date=2026-01-02T03:04:05Z" {
		t.Errorf("ldflags %q", got)
	}
}
