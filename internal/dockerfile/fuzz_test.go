package dockerfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds arbitrary bytes to the front end. Parse must return (the
// fuzzer reports a hang as a failure once it stalls), must not panic, and
// every range in the model must lie inside the file. The dump walks every
// accessor a rule may call (stages, final chain, scripts, calls, expansions).
//
// Run it with `make fuzz` (FUZZTIME=5m by default). Seeds are the golden
// Dockerfiles plus a few inputs aimed at the recovery paths.
func FuzzParse(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.Dockerfile")
	for _, p := range seeds {
		src, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(src, "")
	}
	for _, s := range []string{
		"",
		"\xef\xbb\xbf",
		"FROM alpine\nRUN <<EOF\necho hi\n",
		"# escape=`\nFROM alpine\nRUN echo a `\n b\n",
		"FROM a AS b\nFROM b\nCOPY --from=b / /\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update\n",
		"ARG T=latest\nFROM alpine:${T:-x}\nUSER ${U}\nVOLUME [\"/a\", /b\nCMD exec nginx\n",
		"FROM alpine\r\nRUN sh -c 'apt-get update; rm -rf /var/lib/apt/lists/*' \\\r\n  && true\r\n",
		"FROM mcr.microsoft.com/windows/servercore\nSHELL [\"pwsh\", \"-c\"]\nRUN Get-Item x\n",
		// BuildKit's check directive, at the top and above instructions in
		// the middle (BuildKit reads the latter through the linter).
		"# syntax=docker/dockerfile:1\n# check=skip=StageNameCasing;error=true\nFROM alpine AS Build\nCMD echo hi\n",
		"# check=error=true\nFROM alpine\nMAINTAINER me\n",
		"FROM alpine\n# check=skip=JSONArgsRecommended\nCMD echo hi\n# check=skip=all\nMAINTAINER me\n",
		"FROM a AS b\n# check=error=true\n# a description\nARG X=1\n# check=skip=FromAsCasing\nFROM b as C\n",
		// Quoted and escaped ARG/ENV values, legacy ENV, ARG without value.
		"ARG V=\"latest\"\nARG E=''\nFROM busybox:${V}${E}\nENV A \"x y\" z\nENV B=\\$A C='$A'\nARG D\nUSER \"$A\"\n",
		"# escape=`\nARG P=\"C:`\\x\"\nFROM scratch\nENV Q=`$P R=\"$P\"\n",
	} {
		f.Add([]byte(s), "")
	}
	f.Add([]byte("FROM a AS x\nFROM b AS y\n"), "x")

	f.Fuzz(func(t *testing.T, src []byte, target string) {
		file, err := Parse("Dockerfile", src, Options{Target: target})
		if err != nil {
			if errors.Is(err, ErrTargetNotFound) {
				return
			}
			t.Fatalf("Parse: %v", err)
		}
		for _, bad := range checkRanges(file) {
			t.Error(bad)
		}
		_ = dump(file)
	})
}
