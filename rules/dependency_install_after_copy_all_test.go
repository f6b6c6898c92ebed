package rules

import (
	"slices"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/rule/ruletest"
)

func TestDependencyInstallAfterCopyAll(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want []string
		msg  string
	}{
		{"npm ci after COPY . .", "FROM node:22\nWORKDIR /app\nCOPY . .\nRUN npm ci\n", []string{"4:5-4:11"},
			"npm ci runs after a COPY of the whole build context (line 3) with no earlier COPY of package.json or its lock file: every source edit invalidates this layer and re-runs the install; COPY package.json and its lock file (package-lock.json or npm-shrinkwrap.json) first, run npm ci, then COPY the rest"},
		// A project has one lock file: the advice must not ask to copy all
		// the lock files npm can read.
		{"yarn install names its one lock file", "FROM node\nCOPY . .\nRUN yarn install\n", []string{"3:5-3:17"},
			"no earlier COPY of package.json or its lock file: every source edit invalidates this layer and re-runs the install; COPY package.json and its lock file (yarn.lock) first"},
		// The requirements file named by a build variable is resolved in the message.
		{"pip -r $VAR set by ENV", "FROM python\nENV REQS=/src/requirements.txt\nCOPY . /src\nRUN pip install -r $REQS\n", []string{"4:5-4:16"},
			"no earlier COPY of /src/requirements.txt: every source edit invalidates this layer and re-runs the install; COPY /src/requirements.txt first"},
		{"pip -r $VAR whose file was copied first", "FROM python\nARG REQS=requirements.txt\nCOPY requirements.txt .\nCOPY . .\nRUN pip install -r $REQS\n", nil, ""},
		{"npm --no-package-lock reads no lock file", "FROM node\nCOPY . .\nRUN npm install --no-package-lock\n", []string{"3:5-3:16"},
			"no earlier COPY of package.json: every source edit invalidates this layer and re-runs the install; COPY package.json first"},
		{"lock file alone copied first", "FROM node\nCOPY yarn.lock ./\nCOPY . .\nRUN yarn install\n", nil, ""},
		{"pip install -r", "FROM python:3.12\nCOPY ./ /app/\nRUN pip install -r /app/requirements.txt\n", []string{"3:5-3:16"}, "no earlier COPY of /app/requirements.txt"},
		{"bundle install", "FROM ruby:3\nADD . /src\nRUN cd /src && bundle install\n", []string{"3:16-3:30"}, "bundle install runs after a COPY of the whole build context (line 2) with no earlier COPY of Gemfile or its lock file: every source edit invalidates this layer and re-runs the install; COPY Gemfile and its lock file (Gemfile.lock) first"},
		{"go mod download", "FROM golang\nCOPY . .\nRUN go mod download\n", []string{"3:5-3:20"}, "go mod download runs after"},
		{"composer install", "FROM php\nCOPY . /var/www\nRUN composer install --no-dev\n", []string{"3:5-3:21"}, "COPY composer.json and its lock file (composer.lock) first"},
		{"yarn alone", "FROM node\nCOPY . .\nRUN yarn --frozen-lockfile\n", []string{"3:5-3:9"}, "yarn runs after"},
		{"builder stage too", "FROM node AS build\nCOPY . .\nRUN npm ci\nFROM nginx\nCOPY --from=build /dist /usr/share/nginx/html\n", []string{"3:5-3:11"}, "npm ci runs after"},
		{"JSON-form COPY", "FROM node\nCOPY [\".\", \"/app\"]\nRUN npm install\n", []string{"3:5-3:16"}, "npm install runs after"},
		{"manifest first", "FROM node\nCOPY package.json package-lock.json ./\nRUN npm ci\nCOPY . .\n", nil, ""},
		{"manifest glob first", "FROM node\nCOPY package*.json ./\nCOPY . .\nRUN npm ci\n", nil, ""},
		{"requirements directory first", "FROM python\nCOPY requirements /r\nCOPY . .\nRUN pip install -r requirements/prod.txt\n", nil, ""},
		{"install before the COPY", "FROM node\nRUN npm ci\nCOPY . .\n", nil, ""},
		{"npm install of named packages", "FROM node\nCOPY . .\nRUN npm install -g serve\n", nil, ""},
		{"pip install of named packages", "FROM python\nCOPY . .\nRUN pip install flask\n", nil, ""},
		{"COPY --from is not the context", "FROM node\nCOPY --from=deps . .\nRUN npm ci\n", nil, ""},
		{"a subdirectory is not the whole context", "FROM node\nCOPY src/ ./src\nRUN npm ci\n", nil, ""},
		{"COPY . in another stage", "FROM node AS a\nCOPY . .\nFROM node\nRUN npm ci\n", nil, ""},
		{"build, not an install", "FROM golang\nCOPY . .\nRUN go build ./...\n", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ds := ruletest.Run(t, DependencyInstallAfterCopyAll, tt.src, dockerfile.Options{})
			if got := ruletest.Positions(ds); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v (%v)", got, tt.want, ruletest.Lines(ds))
			}
			ruletest.WantMessage(t, ds, tt.msg)
			for _, d := range ds {
				if len(d.Related) != 1 || d.Related[0].Range.Start.Line < 2 {
					t.Errorf("want the COPY as related location, got %+v", d.Related)
				}
			}
		})
	}
}
