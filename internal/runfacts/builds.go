package runfacts

import (
	"github.com/dockvet/dockvet/internal/dockerfile"
	"github.com/dockvet/dockvet/internal/source"
)

// Build is a command that compiles or packages an application.
type Build struct {
	Call  *dockerfile.Call
	Index int // of Call in Run.Calls
	Verb  string
	Rng   source.Range
}

var (
	goBuilds     = &Words{List: []string{"build", "install"}}
	cargoBuilds  = &Words{List: []string{"build", "install", "b"}}
	mavenBuilds  = &Words{List: []string{"package", "install", "verify", "compile"}}
	gradleBuilds = &Words{List: []string{"build", "assemble", "bootJar", "shadowJar", "installDist", "jar"}}
	dotnetBuilds = &Words{List: []string{"publish", "build"}}
	jsBuildNames = &Words{List: []string{"build"}}
)

// Builds returns the build commands of the RUN, in order.
func (r *Run) Builds() []Build {
	if r.bldDone {
		return r.builds
	}
	r.bldDone = true
	for i, c := range r.Calls {
		if b, ok := classifyBuild(c); ok {
			b.Index = i
			r.builds = append(r.builds, b)
		}
	}
	return r.builds
}

func classifyBuild(c *dockerfile.Call) (Build, bool) {
	var subs *Words
	scanAll := false
	switch c.Name {
	case "go":
		subs = goBuilds
	case "cargo":
		subs = cargoBuilds
	case "mvn", "mvnw":
		subs, scanAll = mavenBuilds, true
	case "gradle", "gradlew":
		subs, scanAll = gradleBuilds, true
	case "dotnet":
		subs = dotnetBuilds
	case "npm", "pnpm":
		return runScript(c, true)
	case "yarn":
		return runScript(c, false)
	default:
		return Build{}, false
	}
	if scanAll { // mvn clean package, gradle clean build: any goal or task
		for i, a := range c.Args {
			if a.Literal && subs.Has(a.Value) {
				return Build{Call: c, Verb: c.Name + " " + a.Value, Rng: CallThrough(c, i)}, true
			}
		}
		return Build{}, false
	}
	i, ok := Subcommand(c, 0, nil)
	if !ok || !subs.Has(c.Args[i].Value) {
		return Build{}, false
	}
	return Build{Call: c, Verb: c.Name + " " + c.Args[i].Value, Rng: CallThrough(c, i)}, true
}

// runScript recognises `npm run build` (pnpm, yarn alike; yarn and pnpm
// also run `yarn build` without "run").
func runScript(c *dockerfile.Call, needRun bool) (Build, bool) {
	i, ok := Subcommand(c, 0, nil)
	if !ok {
		return Build{}, false
	}
	if c.Args[i].Value == "run" || c.Args[i].Value == "run-script" {
		j, ok := Subcommand(c, i+1, nil)
		if !ok || !jsBuildNames.Has(c.Args[j].Value) {
			return Build{}, false
		}
		return Build{Call: c, Verb: c.Name + " run " + c.Args[j].Value, Rng: CallThrough(c, j)}, true
	}
	if !needRun || c.Name == "pnpm" {
		if jsBuildNames.Has(c.Args[i].Value) {
			return Build{Call: c, Verb: c.Name + " " + c.Args[i].Value, Rng: CallThrough(c, i)}, true
		}
	}
	return Build{}, false
}
