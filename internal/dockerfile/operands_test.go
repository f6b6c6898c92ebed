package dockerfile

import (
	"reflect"
	"slices"
	"testing"
)

// TestOperands: Operands keeps the words that are not options, in order,
// returns nil when there are none, and does not let a caller's append reach
// the call's own arguments (it may hand out Args itself).
func TestOperands(t *testing.T) {
	tests := []struct {
		run  string
		want []string
	}{
		{run: "rm /a /b", want: []string{"/a", "/b"}},
		{run: "rm -rf /a -- /b", want: []string{"/a", "/b"}},
		{run: "cat - /a", want: []string{"-", "/a"}},
		{run: "rm -rf --no-preserve-root", want: nil},
		{run: "true", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.run, func(t *testing.T) {
			f, err := Parse("Dockerfile", []byte("FROM scratch\nRUN "+tt.run+"\n"), Options{})
			if err != nil || len(f.Instructions) != 2 || f.Instructions[1].Script == nil || len(f.Instructions[1].Script.Calls) != 1 {
				t.Fatalf("Parse: %v, %+v", err, f.Instructions)
			}
			c := f.Instructions[1].Script.Calls[0]
			args := append([]Word(nil), c.Args...)
			ops := c.Operands()
			var got []string
			for _, w := range ops {
				got = append(got, w.Value)
			}
			if !reflect.DeepEqual(got, tt.want) || (ops == nil) != (tt.want == nil) {
				t.Errorf("Operands = %q, want %q", got, tt.want)
			}
			if c.HasOperands() != (len(tt.want) > 0) {
				t.Errorf("HasOperands = %v, want %v", c.HasOperands(), len(tt.want) > 0)
			}
			grown := append(ops, Word{Value: "appended"})
			if !slices.Equal(c.Args, args) || grown[len(grown)-1].Value != "appended" {
				t.Errorf("appending to Operands changed Args: %+v", c.Args)
			}
		})
	}
}
