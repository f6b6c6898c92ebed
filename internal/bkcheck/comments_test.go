package bkcheck

import (
	"reflect"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/linter"
)

// FuzzCommentSettings: withCommentSettings, which hands comments to
// BuildKit's directive parser only when one may be a `# check=` directive,
// gives the settings BuildKit's own l.WithMergedConfigFromComments gives
// for the same comments. A BuildKit upgrade that widens its directive
// grammar fails here. Two comments are tried at once ("\n" splits them):
// the first directive wins.
func FuzzCommentSettings(f *testing.F) {
	for _, seed := range []string{
		"check=skip=all", "# check=skip=JSONArgsRecommended", "#check=error=true",
		"  Check = skip=all", "CHECK\t=\texperimental=all", "check = skip=A,B;error=true",
		"syntax=docker/dockerfile:1\ncheck=skip=all", "escape=`", "a comment\ncheck=skip=all",
		"xcheck=skip=all", "check skip=all", "\ufeffcheck=skip=all", "chec\u212a=skip=all",
		"check=skip=all extra words", "check=bogus", "",
	} {
		f.Add(seed)
	}
	base := linter.New(&linter.Config{})
	f.Fuzz(func(t *testing.T, text string) {
		comments := strings.Split(text, "\n")
		got := withCommentSettings(base, comments)
		want := base.WithMergedConfigFromComments(comments)
		if settingsOf(got) != settingsOf(want) || !reflect.DeepEqual(got.SkippedRules, want.SkippedRules) || !reflect.DeepEqual(got.ExperimentalRules, want.ExperimentalRules) {
			t.Errorf("comments %q: settings %+v, BuildKit's %+v", comments, *got, *want)
		}
	})
}

// lintSettings are the plain fields of a linter.Linter that comments set.
type lintSettings struct{ skipAll, experimentalAll, asError bool }

func settingsOf(l *linter.Linter) lintSettings {
	return lintSettings{l.SkipAll, l.ExperimentalAll, l.ReturnAsError}
}
