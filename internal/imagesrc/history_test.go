package imagesrc

import (
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/image"
)

func TestEntryLine(t *testing.T) {
	tests := []struct {
		name, createdBy, want string
	}{
		// BuildKit
		{"buildkit RUN", "RUN /bin/sh -c apt-get update # buildkit", "RUN apt-get update"},
		{"build args", "RUN |2 A=1 B=2 /bin/sh -c make install # buildkit", "RUN make install"},
		{"build arg value with spaces", "RUN |1 MSG=hello world /bin/sh -c echo \"$MSG\" # buildkit", `RUN echo "$MSG"`},
		{"bash with options", "RUN /bin/bash -o pipefail -c curl -fsSL x | sh # buildkit", "RUN curl -fsSL x | sh"},
		{"combined flags", "RUN /bin/sh -ec set -x; make # buildkit", "RUN set -x; make"},
		{"exec form RUN", "RUN apt-get install -y curl # buildkit", "RUN apt-get install -y curl"},
		{"heredoc RUN body on one line", "RUN /bin/sh -c apt-get update\napt-get install -y curl\nif true; then\n  echo ok\nfi\n # buildkit", "RUN apt-get update; apt-get install -y curl; if true; then echo ok; fi"},
		{"continuation in a heredoc body", "RUN /bin/sh -c apt-get update && \\\n  apt-get install -y curl\n # buildkit", "RUN apt-get update && apt-get install -y curl"},
		{"nested heredoc becomes a comment", "RUN /bin/sh -c cat <<EOF > /etc/motd\nhello\nEOF\n # buildkit", `# RUN cat <<EOF > /etc/motd\nhello\nEOF`},
		{"quoted newline becomes a comment", "RUN /bin/sh -c echo 'a\nb' # buildkit", `# RUN echo 'a\nb'`},
		{"trailing backslash becomes a comment", "RUN /bin/sh -c echo \\ # buildkit", `# RUN echo \`},
		{"Windows shell", "RUN cmd /S /C echo hi # buildkit", "# RUN echo hi"},
		{"PowerShell", "RUN powershell -Command Write-Host hi # buildkit", "# RUN Write-Host hi"},
		{"COPY", "COPY --chown=1000:1000 . /app # buildkit", "COPY --chown=1000:1000 . /app"},
		{"COPY heredoc", "COPY <<EOF /etc/x # buildkit", "# COPY <<EOF /etc/x"},
		{"ADD", "ADD https://example.com/x.tgz /opt/ # buildkit", "ADD https://example.com/x.tgz /opt/"},
		{"WORKDIR", "WORKDIR /app", "WORKDIR /app"},
		{"ENV", "ENV PATH=/usr/local/bin:/usr/bin LANG=C.UTF-8", "ENV PATH=/usr/local/bin:/usr/bin LANG=C.UTF-8"},
		{"VOLUME Go list", "VOLUME [/data /logs]", `VOLUME ["/data", "/logs"]`},
		{"VOLUME JSON", `VOLUME ["/data"]`, `VOLUME ["/data"]`},
		{"CMD Go quoted", `CMD ["/bin/sh" "-c" "npm start"]`, `# CMD ["/bin/sh", "-c", "npm start"]`},
		{"ENTRYPOINT", `ENTRYPOINT ["docker-entrypoint.sh"]`, `# ENTRYPOINT ["docker-entrypoint.sh"]`},
		{"SHELL", `SHELL [/bin/bash -o pipefail -c]`, `# SHELL ["/bin/bash", "-o", "pipefail", "-c"]`},
		{"USER", "USER 1000:1000", "# USER 1000:1000"},
		{"LABEL", "LABEL org.opencontainers.image.source=https://x", "# LABEL org.opencontainers.image.source=https://x"},
		{"ARG", "ARG TARGETARCH", "# ARG TARGETARCH"},
		// classic builder
		{"classic RUN", "/bin/sh -c apt-get update && apt-get install -y curl", "RUN apt-get update && apt-get install -y curl"},
		{"classic RUN with build args", "|1 VERSION=1.2 /bin/sh -c make VERSION=$VERSION", "RUN make VERSION=$VERSION"},
		{"classic CMD", `/bin/sh -c #(nop)  CMD ["sh"]`, `# CMD ["sh"]`},
		{"classic ADD of the rootfs", "/bin/sh -c #(nop) ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 in / ", "ADD file:4b03b5f551e3fbdf47ec609712007327828f7530cc3455c43bbcdcaf449a75a9 /"},
		{"classic COPY", "/bin/sh -c #(nop) COPY dir:0123abcd in /app ", "COPY dir:0123abcd /app"},
		{"classic VOLUME", "/bin/sh -c #(nop)  VOLUME [/var/lib/mysql]", `VOLUME ["/var/lib/mysql"]`},
		{"classic ENV", "/bin/sh -c #(nop)  ENV LANG=C.UTF-8", "ENV LANG=C.UTF-8"},
		{"classic USER", "/bin/sh -c #(nop)  USER [app]", "# USER [app]"},
		{"marker inside a classic RUN", "/bin/sh -c echo '#(nop)'", "RUN echo '#(nop)'"},
		// not instructions
		{"empty", "", "#"},
		{"blank", "   ", "#"},
		{"rootfs note", "# debian.sh --arch 'amd64' out/ 'bookworm' '@1718582400'", "# # debian.sh --arch 'amd64' out/ 'bookworm' '@1718582400'"},
		{"tool text", "bazel build //app:image", "# bazel build //app:image"},
		{"lower-case keyword", "run something", "# run something"},
		{"control characters", "a\x00b\x1bc", "# a\uFFFDb\uFFFDc"},
		{"invalid UTF-8", "RUN /bin/sh -c echo \xff # buildkit", "# RUN echo \uFFFD"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, instr := entryLine(tt.createdBy, false)
			if got != tt.want {
				t.Errorf("entryLine(%q) = %q, want %q", tt.createdBy, got, tt.want)
			}
			if instr == strings.HasPrefix(got, "#") {
				t.Errorf("instr = %v for %q", instr, got)
			}
		})
	}
}

