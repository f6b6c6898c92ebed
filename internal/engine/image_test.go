package engine

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/finding"
	"github.com/dockvet/dockvet/internal/image"
	"github.com/dockvet/dockvet/internal/rule"
	"github.com/dockvet/dockvet/internal/source"
)

// imageRules are stand-ins for image rules.
func imageRules() []*rule.Rule {
	return []*rule.Rule{
		{ID: "I1", Name: "root", Severity: finding.SeverityWarning,
			CheckImage: func(p *rule.ImagePass) {
				if image.RunsAsRoot(p.Image.User) {
					p.Reportf(rule.ConfigRange, "root")
				}
			}},
		{ID: "I2", Name: "every-run", Severity: finding.SeverityInfo,
			CheckImage: func(p *rule.ImagePass) {
				if p.History == nil {
					return
				}
				for _, in := range p.History.Instructions {
					if in.Keyword == "RUN" {
						p.Reportf(in.ArgsRange, "run %s", in.ArgsText)
					}
				}
			}},
		{ID: "I3", Name: "off", Severity: finding.SeverityError, DefaultOff: true,
			CheckImage: func(p *rule.ImagePass) { p.Reportf(rule.ConfigRange, "off by default") }},
		{ID: "I4", Name: "panics", Severity: finding.SeverityError,
			CheckImage: func(p *rule.ImagePass) {
				if p.Image.User == "boom" {
					panic("boom")
				}
			}},
		{ID: "D1", Name: "dockerfile-only", Severity: finding.SeverityError,
			Check: func(p *rule.Pass) { p.Reportf(source.Range{}, "never for images") }},
	}
}

func imageInput(t *testing.T, name, user string, lines ...string) ImageInput {
	t.Helper()
	in := ImageInput{Name: name, Image: &image.Image{Ref: name, User: user}}
	if len(lines) > 0 {
		f, err := dockerfile.Parse(name, []byte("FROM scratch\n"+strings.Join(lines[1:], "\n")+"\n"), dockerfile.Options{})
		if err != nil {
			t.Fatal(err)
		}
		in.History, in.Lines = f, lines
	}
	return in
}

func TestLintImages(t *testing.T) {
	e, err := New(imageRules(), Settings{})
	if err != nil {
		t.Fatal(err)
	}
	res := e.LintImages([]ImageInput{
		imageInput(t, "b:1", "root", "# ADD rootfs", "RUN apt-get update", "# CMD [\"x\"]", "RUN make"),
		imageInput(t, "a:1", "1000"),
		{Name: "missing:1", Err: errors.New("not found")},
		imageInput(t, "crash:1", "boom"),
		imageInput(t, "clean:1", "app", "# ADD rootfs"),
	})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.File+":"+f.Range.Start.String()+":"+f.RuleID+":"+f.Severity.String()+":"+f.Message)
	}
	want := []string{
		"b:1:0:0:I1:warning:root",
		"b:1:2:5:I2:info:run apt-get update",
		"b:1:4:5:I2:info:run make",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Files != 5 {
		t.Errorf("Files = %d", res.Files)
	}
	if len(res.Errors) != 2 || res.Errors[0].File != "crash:1" || !strings.Contains(res.Errors[0].Message, "internal error in rule I4 panics: boom") ||
		res.Errors[1].File != "missing:1" || res.Errors[1].Message != "not found" {
		t.Errorf("errors %+v", res.Errors)
	}
	if len(res.Sources) != 1 || !slices.Equal(res.Sources["b:1"], []string{"# ADD rootfs", "RUN apt-get update", "# CMD [\"x\"]", "RUN make"}) {
		t.Errorf("sources %v", res.Sources)
	}
}

func TestLintImagesSettings(t *testing.T) {
	e, err := New(imageRules(), Settings{Layers: []Layer{{
		Enable:   []RuleRef{{Name: "off"}},
		Ignore:   []RuleRef{{Name: "I2"}},
		Severity: []Override{{Rule: RuleRef{Name: "root"}, Level: finding.SeverityError}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	res := e.LintImages([]ImageInput{imageInput(t, "x", "", "# a", "RUN true")})
	var got []string
	for _, f := range res.Findings {
		got = append(got, f.RuleID+":"+f.Severity.String())
	}
	if !slices.Equal(got, []string{"I1:error", "I3:error"}) {
		t.Errorf("got %v", got)
	}
	if !Failed(res.Findings, finding.SeverityError) {
		t.Error("not failed")
	}
}

func TestLintImagesNilImage(t *testing.T) {
	e, _ := New(imageRules(), Settings{})
	res := e.LintImages([]ImageInput{{Name: "x"}})
	if len(res.Errors) != 1 || len(res.Findings) != 0 {
		t.Errorf("%+v", res)
	}
}
