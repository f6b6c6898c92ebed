package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestRemovedInLaterLayer(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
	}{
		{"COPY then rm", "FROM debian:12\nCOPY installer.run /tmp/installer.run\nRUN sh /tmp/installer.run && rm /tmp/installer.run\n", []string{"3:33-3:51"}},
		{"COPY into a directory then rm the file", "FROM debian:12\nCOPY app.tgz /tmp/\nRUN tar xzf /tmp/app.tgz -C /opt && rm -f /tmp/app.tgz\n", []string{"3:43-3:55"}},
		{"relative rm under WORKDIR", "FROM debian:12\nWORKDIR /build\nCOPY src.tgz .\nRUN tar xzf src.tgz && rm src.tgz\n", []string{"4:27-4:34"}},
		{"rm of the parent directory", "FROM debian:12\nCOPY . /src\nRUN make -C /src install && rm -rf /src\n", []string{"3:36-3:40"}},
		{"rm glob", "FROM python:3.12\nCOPY dist/*.whl /tmp/\nRUN pip install /tmp/*.whl && rm /tmp/*.whl\n", []string{"3:34-3:44"}},
		{"rm glob of the directory content", "FROM debian:12\nCOPY big.bin /tmp/big.bin\nRUN rm -rf /tmp/*\n", []string{"3:12-3:18"}},
		{"earlier RUN download", "FROM debian:12\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz\nRUN tar xzf /tmp/x.tgz -C /opt && rm /tmp/x.tgz\n", []string{"3:38-3:48"}},
		{"earlier git clone: the .git directory", "FROM debian:12\nRUN git clone https://x/app.git /src\nRUN rm -rf /src/.git\n", []string{"3:12-3:21"}},
		{"ADD URL", "FROM debian:12\nADD https://example.com/tool.tar.gz /tmp/\nRUN tar xzf /tmp/tool.tar.gz -C /usr/local && rm /tmp/tool.tar.gz\n", []string{"3:50-3:66"}},
		{"FROM stage chain", "FROM debian:12 AS base\nCOPY big.bin /opt/big.bin\nFROM base\nRUN rm /opt/big.bin\n", []string{"4:8-4:20"}},
		{"rm inside sh -c", "FROM debian:12\nCOPY a.deb /tmp/a.deb\nRUN sh -c 'dpkg -i /tmp/a.deb && rm /tmp/a.deb'\n", []string{"3:37-3:47"}},
		{"rm in a parent stage of the final chain", "FROM debian:12 AS base\nCOPY a /tmp/a\nRUN rm /tmp/a\nFROM base\nCOPY b /b\n", []string{"3:8-3:14"}},
		{"unconditional rm after a conditional one", "FROM debian:12\nCOPY a /tmp/a\nRUN test -f /x || rm /tmp/b; rm /tmp/a\n", []string{"3:33-3:39"}},
		// traps
		{"same RUN created it", "FROM debian:12\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && tar xzf /tmp/x.tgz -C /opt && rm /tmp/x.tgz\n", nil},
		{"rm inside a directory of unknown content", "FROM node:22\nCOPY . /app\nRUN rm -rf /app/test /app/*.md\n", nil},
		{"rm inside an unpacked archive", "FROM debian:12\nRUN curl -sL https://x/t.tgz | tar xz -C /opt\nRUN rm -rf /opt/t/docs\n", nil},
		{"rm before the COPY", "FROM nginx:1.27\nRUN rm /etc/nginx/conf.d/default.conf\nCOPY default.conf /etc/nginx/conf.d/default.conf\n", nil},
		{"conditional rm", "FROM debian:12\nCOPY a /tmp/a\nRUN test -f /tmp/keep || rm /tmp/a\n", nil},
		{"rm in an if", "FROM debian:12\nCOPY a /tmp/a\nRUN if [ \"$CLEAN\" = 1 ]; then rm /tmp/a; fi\n", nil},
		{"builder stage", "FROM debian:12 AS build\nCOPY a /tmp/a\nRUN rm /tmp/a\nFROM debian:12\nCOPY --from=build /out /out\n", nil},
		{"relative rm after cd", "FROM debian:12\nWORKDIR /w\nCOPY a.tgz /tmp/a.tgz\nRUN cd /tmp && rm a.tgz\n", nil},
		{"relative COPY under unknown WORKDIR", "FROM debian:12\nCOPY a.tgz .\nRUN rm /a.tgz\n", nil},
		{"touch is empty", "FROM debian:12\nRUN touch /tmp/marker\nRUN rm /tmp/marker\n", nil},
		{"rm in a mount", "FROM debian:12\nCOPY a /tmp/a\nRUN --mount=type=tmpfs,target=/tmp rm -rf /tmp/a\n", nil},
		{"different file", "FROM debian:12\nCOPY a.tgz /tmp/a.tgz\nRUN rm /tmp/a.tgz.sha256 /tmp/b /tmp\n", []string{"3:33-3:37"}},
		{"rm variable", "FROM debian:12\nCOPY a /tmp/a\nRUN rm $TMPFILE \"$(echo /tmp/a)\"\n", nil},
		{"directory source", "FROM debian:12\nCOPY conf/ /etc/app/\nRUN rm -rf /etc/app/conf\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, RemovedInLaterLayer, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v\n%v", got, tt.want, ruletest.Lines(ds))
			}
		})
	}
}

