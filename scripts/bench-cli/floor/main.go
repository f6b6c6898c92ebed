// Command floor is the least a Dockerfile linter built on BuildKit must do:
// read each file named in the list file (one path a line) and parse it with
// BuildKit's parser and instruction parser, on one thread. bench-cli runs
// dockvet against it.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"runtime"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floor LISTFILE")
		os.Exit(2)
	}
	list, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer list.Close()
	parsed := 0
	sc := bufio.NewScanner(list)
	for sc.Scan() {
		src, err := os.ReadFile(sc.Text())
		if err != nil {
			continue
		}
		res, err := parser.Parse(bytes.NewReader(src))
		if err == nil {
			_, _, _ = instructions.Parse(res.AST, nil)
			parsed++
		}
	}
	fmt.Println(parsed, "files parsed")
}
