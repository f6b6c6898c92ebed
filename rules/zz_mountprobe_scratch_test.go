package rules

import (
	"fmt"
	"testing"

	"github.com/dockvet/dockvet/internal/dockerfile"
)

func TestZZMountProbe(t *testing.T) {
	src := "FROM debian\nRUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y x\nCMD npm start\nRUN <<EOF\nset -e\napt-get update\napt-get install -y curl\nrm -rf /var/lib/apt/lists/*\nEOF\n"
	f, _ := dockerfile.Parse("D", []byte(src), dockerfile.Options{})
	for _, in := range f.Instructions {
		fmt.Printf("%s flags=%+v mounts=", in.Keyword, in.Flags)
		for _, m := range in.Mounts {
			fmt.Printf("%+v ", *m)
		}
		fmt.Println()
		if in.Script != nil {
			for _, c := range in.Script.Calls {
				fmt.Printf("  call %q %v args=%v cond=%v\n", c.Name, c.NameRange, c.Args, c.Conditional)
			}
		}
	}
}