func TestParseEntryLists(t *testing.T) {
	e := ParseEntry(`CMD ["/bin/sh" "-c" "echo \"hi\" \\ there"]`)
	if want := []string{"/bin/sh", "-c", `echo "hi" \ there`}; !slices.Equal(e.List, want) {
		t.Errorf("CMD list %q, want %q", e.List, want)
	}
	e = ParseEntry("RUN |1 A=1 /bin/sh -c make # buildkit")
	if e.Keyword != "RUN" || e.Args != "make" || !slices.Equal(e.Shell, []string{"/bin/sh", "-c"}) {
		t.Errorf("RUN entry %+v", e)
	}
	if e := ParseEntry("CMD npm start"); e.Keyword != "CMD" || e.List != nil {
		t.Errorf("shell-form CMD as written (kaniko): %+v", e)
	}
}

func TestQuoteEntry(t *testing.T) {
	if got := QuoteEntry("RUN /bin/sh -c apt-get update &&     apt-get install -y curl # buildkit"); got != "RUN apt-get update && apt-get install -y curl" {
		t.Errorf("got %q", got)
	}
	long := QuoteEntry("RUN /bin/sh -c " + strings.Repeat("x ", 100))
	if n := len([]rune(long)); n != maxQuote || !strings.HasSuffix(long, "…") {
		t.Errorf("long: %d runes: %q", n, long)
	}
	if got := QuoteEntry(""); got != "(empty)" {
		t.Errorf("empty: %q", got)
	}
	if got := QuoteEntry("/bin/sh -c #(nop)  CMD [\"sh\"]"); got != `CMD ["sh"]` {
		t.Errorf("classic: %q", got)
	}
}

func history(createdBy ...string) *image.Image {
	img := &image.Image{Ref: "oci-layout:img", OS: "linux"}
	for _, c := range createdBy {
		img.History = append(img.History, image.History{CreatedBy: c})
	}
	return img
}

