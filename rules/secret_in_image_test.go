package rules

import (
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

// Made-up credentials with the shape of real ones (random, issued by no one).
const (
	testGitHubToken = "ghp_JBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0RlgLK"
	testNpmToken    = "npm_R8fKq2LmT5vX9bN3cJ7hW1yZ4pD6sG0aE2uI"
	testAWSKeyID    = "AKIAUJZDEGXDNCF32EPF"
	testPEMBody     = "r1pY4OjE2jBMptUsGr7CmY+uCu3ZR1zTOlUcR64cXQLioDnkHIfxIq2HZt/PlJhx2jIclHkCiHp6bR1IqfEouHgx"
)

func TestSecretInImage(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string // positions
		msg  string   // part of the first message
	}{
		{"env value", "FROM alpine:3\nENV GH_TOKEN=" + testGitHubToken + "\n",
			[]string{"2:14-2:54"}, "GitHub personal access token (ghp_…) written into an ENV value, stored in the image config"},
		{"env legacy form", "FROM alpine:3\nENV GH_TOKEN " + testGitHubToken + "\n",
			[]string{"2:14-2:54"}, "ENV value"},
		{"arg default", "FROM alpine:3\nARG AWS_ACCESS_KEY_ID=" + testAWSKeyID + "\nRUN aws s3 ls\n",
			[]string{"2:23-2:43"}, "AWS access key id (AKIA…) written into an ARG default, recorded in the image history"},
		{"global arg default", "ARG NPM_TOKEN=\"" + testNpmToken + "\"\nFROM node:22\n",
			[]string{"1:16-1:56"}, "npm access token (npm_…) written into an ARG default"},
		{"label", "FROM alpine:3\nLABEL ci.token=\"" + testGitHubToken + "\"\n",
			[]string{"2:17-2:57"}, "written into a LABEL"},
		{"run header word", "FROM alpine:3\nRUN curl -H \"Authorization: token " + testGitHubToken + "\" https://api.github.com/user\n",
			[]string{"2:35-2:75"}, "written into a RUN command line, recorded in the image history (docker history) and the build cache; revoke it and use a build secret"},
		{"run url password", "FROM alpine:3\nRUN git clone https://deploy:Vq7rT2mLx9@git.corp.internal/app.git\n",
			[]string{"2:30-2:40"}, "password in a URL (https://deploy:…@git.corp.internal)"},
		{"run export", "FROM alpine:3\nRUN export NPM_TOKEN=" + testNpmToken + " && npm ci\n",
			[]string{"2:22-2:62"}, "npm access token"},
		{"run bare assignment", "FROM alpine:3\nRUN NPM_TOKEN=" + testNpmToken + "; npm ci\n",
			[]string{"2:15-2:55"}, "npm access token"},
		{"run command prefix", "FROM alpine:3\nRUN NPM_TOKEN=" + testNpmToken + " npm ci\n",
			[]string{"2:15-2:55"}, "npm access token"},
		{"run heredoc written to a file", "FROM node:22\nRUN cat > /root/.npmrc <<EOF\n//registry.npmjs.org/:_authToken=" + testNpmToken + "\nEOF\n",
			[]string{"3:34-3:74"}, "npm access token"},
		{"run heredoc script", "FROM alpine:3\nRUN <<EOF\nset -e\ngit clone https://ci:Vq7rT2mLx9@git.corp.internal/app.git\nEOF\n",
			[]string{"4:22-4:32"}, "password in a URL"},
		{"sh -c once", "FROM alpine:3\nRUN sh -c 'curl -u ci:x https://ci:Vq7rT2mLx9@git.corp.internal/x'\n",
			[]string{"2:36-2:46"}, "password in a URL"},
		{"continuation line", "FROM alpine:3\nRUN apk add git && \\\n    git clone https://ci:Vq7rT2mLx9@git.corp.internal/x.git\n",
			[]string{"3:26-3:36"}, "password in a URL"},
		{"exec form run", "FROM alpine:3\nRUN [\"git\", \"clone\", \"https://ci:Vq7rT2mLx9@git.corp.internal/x.git\"]\n",
			[]string{"2:34-2:44"}, "password in a URL"},
		{"exec form cmd", "FROM alpine:3\nCMD [\"app\", \"--token\", \"" + testGitHubToken + "\"]\n",
			[]string{"2:25-2:65"}, "written into the CMD, stored in the image config"},
		{"powershell run", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL [\"powershell\", \"-Command\"]\nRUN $env:GH_TOKEN='" + testGitHubToken + "'; ./build.ps1\n",
			[]string{"3:20-3:60"}, "GitHub personal access token"},
		{"pem key in env", "FROM alpine:3\nENV SSH_KEY=\"-----BEGIN OPENSSH PRIVATE KEY-----\\n" + testPEMBody + "\\n-----END OPENSSH PRIVATE KEY-----\"\n",
			[]string{"2:14-2:49"}, "PEM private key (-----BEGIN OPENSSH PRIVATE KEY-----) written into an ENV value"},
		{"add url", "FROM alpine:3\nADD https://ci:Vq7rT2mLx9@files.corp.internal/tool.tgz /opt/\n",
			[]string{"2:16-2:26"}, "written into an ADD command line"},
		{"onbuild trigger", "FROM alpine:3\nONBUILD RUN git clone https://ci:Vq7rT2mLx9@git.corp.internal/x.git\n",
			[]string{"2:34-2:44"}, "written into an ONBUILD trigger, stored in the image config"},
		{"builder stage", "FROM golang:1.23 AS build\nRUN git config --global url.\"https://ci:Vq7rT2mLx9@git.corp.internal/\".insteadOf https://git.corp.internal/\nFROM alpine:3\nCOPY --from=build /go/bin/app /app\n",
			[]string{"2:41-2:51"}, "a RUN of stage \"build\", which does not ship but stays in the Dockerfile and the build cache"},
		{"two in one file", "FROM alpine:3\nENV A=" + testGitHubToken + " B=" + testAWSKeyID + "\n",
			[]string{"2:7-2:47", "2:50-2:70"}, "GitHub personal access token"},

		{"variable", "FROM alpine:3\nARG GH_TOKEN\nENV GH_TOKEN=$GH_TOKEN\nRUN git clone https://ci:${GH_TOKEN}@github.com/o/r.git\n", nil, ""},
		{"secret mount", "FROM node:22\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci\nRUN --mount=type=secret,id=gh GH_TOKEN=$(cat /run/secrets/gh) make\n", nil, ""},
		{"documentation example", "FROM alpine:3\nENV AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n", nil, ""},
		{"placeholder token", "FROM alpine:3\nARG GH_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", nil, ""},
		{"default database password", "FROM alpine:3\nENV DATABASE_URL=postgres://postgres:postgres@db:5432/app\n", nil, ""},
		{"comment", "FROM alpine:3\n# token: " + testGitHubToken + "\nRUN true\n", nil, ""},
		{"public key", "FROM alpine:3\nRUN echo '-----BEGIN PUBLIC KEY-----\\n" + testPEMBody + "' > /etc/key.pub\n", nil, ""},
		{"npm config variable", "FROM node:22\nENV npm_config_loglevel=warn\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, SecretInImage, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v (%q)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			for _, d := range ds {
				for _, secret := range []string{testGitHubToken, testNpmToken, testAWSKeyID, "Vq7rT2mLx9", testPEMBody[:20]} {
					if strings.Contains(d.Message, secret[4:]) {
						t.Errorf("message %q prints the secret", d.Message)
					}
				}
			}
		})
	}
}

