// Command bkoracle runs BuildKit's own Dockerfile linter (dockerfile2llb.
// DockerfileLint, what `docker build --check` runs) offline, as an oracle
// for dockvet's ports of BuildKit's checks.
//
//	bkoracle [-base FILE.json] FILE...           print BuildKit's warnings
//	bkoracle -compare [-base FILE.json] [-context DIR] [-manifest TSV] FILE...
//	                                             compare with dockvet's findings
//	bkoracle -write-cases DIR                    regenerate DIR/**/<case>.want
//
// It is a nested module so that dockerfile2llb stays out of dockvet's
// go.mod and binary.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("bkoracle", flag.ContinueOnError)
	fl.SetOutput(stderr)
	basePath := fl.String("base", "", "base image config JSON for every external FROM (a case's own <case>.base.json wins)")
	contextDir := fl.String("context", "", "build context for dockvet in -compare (default: each file's directory)")
	compare := fl.Bool("compare", false, "compare BuildKit's (rule, line) pairs with dockvet's findings")
	manifest := fl.String("manifest", "", "with -compare: also read the files listed in the first column of this TSV (header skipped), relative to its directory")
	writeCases := fl.String("write-cases", "", "regenerate the .want files of the case directory DIR")
	verbose := fl.Bool("v", false, "with -compare: list every missing and extra finding")
	if err := fl.Parse(args); err != nil {
		return 2
	}
	ctx := context.Background()
	if *writeCases != "" {
		if err := WriteCases(ctx, *writeCases, stdout); err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			return 1
		}
		return 0
	}
	var base *BaseConfig
	if *basePath != "" {
		b, err := LoadBase(*basePath)
		if err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			return 2
		}
		base = &b
	}
	files := fl.Args()
	if *manifest != "" {
		listed, err := ReadManifest(*manifest)
		if err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			return 2
		}
		files = append(listed, files...)
	}
	if len(files) == 0 {
		fl.Usage()
		return 2
	}
	if *compare {
		rep, err := Compare(ctx, files, base, *contextDir)
		if err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			return 2
		}
		rep.Print(stdout, *verbose)
		if rep.Missing() > 0 {
			return 1
		}
		return 0
	}
	status := 0
	for _, f := range files {
		b, err := baseFor(f, base)
		if err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			status = 1
			continue
		}
		dt, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(stderr, "bkoracle:", err)
			status = 1
			continue
		}
		v := Lint(ctx, f, dt, b)
		for _, w := range v.Warnings {
			fmt.Fprintf(stdout, "%s:%d: %s: %s\n", f, w.Line, w.Rule, w.Message)
		}
		if v.Error != "" {
			fmt.Fprintf(stdout, "%s:%d: error: %s\n", f, v.ErrorLine, v.Error)
		}
		if v.Panic != "" {
			fmt.Fprintf(stdout, "%s: panic: %s\n", f, v.Panic)
			status = 1
		}
	}
	return status
}

// baseFor picks a file's fake base: its own <case>.base.json, else -base,
// else the default.
func baseFor(file string, flagBase *BaseConfig) (BaseConfig, error) {
	if p := CaseBase(file); p != "" {
		return LoadBase(p)
	}
	if flagBase != nil {
		return *flagBase, nil
	}
	return DefaultBase(), nil
}