func TestHistoryDockerfileLines(t *testing.T) {
	img := history(
		"/bin/sh -c #(nop) ADD file:abc in / ",                  // 1: replaced by FROM scratch in the parse
		`/bin/sh -c #(nop)  CMD ["bash"]`,                       // 2
		"RUN /bin/sh -c apt-get update # buildkit",              // 3
		"ENV GREETING=hello world",                              // 4: not a valid ENV: demoted
		"COPY <<EOF /etc/x # buildkit",                          // 5: heredoc: a comment
		"RUN /bin/sh -c apt-get install -y curl # buildkit",     // 6
		"VOLUME [/data]",                                        // 7
		"RUN /bin/sh -c cat <<EOF >/x\nbody\nEOF\n # buildkit",  // 8: comment
		"RUN /bin/sh -c rm -rf /var/lib/apt/lists/* # buildkit", // 9
		"", // 10
		"RUN |1 V=1 /bin/sh -c echo a &&\\\n    echo b\n # buildkit", // 11
	)
	f, lines, err := HistoryDockerfile(img)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"ADD file:abc /",
		`# CMD ["bash"]`,
		"RUN apt-get update",
		"# ENV GREETING=hello world",
		"# COPY <<EOF /etc/x",
		"RUN apt-get install -y curl",
		`VOLUME ["/data"]`,
		`# RUN cat <<EOF >/x\nbody\nEOF`,
		"RUN rm -rf /var/lib/apt/lists/*",
		"#",
		"RUN echo a && echo b",
	}
	if !slices.Equal(lines, want) {
		t.Fatalf("lines:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if f.Lines[0] != "FROM scratch" || !slices.Equal(f.Lines[1:], want[1:]) {
		t.Errorf("parsed lines %q", f.Lines)
	}
	if len(f.Errors) != 0 {
		t.Errorf("syntax errors: %v", f.Errors)
	}
	got := map[int]string{}
	for _, in := range f.Instructions {
		if in.StartLine != in.EndLine {
			t.Errorf("%s spans lines %d-%d", in.Keyword, in.StartLine, in.EndLine)
		}
		if in.Stage == nil {
			t.Errorf("%s on line %d is in no stage", in.Keyword, in.StartLine)
		}
		got[in.StartLine] = in.Keyword
	}
	wantKw := map[int]string{1: "FROM", 3: "RUN", 6: "RUN", 7: "VOLUME", 9: "RUN", 11: "RUN"}
	if len(got) != len(wantKw) {
		t.Errorf("instructions %v, want %v", got, wantKw)
	}
	for l, kw := range wantKw {
		if got[l] != kw {
			t.Errorf("line %d: %q, want %s", l, got[l], kw)
		}
	}
	// Positions in the RUN script point into the synthesized line.
	for _, in := range f.Instructions {
		if in.StartLine == 6 {
			if in.Script == nil || len(in.Script.Calls) == 0 {
				t.Fatal("no script on line 6")
			}
			r := in.Script.Calls[0].Range
			if r.Start.Line != 6 || r.Start.Col != 5 {
				t.Errorf("first call of line 6 at %v", r)
			}
		}
	}
}

func TestHistoryDockerfileEdgeCases(t *testing.T) {
	if f, lines, err := HistoryDockerfile(&image.Image{Ref: "x"}); f != nil || lines != nil || err != nil {
		t.Errorf("no history: %v %v %v", f, lines, err)
	}
	// Every entry an instruction that must be demoted: the loop ends.
	var bad []string
	for range 40 {
		bad = append(bad, "ENV A=b c")
	}
	f, lines, err := HistoryDockerfile(history(bad...))
	if err != nil || f == nil {
		t.Fatal(err)
	}
	for i, l := range lines[1:] {
		if l != "# ENV A=b c" {
			t.Fatalf("line %d: %q", i+2, l)
		}
	}
	// Windows: RUN is cmd, never sh.
	img := history("ADD file:x in C:\\", "RUN cmd /S /C echo hi", "RUN echo hi # buildkit")
	img.OS = "windows"
	_, lines, _ = HistoryDockerfile(img)
	if lines[1] != "# RUN echo hi" || lines[2] != "# RUN echo hi" {
		t.Errorf("windows lines %q", lines)
	}
	// A huge entry stays one bounded line.
	_, lines, _ = HistoryDockerfile(history("x", "RUN /bin/sh -c echo "+strings.Repeat("y", 100<<10)))
	if len(lines[1]) > maxCommentLine+16 || !strings.HasPrefix(lines[1], "# RUN echo yyy") {
		t.Errorf("huge entry: %d bytes", len(lines[1]))
	}
}