func TestRemovedInLaterLayerMessage(t *testing.T) {
	tests := []struct {
		src, want, related string
	}{
		{"FROM debian:12\nCOPY installer.run /tmp/\nRUN sh /tmp/installer.run && rm /tmp/installer.run\n",
			"3:33-3:51 rm /tmp/installer.run deletes what line 2 (COPY installer.run /tmp/) added: the bytes stay in that earlier layer and the image does not shrink; use RUN --mount=type=bind for files the build only needs temporarily, or do the work in a build stage and COPY --from only the result",
			"2:20-2:25 adds /tmp/installer.run in this layer"},
		{"FROM debian:12\nRUN wget -q https://example.com/x.tgz -O /tmp/x.tgz\nRUN rm /tmp/x.tgz\n",
			"3:8-3:18 rm /tmp/x.tgz deletes what line 2 (RUN wget -q https://example.com/x.tgz -O /tmp/x.tgz) added: the bytes stay in that earlier layer and the image does not shrink; delete it in the same RUN that creates it",
			"2:5-2:52 adds /tmp/x.tgz in this layer"},
		{"FROM debian:12\nENV ARCHIVE=/opt/sdk.zip\nRUN wget -q https://example.com/sdk.zip -O \"$ARCHIVE\"\nRUN rm \"${ARCHIVE}\"\n",
			"4:8-4:20 rm \"${ARCHIVE}\" (/opt/sdk.zip) deletes what line 3 (RUN wget -q https://example.com/sdk.zip -O /opt/sdk.zip) added: the bytes stay in that earlier layer and the image does not shrink; delete it in the same RUN that creates it",
			"3:5-3:54 adds /opt/sdk.zip in this layer"},
	}
	for _, tt := range tests {
		ds := ruletest.Run(t, RemovedInLaterLayer, tt.src, dockerfile.Options{})
		if got := ruletest.Lines(ds); len(got) != 1 || got[0] != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
			continue
		}
		if r := ds[0].Related; len(r) != 1 || r[0].Range.Start.String()+"-"+r[0].Range.End.String()+" "+r[0].Message != tt.related {
			t.Errorf("related %+v, want %q", r, tt.related)
		}
	}
}

// Issue 7 item 3: DV404 resolves the variables of RUN words, on both sides:
// what an earlier RUN adds and what a later rm deletes.
func TestRemovedInLaterLayerRunVariables(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
	}{
		{"rm $ENV of a COPY", "FROM debian:12\nENV TMPF=/tmp/installer.run\nCOPY installer.run /tmp/\nRUN sh $TMPF && rm \"$TMPF\"\n", []string{"4:20-4:27"}},
		{"download to $ENV, rm of the path", "FROM debian:12\nENV ARCHIVE=/opt/sdk/archive.zip\nRUN wget -q https://x/sdk.zip -O \"${ARCHIVE}\"\nRUN rm /opt/sdk/archive.zip\n", []string{"4:8-4:28"}},
		{"ARG on both sides", "FROM debian:12\nARG DIR=/build\nRUN git clone https://x/app.git $DIR\nRUN rm -rf ${DIR}/.git\n", []string{"4:12-4:23"}},
		{"ENV built from ENV", "FROM debian:12\nENV ROOT=/opt\nENV SDK=$ROOT/sdk\nRUN curl -o $SDK/x.tgz https://x/x.tgz\nRUN rm $SDK/x.tgz\n", []string{"5:8-5:18"}},
		{"script variable", "FROM debian:12\nCOPY big.bin /tmp/big.bin\nRUN F=/tmp/big.bin; rm -f $F\n", []string{"3:27-3:29"}},
		// traps
		{"unknown variable", "FROM debian:12\nCOPY big.bin /tmp/big.bin\nRUN rm -f $F\n", nil},
		{"changed in a branch", "FROM debian:12\nENV F=/tmp/big.bin\nCOPY big.bin /tmp/big.bin\nRUN if [ -x /y ]; then F=/tmp/other; fi; rm -f $F\n", nil},
		{"value with a space splits", "FROM debian:12\nENV F=\"/tmp/big.bin /tmp/x\"\nCOPY big.bin /tmp/big.bin\nRUN rm -f $F\n", nil},
		{"same RUN created it", "FROM debian:12\nENV A=/tmp/a.tgz\nRUN curl -o $A https://x/a.tgz && rm $A\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, RemovedInLaterLayer, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v\n%v", got, tt.want, ruletest.Lines(ds))
			}
		})
	}
}
