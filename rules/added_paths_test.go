package rules

import (
	"fmt"
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

func TestAdditions(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // "line path" (+ " glob" / " empty")
	}{
		{"COPY to a directory names its files",
			"FROM alpine:3\nCOPY app.tgz conf/ *.whl /opt/\n",
			[]string{"2 /opt", "2 /opt/app.tgz", "2 /opt/*.whl glob"}},
		{"COPY to a path",
			"FROM alpine:3\nCOPY models /mnt/models\n",
			[]string{"2 /mnt/models"}},
		{"relative destination needs a known WORKDIR",
			"FROM alpine:3\nCOPY a.txt .\nWORKDIR /app\nCOPY b.txt .\nWORKDIR sub\nCOPY c.txt ./\n",
			[]string{"4 /app", "4 /app/b.txt", "6 /app/sub", "6 /app/sub/c.txt"}},
		{"scratch starts in /",
			"FROM scratch\nCOPY a.txt .\n",
			[]string{"2 /", "2 /a.txt"}},
		{"WORKDIR with variables",
			"FROM alpine:3\nENV APP=/srv/app\nWORKDIR $APP\nCOPY x ./\nWORKDIR $NOPE\nCOPY y ./\n",
			[]string{"4 /srv/app", "4 /srv/app/x"}},
		{"WORKDIR carries over through FROM stage",
			"FROM alpine:3 AS base\nWORKDIR /app\nFROM base\nCOPY x ./\n",
			[]string{"4 /app", "4 /app/x"}},
		{"builder stages are not in the final image",
			"FROM alpine:3 AS build\nCOPY x /x\nFROM alpine:3\nCOPY --from=build /x /y\n",
			[]string{"4 /y"}},
		{"JSON form and heredoc",
			"FROM alpine:3\nCOPY [\"a b.txt\", \"/dst/\"]\nCOPY <<app.conf /etc/app/\nx=1\napp.conf\n",
			[]string{"2 /dst", "2 /dst/a b.txt", "3 /etc/app", "3 /etc/app/app.conf"}},
		{"ADD: URL, archive, git",
			"FROM alpine:3\nADD https://example.com/dl/model.bin?x=1 /models/\nADD app.tar.gz /opt/\nADD https://github.com/a/b.git /src/\n",
			[]string{"2 /models", "2 /models/model.bin", "3 /opt", "4 /src"}},
		{"COPY --parents keeps the source path",
			"FROM alpine:3\nCOPY --parents a/b.txt /dst/\n",
			[]string{"2 /dst"}},
		{"downloads",
			"FROM alpine:3\nRUN curl -fsSLo /tmp/a.tgz https://x/a.tgz && curl --output b.tgz https://x/b && wget -q -O /tmp/c.zip https://x/c && wget -P /dl https://x/d.bin\n",
			[]string{"2 /tmp/a.tgz", "2 /tmp/c.zip", "2 /dl/d.bin"}},
		{"downloads into the WORKDIR",
			"FROM alpine:3\nWORKDIR /tmp\nRUN curl -LO https://x/y/a.tgz && wget https://x/b.tgz && curl -o - https://x/c | sh && wget -qO- https://x/d | tar xz -C /opt\n",
			[]string{"3 /tmp/a.tgz", "3 /tmp/b.tgz", "3 /opt"}},
		{"relative paths after cd are unknown",
			"FROM alpine:3\nWORKDIR /w\nRUN curl -o a https://x/a && cd /tmp && curl -o b https://x/b && curl -o /abs https://x/c\n",
			[]string{"3 /w/a", "3 /abs"}},
		{"copies",
			"FROM alpine:3\nRUN cp -r /src/conf /etc/app && mv a.jar b.jar /opt/ && install -m 0755 tool /usr/local/bin/tool && cp -t /dst x && install -d /var/run/app\n",
			[]string{"2 /etc/app", "2 /opt", "2 /opt/a.jar", "2 /opt/b.jar", "2 /usr/local/bin/tool", "2 /dst", "2 /dst/x"}},
		{"unpacking and cloning",
			"FROM alpine:3\nWORKDIR /src\nRUN tar -xzf /tmp/a.tgz -C /opt && tar xf b.tar && tar -tzf c.tgz && unzip -q d.zip -d /srv && unzip -l e.zip && git clone --depth 1 https://x/repo.git && git clone -b main https://x/y /code\n",
			[]string{"3 /opt", "3 /src", "3 /srv", "3 /src/repo", "3 /src/repo/.git", "3 /code", "3 /code/.git"}},
		{"touch is empty",
			"FROM alpine:3\nRUN touch /var/log/app.log\n",
			[]string{"2 /var/log/app.log empty"}},
		{"conditional, mounts, variables and pseudo files are skipped",
			"FROM alpine:3\nRUN --mount=type=cache,target=/root/.cache curl -o /root/.cache/x https://x/x && curl -o /dev/null https://x && curl -o $HOME/x https://x || curl -o /tmp/fallback https://x\nRUN if [ -n \"$X\" ]; then cp a /b; fi\n",
			nil},
		{"exec form RUN", "FROM alpine:3\nRUN [\"sh\", \"-c\", \"curl -o /tmp/x https://x/x\"]\n",
			[]string{"2 /tmp/x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := dockerfile.Parse("Dockerfile", []byte(tt.src), dockerfile.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range finalSteps(f, nil) {
				for _, a := range additions(s) {
					line := fmt.Sprintf("%d %s", a.in.StartLine, a.path)
					if a.glob {
						line += " glob"
					}
					if a.empty {
						line += " empty"
					}
					got = append(got, line)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestListAdders(t *testing.T) {
	items := []string{"a", "b", "c", "d", "e"}
	for _, tt := range []struct {
		n    int
		sep  string
		want string
	}{
		{1, "", "a"}, {2, "", "a and b"}, {3, "", "a, b and c"}, {5, "", "a, b, c and 2 more"},
		{1, "; ", "a"}, {3, "; ", "a; b; c"}, {4, "; ", "a; b; c; and 1 more"},
	} {
		if got := listAdders(items[:tt.n], tt.sep); got != tt.want {
			t.Errorf("listAdders(%d, %q) = %q, want %q", tt.n, tt.sep, got, tt.want)
		}
	}
}