func TestBaseEntries(t *testing.T) {
	mk := func(steps ...string) *image.Image {
		img := &image.Image{}
		for _, s := range steps {
			empty := strings.HasPrefix(s, "-")
			img.History = append(img.History, image.History{CreatedBy: strings.TrimPrefix(s, "-"), EmptyLayer: empty})
		}
		return img
	}
	tests := []struct {
		name string
		img  *image.Image
		want int
	}{
		{"base then own layers", mk("ADD rootfs /", `-CMD ["bash"]`, "RUN apt-get update # buildkit", "COPY . /app # buildkit"), 2},
		{"own trailing CMD is skipped", mk("ADD rootfs /", `-CMD ["bash"]`, "COPY . /app # buildkit", `-CMD ["app"]`), 2},
		{"the image is the base (ends with its CMD)", mk("ADD rootfs /", `-CMD ["bash"]`, "RUN x # buildkit", `-VOLUME [/data]`, `-CMD ["postgres"]`), 2},
		{"no CMD", mk("COPY app /app # buildkit", `-USER 1000`), 0},
		{"empty", mk(), 0},
	}
	for _, tt := range tests {
		if got := BaseEntries(tt.img); got != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, got, tt.want)
		}
	}
}

func TestEntryHelpers(t *testing.T) {
	img := history("ADD file:x in / ", "VOLUME [/data/ /logs]", "USER u", `CMD ["/bin/sh" "-c" "run"]`, "USER root")
	f, _, _ := HistoryDockerfile(img)
	if n, spelled := VolumeEntry(img, "/data"); n != 2 || spelled != "/data/" {
		t.Errorf("VolumeEntry /data = %d %q", n, spelled)
	}
	if n, _ := VolumeEntry(img, "/other"); n != 0 {
		t.Errorf("VolumeEntry /other = %d", n)
	}
	if n, e := LastEntry(img, "USER", nil); n != 5 || e.Args != "root" {
		t.Errorf("LastEntry USER = %d %+v", n, e)
	}
	if n, _ := LastEntry(img, "CMD", func(e Entry) bool { return slices.Equal(e.List, []string{"x"}) }); n != 0 {
		t.Errorf("LastEntry CMD x = %d", n)
	}
	// `# USER root`: the value, not the U of USER.
	if r := EntryRange(img, f, 5, "root"); r.Start.Line != 5 || r.Start.Col != 8 || r.End.Col != 12 {
		t.Errorf("EntryRange USER root = %v", r)
	}
	if r := EntryRange(img, f, 2, `"/logs"`); r.Start.Col != 19 || r.End.Col != 26 {
		t.Errorf("EntryRange /logs = %v (%q)", r, f.Lines[1])
	}
	// Entry 1 is not in the parse: its shown line is recomputed.
	if r := EntryRange(img, f, 1, ""); r.Start.Line != 1 || r.Start.Col != 1 || r.End.Col != 16 {
		t.Errorf("EntryRange entry 1 = %v", r)
	}
	if r := EntryRange(img, f, 0, "x"); r.IsValid() {
		t.Errorf("EntryRange 0 = %v", r)
	}
}

func FuzzHistoryDockerfile(f *testing.F) {
	for _, s := range []string{
		"RUN /bin/sh -c apt-get update # buildkit",
		"RUN |2 A=1 B=2 /bin/sh -c make # buildkit",
		"/bin/sh -c #(nop)  CMD [\"sh\"]",
		"RUN /bin/sh -c cat <<EOF\nx\nEOF\n # buildkit",
		"COPY <<EOF /x # buildkit",
		"ENV A=b c",
		"VOLUME [/a /b]",
		"RUN /bin/sh -c echo \\",
		"|x /bin/sh -c",
		"RUN /bin/bash -euxo pipefail -c",
	} {
		f.Add(s, "RUN /bin/sh -c true # buildkit")
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		img := history("ADD x /", a, b, a)
		file, lines, err := HistoryDockerfile(img)
		if err != nil {
			t.Fatal(err)
		}
		if len(lines) != 4 {
			t.Fatalf("%d lines", len(lines))
		}
		for i, l := range lines {
			if strings.ContainsAny(l, "\n\r") {
				t.Fatalf("line %d has a line break: %q", i+1, l)
			}
		}
		for _, in := range file.Instructions {
			if in.StartLine != in.EndLine {
				t.Fatalf("%s spans %d-%d", in.Keyword, in.StartLine, in.EndLine)
			}
		}
		_ = QuoteEntry(a)
	})
}