// TestSecretInImageExamples: the documented Bad example is reported and the Good
// one is not.
func TestSecretInImageExamples(t *testing.T) {
	if ds := ruletest.Run(t, SecretInImage, SecretInImage.Bad, dockerfile.Options{}); len(ds) == 0 {
		t.Errorf("Bad example not reported:\n%s", SecretInImage.Bad)
	}
	if ds := ruletest.Run(t, SecretInImage, SecretInImage.Good, dockerfile.Options{}); len(ds) > 0 {
		t.Errorf("Good example reported: %q", ruletest.Lines(ds))
	}
}

func TestSecretInImageImage(t *testing.T) {
	env := func(kv ...string) func(*image.Image) {
		return func(img *image.Image) { img.Env = kv }
	}
	runImageCases(t, SecretInImage, []builtImageCase{
		{"RUN entry", testImage("app:1", nil, steps(debianBase, "RUN /bin/sh -c git clone https://ci:Vq7rT2mLx9@git.corp.internal/x.git # buildkit")...),
			[]string{"3:26-3:36 password in a URL (https://ci:…@git.corp.internal) written into a RUN command line"}},
		{"ENV entry and the config's Env: once, on the entry", testImage("app:1", env("GH_TOKEN="+testGitHubToken), steps(debianBase, "-ENV GH_TOKEN="+testGitHubToken)...),
			[]string{"3:14-3:54 GitHub personal access token (ghp_…) written into an ENV value"}},
		{"config Env without an entry", testImage("app:1", env("PATH=/usr/bin", "GH_TOKEN="+testGitHubToken), debianBase...),
			[]string{"0:0-0:0 GitHub personal access token (ghp_…) in the image config's Env GH_TOKEN"}},
		{"config label", testImage("app:1", func(img *image.Image) { img.Labels = map[string]string{"ci.key": testAWSKeyID} }, debianBase...),
			[]string{`0:0-0:0 AWS access key id (AKIA…) in the image config's label "ci.key"`}},
		{"config Cmd", testImage("app:1", func(img *image.Image) { img.Cmd = []string{"app", "--token", testNpmToken} }, debianBase...),
			[]string{"0:0-0:0 npm access token (npm_…) in the image config's Cmd"}},
		{"nothing", testImage("app:1", env("PATH=/usr/bin", "GH_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), debianBase...), nil},
	})
}
